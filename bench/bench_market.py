"""菜篮子 under load.

1. Order placement: 50 concurrent clients (threads with keep-alive HTTP
   connections) place orders through ``POST /api/v1/market/orders`` (bearer
   token, Idempotency-Key, conditional stock UPDATE, audit) against gunicorn;
   beside it, in the same run and the same way, a bare endpoint of the same
   API stack (same bearer auth) that inserts one row. ``ratio`` = order
   throughput ÷ bare throughput (the issue asks for ≥ 0.5).
2. Cutoff aggregation: a window with 5,000 orders is closed (purchase orders
   built), then received with a shortage shared pro rata across the orders.
3. Print-outs for 5,000 bags: the A4 pick lists, the A4 labels with a QR code
   each, and the Excel export, through the real views.

Everything runs in a database of its own: with ``DATABASE_URL`` set, a
PostgreSQL database ``<name>_bench_market`` on the same server (created and
dropped here); without it, SQLite in a temporary directory (and the figures
say ``db=sqlite``). Knobs: ``BENCH_MARKET_CLIENTS`` (50),
``BENCH_MARKET_ORDERS`` per kind (1500), ``BENCH_MARKET_BAGS`` (5000),
``BENCH_WORKERS`` gunicorn workers (4) with ``BENCH_THREADS`` threads each (2):
on two cores, processes beat threads (the GIL)."""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_MARKET_CLIENTS", "50"))
ORDERS = int(os.environ.get("BENCH_MARKET_ORDERS", "1500"))
BAGS = int(os.environ.get("BENCH_MARKET_BAGS", "5000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))


# --- in the parent: databases, server, clients -----------------------------------------


@contextmanager
def _database(env: dict):
    """A fresh database for this run; yields the env that points at it."""
    url = env.get("DATABASE_URL")
    if not url:
        yield {**env, "BENCH_DB": "sqlite"}
        return
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/') or 'wanjia'}_bench_market"
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


def _child(env: dict, *args: str) -> dict:
    """Run ``python -m bench.bench_market <args>`` against the bench database;
    its last line of output is a JSON object."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_market", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"bench_market {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(env: dict, port: int, log: Path):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.bench_market:wsgi()",
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
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 60 s") from None
                time.sleep(0.3)
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _fire(port: int, jobs: list[tuple[str, bytes, dict]]) -> dict:
    """CLIENTS threads, each with one keep-alive connection, send their share
    of ``jobs`` one after another, all at once."""
    shares = [jobs[i::CLIENTS] for i in range(CLIENTS)]
    timings: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

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


def _order_jobs(setup: dict, first: int, count: int) -> list:
    jobs = []
    for n, (key, _household) in enumerate(setup["buyers"][first : first + count]):
        offer = setup["offers"][n % len(setup["offers"])]
        body = json.dumps(
            {
                "window": setup["window"],
                "lines": [{"offer": offer, "qty": 1 + n % 2}],
                "fulfilment": "door",
            }
        ).encode()
        headers = {
            "Authorization": f"Bearer {key}",
            "Idempotency-Key": f"bench-{first + n}",
            "Content-Type": "application/json",
        }
        jobs.append(("/api/v1/market/orders", body, headers))
    return jobs


def _bare_jobs(setup: dict, count: int) -> list:
    keys = [k for k, _h in setup["buyers"]]
    return [
        (
            "/bench/ping",
            b"{}",
            {"Authorization": f"Bearer {keys[n % len(keys)]}", "Content-Type": "application/json"},
        )
        for n in range(count)
    ]


def _throughput(env: dict, var: Path) -> list[dict]:
    warm = CLIENTS * 2
    setup = _child(env, "setup", str(ORDERS + warm))
    port = _free_port()
    with _server(env, port, var / "gunicorn.log"):
        _fire(port, _bare_jobs(setup, warm))  # every worker up and connected
        _fire(port, _order_jobs(setup, 0, warm))
        bare = _fire(port, _bare_jobs(setup, ORDERS))
        orders = _fire(port, _order_jobs(setup, warm, ORDERS))
    check = _child(env, "check", str(setup["window"]))
    common = {"clients": CLIENTS, "workers": f"{WORKERS}x{THREADS}", "db": env["BENCH_DB"]}
    return [
        {"name": "bare endpoint: POST inserting one row (same auth)", **common, **bare},
        {
            "name": "order placement POST /api/v1/market/orders",
            **common,
            **orders,
            "bare_rps": bare["rps"],
            "ratio": round(orders["rps"] / bare["rps"], 2),
            "orders_in_db": check["orders"],
            "stock_consistent": check["consistent"],
        },
    ]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-market-") as var:
        env = {**os.environ, "WANJIA_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
        env.pop("DEBUG", None)
        with _database(env) as env:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            load = os.getloadavg()[0]
            rows = _throughput(env, Path(var))
            rows += _child(env, "bags", str(BAGS))["rows"]
            for row in rows:
                row.update(cpus=os.cpu_count(), loadavg=f"{load:.1f}->{os.getloadavg()[0]:.1f}")
            return rows


# --- in the gunicorn workers: the API plus the bare endpoint ------------------------------


def wsgi():
    """The site's URLs plus ``POST /bench/ping``: the same ninja stack and
    bearer auth as the order endpoint, and one INSERT."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanjia.settings")
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.bench_market"
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


# --- in a child process, against the bench database ----------------------------------------


def _setup(count: int) -> dict:
    """A market serving one compound of ``count`` households, each with a
    resident who has a bearer token, and a window with plenty of stock."""
    from django.db import connection

    from wanjia.core.models import ApiToken, Membership, ScopeType, User
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_compound, make_user
    from wanjia.market.testing import make_market, open_window

    with connection.cursor() as cursor:
        serial = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_ping (id {serial} PRIMARY KEY, user_id BIGINT)"
        )
    floors = max(1, -(-count // 200))
    compound = make_compound("压测苑", buildings=20, floors=floors, rooms_per_floor=10)
    manager = grant(make_user("bench_manager"), Role.COMPOUND_MANAGER, compound)
    kit = make_market(manager=manager, compound=compound)
    window = open_window(kit, manager=manager, stock=1_000_000, limit=3, closes_at=None)
    homes = list(compound.households.order_by("id")[:count])
    users = User.objects.bulk_create([User(username=f"b{h.pk}", password="!") for h in homes])
    Membership.objects.bulk_create(
        [
            Membership(
                user=u,
                role=Role.RESIDENT,
                scope_type=ScopeType.HOUSEHOLD,
                household=h,
                compound_id=h.compound_id,
                building_id=h.building_id,
            )
            for u, h in zip(users, homes, strict=True)
        ]
    )
    keys = [f"bench-{u.pk}-0123456789abcdef" for u in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, key_hash=ApiToken.hash_key(k), prefix=k[:8])
            for u, k in zip(users, keys, strict=True)
        ]
    )
    return {
        "window": window.pk,
        "offers": [o.pk for o in kit.offers.values()],
        "buyers": [[k, h.pk] for k, h in zip(keys, homes, strict=True)],
    }


