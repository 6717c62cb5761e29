"""`make peak` / ``python -m bench.peak``: the evening peak with Locust.

One command: a fresh PostgreSQL database ``peak_run`` (dropped at the end),
migrations, the demo city (``PEAK_DEMO=0`` skips it), the evening's people
(bench/peak/setup.py), Huey consumer(s) on Redis, gunicorn with several
workers serving the site plus the bare insert endpoint of bench/harness.py,
then Locust headless:

1. the evening: every user class of bench/peak/locustfile.py for
   ``PEAK_SECONDS`` (90) with ``PEAK_USERS`` (150) users;
2. the ratio phase: ``PEAK_RATIO_USERS`` (50) users placing orders back to
   back for ``PEAK_RATIO_SECONDS`` (30), then as many posting to the bare
   endpoint; ratio = orders per second ÷ bare posts per second;
3. with ``PEAK_PROXY=1`` the evening again through two gunicorn apps behind
   the round-robin proxy of tools/scale_out.py (half the workers each).

Prints one table per run and writes bench/out/peak.json. Knobs also:
``DATABASE_URL`` (postgresql://postgres@127.0.0.1:5432/peak; the run's
database is ``<name>_run``), ``REDIS_URL`` (redis://127.0.0.1:6379/5),
``PEAK_HUEY`` consumers (1), ``PEAK_HOUSEHOLDS`` (4000), ``BENCH_WORKERS`` /
``BENCH_THREADS`` (4 × 2, bench/harness.py)."""

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench import harness

ROOT = harness.ROOT
HERE = Path(__file__).resolve().parent
SECONDS = int(os.environ.get("PEAK_SECONDS", "90"))
USERS = int(os.environ.get("PEAK_USERS", "150"))
RATIO_SECONDS = int(os.environ.get("PEAK_RATIO_SECONDS", "30"))
RATIO_USERS = int(os.environ.get("PEAK_RATIO_USERS", "50"))
HUEY = int(os.environ.get("PEAK_HUEY", "1"))
HOUSEHOLDS = int(os.environ.get("PEAK_HOUSEHOLDS", "4000"))
DEMO = os.environ.get("PEAK_DEMO", "1") != "0"
PROXY = os.environ.get("PEAK_PROXY", "0") != "0"
EVENING = ["ResidentUser", "GuardUser", "CaretakerUser", "StaffUser", "RegulatorUser", "PingUser"]
ORDER, PING = "POST /api/v1/market/orders", "POST /bench/ping"


def say(text: str) -> None:
    print(text, flush=True)


@contextmanager
def consumers(env: dict, var: Path, count: int):
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--quiet"],
            cwd=ROOT,
            env=env,
            stdout=open(var / f"huey{n}.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for n in range(count)
    ]
    try:
        yield procs
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


