"""Where an order placement's time goes: ``python -m bench.peak.profile``.

A database of its own (``<DATABASE_URL name>_prof``, PostgreSQL by default),
one process, no server: Django's test client posts ``PROFILE_ORDERS`` (300)
orders and as many bare inserts (``POST /bench/ping``) through the bench
URLconf with bearer tokens, after a warm-up. Prints the CPU per request of
each (the in-process ratio), the statements one order sends (with their
share of the time) and the functions cProfile finds most expensive."""

import json
import os
import sys
import tempfile

from bench import harness

ORDERS = int(os.environ.get("PROFILE_ORDERS", "300"))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="wanjia-peak-prof-") as var:
        env = {
            **os.environ,
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/peak"
            ),
            "WANJIA_VAR_DIR": var,
            "DJANGO_SETTINGS_MODULE": "wanjia.settings",
        }
        env.pop("DEBUG", None)
        with harness.database(env, "prof") as env:
            harness.migrate(env)
            out = harness.child("peak.profile", env, "profile", str(ORDERS))
    print(out.pop("report"))
    print(json.dumps(out))
    return 0


def _order(count: int):
    from bench import bench_market

    setup = bench_market._setup(count * 3 + 40)
    buyers = [k for k, _h in setup["buyers"]]

    def make(i):
        body = {
            "window": setup["window"],
            "lines": [{"offer": setup["offers"][i % len(setup["offers"])], "qty": 1}],
            "fulfilment": "door",
        }
        return "/api/v1/market/orders", json.dumps(body), _headers(buyers[i], f"prof-{i}")

    return make, buyers


def _checkin(count: int):
    from bench import bench_checkin

    setup = bench_checkin._setup(bench_checkin.GUARDS)

    def make(i):
        return bench_checkin._checkin_jobs(setup, i, 1)[0]

    return _as_client(make), [k for k, _d, _c in setup["guards"]]


def _booking(count: int):
    from bench import bench_bookings

    setup = bench_bookings._setup(-(-(count * 3 + 40) // bench_bookings.CLIENTS))

    def make(i):
        return bench_bookings._jobs(setup, i, 1)[0]

    return _as_client(make), setup["keys"]


def _headers(key: str, idempotency: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_IDEMPOTENCY_KEY": idempotency}


def _as_client(make):
    """A benchmark's (path, body bytes, headers) job as test-client arguments."""

    def job(i):
        path, body, headers = make(i)
        return path, body, _headers(headers["Authorization"][7:], headers["Idempotency-Key"])

    return job


_WRITES = {"order": _order, "checkin": _checkin, "booking": _booking}


def _profile(count: int) -> dict:
    import cProfile
    import io
    import pstats
    import time

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ROOT_URLCONF = "bench.harness"
    what = os.environ.get("PROFILE_WHAT", "order")
    make, keys = _WRITES[what](count)
    client = Client()
    n = iter(range(10**9))

    def order():
        i = next(n)
        path, body, headers = make(i)
        res = client.post(path, data=body, content_type="application/json", **headers)
        assert res.status_code == 201, res.content

    def ping():
        res = client.post(
            "/bench/ping",
            data="{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {keys[0]}",
        )
        assert res.status_code == 200, res.content

    def cpu(fn, times):
        started = time.process_time(), time.perf_counter()
        for _ in range(times):
            fn()
        return (
            (time.process_time() - started[0]) * 1000 / times,
            (time.perf_counter() - started[1]) * 1000 / times,
        )

    for _ in range(20):
        order()
        ping()
    ping_cpu, ping_wall = cpu(ping, count)
    order_cpu, order_wall = cpu(order, count)

    class Log:
        """Every statement sent on the connection, with its time."""

        def __init__(self):
            self.captured_queries = []

        def __call__(self, execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.captured_queries.append(
                    {"sql": sql, "time": f"{time.perf_counter() - started:.4f}"}
                )

    class Mean(Log):
        """Mean wall time of each kind of statement over many orders."""

        def __init__(self):
            self.total = {}

        def __call__(self, execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                words = sql.split()
                if "SAVEPOINT" in words[:2]:  # named apart each time: one kind
                    words = words[: words.index("SAVEPOINT") + 1]
                kind = " ".join(words[:3])[:70]
                n, t = self.total.get(kind, (0, 0.0))
                self.total[kind] = (n + 1, t + time.perf_counter() - started)

    mean = Mean()
    with connection.execute_wrapper(mean):
        cpu(order, count)
    ping_q, order_q = Log(), Log()
    with connection.execute_wrapper(ping_q):
        ping()
    with connection.execute_wrapper(order_q):
        order()
    means = "\n".join(
        f"  {t * 1000 / count:6.2f} ms  {n / count:4.1f}x  {kind}"
        for kind, (n, t) in sorted(mean.total.items(), key=lambda kv: -kv[1][1])
    )
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(count // 2):
        order()
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    statements = "\n".join(f"  {q['time']}s  {q['sql'][:220]}" for q in order_q.captured_queries)
    report = (
        f"bare insert: {ping_cpu:.2f} ms CPU, {ping_wall:.2f} ms wall, "
        f"{len(ping_q.captured_queries)} statements\n"
        f"order:       {order_cpu:.2f} ms CPU, {order_wall:.2f} ms wall, "
        f"{len(order_q.captured_queries)} statements\n"
        f"in-process ratio (bare CPU / order CPU): {ping_cpu / order_cpu:.2f}\n"
        f"an order's statements:\n{statements}\n"
        f"wall per order by kind of statement (mean over {count}; BEGIN/COMMIT not shown):\n"
        f"{means}\n\nCPU profile:\n{text.getvalue()}"
    )
    return {
        "ping_cpu_ms": round(ping_cpu, 2),
        "order_cpu_ms": round(order_cpu, 2),
        "ping_statements": len(ping_q.captured_queries),
        "order_statements": len(order_q.captured_queries),
        "ratio": round(ping_cpu / order_cpu, 2),
        "report": report,
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        harness.child_main({"profile": _profile})
    else:
        sys.exit(main())