def _check(window_id: int) -> dict:
    from django.db.models import Sum

    from wanjia.market.models import Offer, Order, OrderLine, OrderStatus

    consistent = all(
        (
            OrderLine.objects.filter(offer=o, order__status=OrderStatus.PLACED).aggregate(
                s=Sum("qty")
            )["s"]
            or 0
        )
        + o.stock_left
        == o.stock
        for o in Offer.objects.filter(window_id=window_id)
    )
    return {"orders": Order.objects.filter(window_id=window_id).count(), "consistent": consistent}


def _bulk_orders(kit, window, homes, rng) -> None:
    """``len(homes)`` orders written in bulk with the values the services
    compute (placing 5,000 through HTTP is what part 1 measures)."""
    from django.db.models import F

    from wanjia.market.models import Offer, Order, OrderLine

    offers = list(kit.offers.values())
    orders = Order.objects.bulk_create(
        [
            Order(
                window=window,
                household=h,
                compound_id=h.compound_id,
                building_id=h.building_id,
                code=f"B{n:07d}",
                placed_by=None,
            )
            for n, h in enumerate(homes)
        ],
        batch_size=1000,
    )
    lines, taken = [], {}
    for order in orders:
        for offer in rng.sample(offers, rng.randint(1, 4)):
            qty = rng.randint(1, 3)
            lines.append(
                OrderLine(
                    order=order,
                    offer=offer,
                    qty=qty,
                    qty_filled=qty,
                    unit_price=offer.price,
                    amount=offer.price * qty,
                )
            )
            taken[offer.pk] = taken.get(offer.pk, 0) + qty
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    totals = {}
    for ln in lines:
        totals[ln.order_id] = totals.get(ln.order_id, 0) + ln.amount
    for order in orders:
        order.total = totals[order.pk]
    Order.objects.bulk_update(orders, ["total"], batch_size=1000)
    for pk, qty in taken.items():
        Offer.objects.filter(pk=pk).update(stock_left=F("stock_left") - qty)


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - started, 2)