@contextmanager
def behind_proxy(env: dict, var: Path):
    """Two gunicorn apps (half the workers each) behind tools/scale_out.py's
    round-robin proxy; yields the proxy's port and the proxy."""
    from tools.scale_out import Proxy

    workers = harness.WORKERS
    harness.WORKERS = max(1, workers // 2)
    try:
        with ExitStack() as stack:
            ports = [
                stack.enter_context(harness.server(env, var / f"gunicorn-app{n}.log"))
                for n in (1, 2)
            ]
            proxy = Proxy([f"127.0.0.1:{p}" for p in ports]).start()
            try:
                yield proxy.port, proxy
            finally:
                proxy.stop()
    finally:
        harness.WORKERS = workers


def locust(port: int, var: Path, tag: str, classes: list[str], users: int, seconds: int) -> dict:
    """Locust headless against ``port``; returns its per-endpoint figures."""
    prefix = var / tag
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(max(1, users // 10)),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        *classes,
    ]
    with open(var / f"{tag}.log", "w") as log:
        out = subprocess.run(
            cmd,
            cwd=ROOT,
            env=os.environ | {"PEAK_DATA": str(var / "peak.json")},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if out.returncode not in (0, 1):  # 1: some request failed (reported below)
        raise RuntimeError(f"locust {tag} exited {out.returncode}")
    return _stats(prefix)


def _num(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _stats(prefix: Path) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv") as f:
        for r in csv.DictReader(f):
            name = r["Name"] if r["Name"] != "Aggregated" else "total"
            rows[name] = {
                "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "rps": round(_num(r["Requests/s"]), 1),
                "p50_ms": _num(r["50%"]),
                "p95_ms": _num(r["95%"]),
                "p99_ms": _num(r["99%"]),
                "mean_ms": round(_num(r["Average Response Time"]), 1),
            }
    failures = []
    with open(f"{prefix}_failures.csv") as f:
        for r in csv.DictReader(f):
            failures.append(
                {"name": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])}
            )
    return {"endpoints": rows, "failures": failures}


def table(title: str, stats: dict) -> None:
    say(f"\n{title}")
    head = f"{'endpoint':<52} {'reqs':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5}"
    say(head)
    say("-" * len(head))
    rows = stats["endpoints"]
    for name in [*sorted(n for n in rows if n != "total"), "total"]:
        r = rows[name]
        say(
            f"{name[:52]:<52} {r['requests']:>6} {r['rps']:>7} {r['p50_ms']:>6.0f}"
            f" {r['p95_ms']:>6.0f} {r['p99_ms']:>6.0f} {r['failures']:>5}"
        )
    for f in stats["failures"]:
        say(f"  failure {f['count']}× {f['name']}: {f['error']}")


def evening_ratio(stats: dict) -> dict:
    """Orders vs bare posts in the mixed run. Their rates are set by the user
    weights and waits, so the comparable figure is the latency one: mean bare
    ÷ mean order (what a closed loop's throughput ratio would be)."""
    rows = stats["endpoints"]
    order, ping = rows.get(ORDER), rows.get(PING)
    if not order or not ping or not order["rps"] or not ping["rps"]:
        return {}
    return {
        "orders_per_s": order["rps"],
        "ping_per_s": ping["rps"],
        "rate_ratio": round(order["rps"] / ping["rps"], 2),
        "latency_ratio": round(ping["mean_ms"] / order["mean_ms"], 2),
    }


def run_on(port: int, var: Path, label: str, ratio_phase: bool, env: dict) -> dict:
    result = {"label": label}
    say(f"== {label}: warming up (every endpoint, 20 users, 15 s; not counted)")
    locust(port, var, f"{label}-warm", [*EVENING, "OrderOnlyUser"], 20, 15)
    say(f"\n== {label}: the evening, {USERS} users, {SECONDS} s")
    result["evening"] = locust(port, var, f"{label}-evening", EVENING, USERS, SECONDS)
    result["evening_ratio"] = evening_ratio(result["evening"])
    if ratio_phase:
        say(f"== {label}: ratio phase, {RATIO_USERS} users each, {RATIO_SECONDS} s each")
        harness.child("peak.setup", env, "touch", "0")
        orders = locust(port, var, f"{label}-orders", ["OrderOnlyUser"], RATIO_USERS, RATIO_SECONDS)
        bare = locust(port, var, f"{label}-ping", ["PingOnlyUser"], RATIO_USERS, RATIO_SECONDS)
        o, p = orders["endpoints"][ORDER], bare["endpoints"][PING]
        result["ratio_phase"] = {
            "orders": orders,
            "ping": bare,
            "ratio": round(o["rps"] / p["rps"], 2),
        }
    return result


def report(result: dict) -> None:
    table(f"{result['label']} — the evening", result["evening"])
    er = result["evening_ratio"]
    if er:
        say(
            f"orders {er['orders_per_s']}/s, bare {er['ping_per_s']}/s in the same run"
            f" (rate ratio {er['rate_ratio']}, set by the weights); mean bare ÷ mean order"
            f" latency {er['latency_ratio']}"
        )
    rp = result.get("ratio_phase")
    if rp:
        o, p = rp["orders"]["endpoints"][ORDER], rp["ping"]["endpoints"][PING]
        say(
            f"ratio phase, {RATIO_USERS} users: orders {o['rps']}/s (p95 {o['p95_ms']:.0f} ms,"
            f" {o['failures']} failures), bare {p['rps']}/s (p95 {p['p95_ms']:.0f} ms)"
            f" — ratio {rp['ratio']}"
        )


def main() -> int:
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/peak"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        "HUEY_NAME": f"peak-{os.getpid()}",
        "DJANGO_SETTINGS_MODULE": "wanjia.settings",
    }
    env.pop("DEBUG", None)
    started = time.monotonic()
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="wanjia-peak-") as tmp:
        var = Path(tmp)
        env["WANJIA_VAR_DIR"] = tmp
        with harness.database(env, "run") as env:
            say(f"database {env['DATABASE_URL']}: migrating")
            harness.migrate(env)
            if DEMO:
                say("loading the demo city")
                subprocess.run(
                    [sys.executable, "manage.py", "load_demo"],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            say(f"the evening's people: {HOUSEHOLDS} households with tokens, guards, carers, staff")
            data = harness.child("peak.setup", env, "setup", str(HOUSEHOLDS))
            (var / "peak.json").write_text(json.dumps(data))
            load = os.getloadavg()[0]
            runs = []
            with consumers(env, var, HUEY):
                with harness.server(env, var / "gunicorn.log") as port:
                    runs.append(
                        run_on(
                            port, var, f"gunicorn {harness.WORKERS}x{harness.THREADS}", True, env
                        )
                    )
                if PROXY:
                    label = f"proxy + 2 apps {max(1, harness.WORKERS // 2)}x{harness.THREADS}"
                    with behind_proxy(env, var) as (port, proxy):
                        runs.append(
                            {**run_on(port, var, label, False, env), "served": proxy.served}
                        )
            check = harness.child("peak.setup", env, "check", str(data["window"]))
            results.update(
                runs=runs,
                orders_in_db=check["orders"],
                stock_consistent=check["consistent"],
                demo=data["demo"],
                workers=f"{harness.WORKERS}x{harness.THREADS}",
                huey_consumers=HUEY,
                users=USERS,
                seconds=SECONDS,
                loadavg=f"{load:.1f}->{os.getloadavg()[0]:.1f}",
            )
    for r in results["runs"]:
        report(r)
    say(
        f"\norders in the database {results['orders_in_db']}, stock consistent:"
        f" {results['stock_consistent']}; load average {results['loadavg']};"
        f" {time.monotonic() - started:.0f} s in all"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "peak.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0
