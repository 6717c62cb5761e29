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
``BENCH_MARKET_ORDERS`` per kind (1500), ``BENCH_MARKET_BAGS`` (5000); the
server's knobs are in :mod:`bench.harness`."""

import json
import os
import tempfile
import time
from pathlib import Path

from bench import harness

MODULE = "bench_market"
CLIENTS = int(os.environ.get("BENCH_MARKET_CLIENTS", "50"))
ORDERS = int(os.environ.get("BENCH_MARKET_ORDERS", "1500"))
BAGS = int(os.environ.get("BENCH_MARKET_BAGS", "5000"))


# --- in the parent: databases, server, clients -----------------------------------------


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
    return harness.bare_jobs([k for k, _h in setup["buyers"]], count)


def _throughput(env: dict, var: Path) -> list[dict]:
    warm = CLIENTS * 2
    setup = harness.child(MODULE, env, "setup", str(ORDERS + warm))
    with harness.server(env, var / "gunicorn.log") as port:
        harness.fire(port, _bare_jobs(setup, warm), CLIENTS)  # every worker up and connected
        harness.fire(port, _order_jobs(setup, 0, warm), CLIENTS)
        bare = harness.fire(port, _bare_jobs(setup, ORDERS), CLIENTS)
        orders = harness.fire(port, _order_jobs(setup, warm, ORDERS), CLIENTS)
    check = harness.child(MODULE, env, "check", str(setup["window"]))
    workers = f"{harness.WORKERS}x{harness.THREADS}"
    common = {"clients": CLIENTS, "workers": workers, "db": env["BENCH_DB"]}
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
        with harness.database(env, "bench_market") as env:
            harness.migrate(env)
            load = os.getloadavg()[0]
            rows = _throughput(env, Path(var))
            rows += harness.child(MODULE, env, "bags", str(BAGS))["rows"]
            for row in rows:
                row.update(cpus=os.cpu_count(), loadavg=f"{load:.1f}->{os.getloadavg()[0]:.1f}")
            return rows


# --- in a child process, against the bench database ----------------------------------------


def _setup(count: int) -> dict:
    """A market serving one compound of ``count`` households, each with a
    resident who has a bearer token, and a window with plenty of stock."""
    from django.utils import timezone

    from wanjia.core.models import ApiToken, Membership, ScopeType, User
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_compound, make_user
    from wanjia.market.testing import make_market, open_window

    harness.ping_table()
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
    # used just now: a token's first use is stamped (an UPDATE), and the bare
    # phase would pay that for most of its requests and the orders for few
    used = timezone.now()
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, key_hash=ApiToken.hash_key(k), prefix=k[:8], last_used_at=used)
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


if __name__ == "__main__":
    harness.child_main({"setup": _setup, "check": _check, "bags": _bags})