def _bags(count: int) -> dict:
    import itertools
    import random
    from datetime import datetime
    from datetime import time as dtime
    from decimal import Decimal

    import time_machine
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from wanjia.core.roles import Role
    from wanjia.estates import testing
    from wanjia.estates.testing import grant, make_compound, make_user
    from wanjia.market import services
    from wanjia.market.models import PurchaseLine
    from wanjia.market.testing import make_market, open_window
    from wanjia.market.views import floor

    # make_compound numbers codes from a per-process counter: start past the
    # setup child's numbers, which are in the same database.
    testing._seq = itertools.count(100_000)
    compound = make_compound("五千户", buildings=25, floors=-(-count // 250), rooms_per_floor=10)
    manager = grant(make_user("bag_manager"), Role.COMPOUND_MANAGER, compound)
    kit = make_market(manager=manager, compound=compound)
    window = open_window(kit, manager=manager, stock=1_000_000, limit=3)
    homes = list(compound.households.order_by("id")[:count])
    _bulk_orders(kit, window, homes, random.Random("bench-market"))
    _ok, cutoff_s = _timed(lambda: services.window_close(actor=manager, window=window))
    window.refresh_from_db()
    dawn = timezone.make_aware(datetime.combine(window.delivery_date, dtime(5, 0)))
    with time_machine.travel(dawn, tick=True):
        for n, line in enumerate(
            PurchaseLine.objects.filter(purchase_order__window=window).select_related("item")
        ):
            short = line.demand_qty * Decimal("0.9") if n % 3 == 0 else line.order_qty
            services.receive_line(
                actor=manager, line=line, received_qty=short.quantize(Decimal("1"))
            )
        result, receive_s = _timed(lambda: services.receiving_finish(actor=manager, window=window))
    rf = RequestFactory()

    def view(fn, name):
        request = rf.get(f"/console/market/w/{window.pk}/{name}/")
        request.user = manager
        request.htmx = False
        response, seconds = _timed(lambda: fn(request, window.pk))
        assert response.status_code == 200, response.status_code
        return seconds, len(response.content)

    picks_s, picks_bytes = view(floor.picklists, "picklists")
    labels_s, labels_bytes = view(floor.labels, "labels")
    xlsx_s, xlsx_bytes = view(floor.bags_xlsx, "bags.xlsx")
    db = connection.vendor
    return {
        "rows": [
            {
                "name": f"cutoff: close + purchase orders for {count} orders",
                "orders": count,
                "seconds": cutoff_s,
                "db": db,
            },
            {
                "name": f"receiving finish: shortage shared pro rata over {count} orders",
                "orders": count,
                "orders_adjusted": result["orders_adjusted"],
                "seconds": receive_s,
                "db": db,
            },
            {
                "name": f"pick lists A4 page for {count} bags",
                "bags": count,
                "seconds": picks_s,
                "kb": picks_bytes // 1024,
                "db": db,
            },
            {
                "name": f"labels A4 page with {count} QR codes",
                "bags": count,
                "seconds": labels_s,
                "kb": labels_bytes // 1024,
                "ms_per_label": round(labels_s * 1000 / count, 2),
                "db": db,
            },
            {
                "name": f"bags Excel export ({count} rows)",
                "bags": count,
                "seconds": xlsx_s,
                "kb": xlsx_bytes // 1024,
                "db": db,
            },
        ]
    }


def _main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanjia.settings")
    import django

    django.setup()
    command, arg = argv[0], int(argv[1])
    result = {"setup": _setup, "check": _check, "bags": _bags}[command](arg)
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
