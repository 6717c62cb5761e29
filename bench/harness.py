"""What the HTTP benchmarks share: a database of their own, a gunicorn server
serving the site plus a bare endpoint, and concurrent keep-alive clients.

The bare endpoint ``POST /bench/ping`` goes through the same ninja stack and
bearer auth as the API and inserts one row (table ``bench_ping``, made by
:func:`ping_table`): throughput ratios are measured against it in the same run,
so they hold on any machine. Knobs: ``BENCH_WORKERS`` gunicorn workers (4)
with ``BENCH_THREADS`` threads each (2): on two cores, processes beat threads."""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))


# --- in the parent: databases, server, clients -----------------------------------------


@contextmanager
def database(env: dict, tag: str):
    """A fresh database for this run (PostgreSQL ``<name>_<tag>`` with
    ``DATABASE_URL`` set, created and dropped here; else SQLite under the
    run's ``WANJIA_VAR_DIR``); yields the env that points at it."""
    url = env.get("DATABASE_URL")
    if not url:
        yield {**env, "BENCH_DB": "sqlite"}
        return
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/') or 'wanjia'}_{tag}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            **env,
            "DATABASE_URL": urlunparse(parts._replace(path=f"/{name}")),
            "BENCH_DB": "postgresql",
        }
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def child(module: str, env: dict, *args: str) -> dict:
    """Run ``python -m bench.<module> <args>`` against the bench database; its
    last line of output is a JSON object."""
    out = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(env: dict, log: Path):
    """gunicorn on a free port serving :func:`wsgi`; yields the port."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.harness:wsgi()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--worker-class",
            "gthread",
            "--timeout",
            "120",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env={**env, "DB_POOL_MAX": str(THREADS)},  # workers × threads connections at most
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 60 s") from None
                time.sleep(0.3)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def fire(port: int, jobs: list[tuple[str, bytes, dict]], clients: int) -> dict:
    """``clients`` threads, each with one keep-alive connection, send their
    share of ``jobs`` (path, body, headers) one after another, all at once."""
    shares = [jobs[i::clients] for i in range(clients)]
    timings: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(share):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        for path, body, headers in share:
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            res = conn.getresponse()
            res.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                statuses[res.status] = statuses.get(res.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    q = statistics.quantiles(timings, n=100)
    return {
        "requests": len(timings),
        "statuses": statuses,
        "rps": round(len(timings) / wall, 1),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
    }


def bare_jobs(keys: list[str], count: int) -> list:
    """``count`` posts to the bare endpoint, spread over the bearer ``keys``."""
    return [
        (
            "/bench/ping",
            b"{}",
            {"Authorization": f"Bearer {keys[n % len(keys)]}", "Content-Type": "application/json"},
        )
        for n in range(count)
    ]


# --- in a child process -----------------------------------------------------------------


def ping_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        serial = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_ping (id {serial} PRIMARY KEY, user_id BIGINT)"
        )


def statements_of(client, path: str) -> int:
    """How many SQL statements one GET of ``path`` sends (in a child, with
    Django's test client): a page whose count grows with the data loops over it."""
    from django.db import connection

    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    return len(seen)


def child_main(commands: dict) -> None:
    """``python -m bench.<module> <command> <int>``: prints the command's JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanjia.settings")
    import django

    django.setup()
    command, arg = sys.argv[1], int(sys.argv[2])
    print(json.dumps(commands[command](arg)))


# --- in the gunicorn workers: the site plus the bare endpoint ----------------------------


def wsgi():
    """The site's URLs plus ``POST /bench/ping``: the same ninja stack and
    bearer auth as the API, and one INSERT."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanjia.settings")
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.harness"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def __getattr__(name):
    # ``urlpatterns`` is built on first use (by the URL resolver, after setup).
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


_PATTERNS: list = []


def _urlpatterns() -> list:
    if _PATTERNS:
        return _PATTERNS
    from django.db import connection, transaction
    from django.urls import include, path
    from ninja import NinjaAPI

    from wanjia.core.api import BearerAuth

    bench = NinjaAPI(urls_namespace="bench", auth=[BearerAuth()], docs_url=None, openapi_url=None)

    @bench.post("/ping")
    def ping(request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_ping (user_id) VALUES (%s)", [request.auth.pk])
        return {"ok": True}

    _PATTERNS.extend([path("bench/", bench.urls), path("", include("wanjia.urls"))])
    return _PATTERNS
