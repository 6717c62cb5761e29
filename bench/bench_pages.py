"""Pages under load: the compound page and resident search with 20 concurrent clients.

In a fresh temporary ``WANJIA_VAR_DIR`` (SQLite there, or ``DATABASE_URL`` when
set) this migrates, loads the full demo city (the base city only:
``load_demo --no-modules``, so another app's demo data cannot break or skew
it), starts ``gunicorn wanjia.wsgi`` on
a free local port, and lets 20 client threads, each logged in as ``manager``
with its own session cookie, send a bounded number of requests of one kind at
a time. Every kind is compared with a baseline measured the same way in the same
run: ``GET /api/v1/me``, which does no more than authenticate.

Figures per kind: p50/p95 with all clients at once (queueing included), requests
per second, and ``solo_p50_ms`` from one client alone (the service time).

Knobs (environment): ``BENCH_CLIENTS`` (20), ``BENCH_REQUESTS`` per kind (400),
``BENCH_WORKERS`` gunicorn workers (4)."""

import http.cookiejar
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
SOLO = 30  # requests one client sends alone, for the service time
USERNAME = "manager"


def _manage(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wanjia.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


class Client:
    """One simulated user: its own cookie jar, so its own session."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        # the base is always http://127.0.0.1:<port> of our own server
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self, username: str, password: str) -> None:
        _, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.decode(), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            self.base + "/login/", data=form, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            if "/login/" in response.geturl():
                raise RuntimeError(f"login as {username} failed")


def _search_terms(client: Client, compound_id: int) -> list[str]:
    """A mix of what people type: a surname, a full name, pinyin initials, a
    pinyin prefix and a phone tail, taken from the compound's own residents."""
    import json

    from wanjia.estates.services import pinyin_keys

    _, body = client.get(f"/api/v1/residents?compound={compound_id}&limit=200")
    residents = json.loads(body)["items"]
    rng = random.Random("bench-pages")
    terms = []
    for r in rng.sample(residents, min(40, len(residents))):
        full, initials = pinyin_keys(r["name"])
        terms += [r["name"][0], r["name"], initials, full[:5]]
        if r["phone"]:
            terms.append(r["phone"][-4:])  # the masked phone still shows its tail
    rng.shuffle(terms)
    return terms


def _measure(clients: list[Client], paths: list[str], headers=None) -> dict:
    """Each client sends its share of ``paths`` one after another, all clients at once."""
    per_client = [paths[i :: len(clients)] for i in range(len(clients))]
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()

    def work(client: Client, share: list[str]):
        nonlocal errors
        for path in share:
            started = time.perf_counter()
            status, _ = client.get(path, headers)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                errors += status != 200

    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(work, clients, per_client))
    wall = time.perf_counter() - started
    q = statistics.quantiles(timings, n=100)
    return {
        "requests": len(timings),
        "errors": errors,
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "rps": round(len(timings) / wall, 1),
    }


def _kinds(compound_id: int, terms: list[str]) -> list[tuple[str, list[str], dict | None]]:
    def repeat(path):
        return [path] * REQUESTS

    def searches(template):
        return [
            template.format(q=urllib.parse.quote(terms[i % len(terms)])) for i in range(REQUESTS)
        ]

    htmx = {"HX-Request": "true", "HX-Target": "results"}
    return [
        ("baseline GET /api/v1/me", repeat("/api/v1/me"), None),
        (
            "compound page /console/compounds/{id}/",
            repeat(f"/console/compounds/{compound_id}/"),
            None,
        ),
        ("compound API /api/v1/compounds/{id}", repeat(f"/api/v1/compounds/{compound_id}"), None),
        (
            "compound buildings API /api/v1/compounds/{id}/buildings",
            repeat(f"/api/v1/compounds/{compound_id}/buildings"),
            None,
        ),
        (
            "resident search API /api/v1/residents?compound=&q=",
            searches(f"/api/v1/residents?compound={compound_id}&q={{q}}"),
            None,
        ),
        ("resident search page /console/find/estates/?q=", searches("/console/find/estates/?q={q}"), None),
        (
            "resident search htmx partial /console/find/estates/?q=",
            searches("/console/find/estates/?q={q}"),
            htmx,
        ),
    ]


def _bench(base: str, setup: dict) -> list[dict]:
    import json

    from wanjia.demo.constants import DEMO_PASSWORD

    clients = [Client(base) for _ in range(CLIENTS)]
    for client in clients:
        client.login(USERNAME, DEMO_PASSWORD)
    _, body = clients[0].get("/api/v1/compounds")
    compound_id = json.loads(body)["items"][0]["id"]
    terms = _search_terms(clients[0], compound_id)
    rows = []
    baseline = None
    for name, paths, headers in _kinds(compound_id, terms):
        _measure(clients, paths[: CLIENTS * 2], headers)  # warm every worker up
        # One client alone: the service time, without the queueing that 20 add.
        solo = _measure(clients[:1], paths[:SOLO], headers)
        figures = _measure(clients, paths, headers)
        baseline = baseline or figures
        rows.append(
            {
                "name": name,
                "clients": CLIENTS,
                **figures,
                "solo_p50_ms": solo["p50_ms"],
                "baseline_p50_ms": baseline["p50_ms"],
                "ratio": round(figures["p50_ms"] / baseline["p50_ms"], 2),
                "ratio_p95": round(figures["p95_ms"] / baseline["p95_ms"], 2),
                **setup,
            }
        )
    return rows


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-pages-") as var:
        env = {**os.environ, "WANJIA_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
        env.pop("DEBUG", None)
        database = "postgresql" if env.get("DATABASE_URL") else "sqlite"
        _manage(env, "migrate", "--noinput", "-v", "0")
        load_s = _manage(env, "load_demo", "--no-modules")
        port = _free_port()
        server = _start_server(env, port, Path(var) / "gunicorn.log")
        try:
            setup = {"db": database, "workers": WORKERS, "load_demo_s": round(load_s, 1)}
            load_before = os.getloadavg()[0]
            rows = _bench(f"http://127.0.0.1:{port}", setup)
            # Other work on the machine shows up in every figure; say how busy it was.
            for row in rows:
                row.update(
                    cpus=os.cpu_count(), loadavg=f"{load_before:.1f}->{os.getloadavg()[0]:.1f}"
                )
            return rows
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # gunicorn and its workers: its own session
            server.wait(timeout=30)
