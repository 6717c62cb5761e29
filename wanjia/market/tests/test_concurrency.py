"""Stock, limits and idempotency under real concurrency, on PostgreSQL.

Each buyer is a thread with its own database connection going through the
whole stack (bearer auth, Idempotency-Key, the conditional UPDATE on stock).
SQLite serializes every writer and ignores SELECT ... FOR UPDATE, so the races
these tests look for cannot happen there: they are skipped on SQLite, and CI
runs them against PostgreSQL (DATABASE_URL)."""

import json
import socket
import threading
import time
from collections import Counter
from decimal import Decimal
from urllib.parse import urlparse
from urllib.request import Request, urlopen

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from wanjia.core.models import ApiToken, Membership, ScopeType, User
from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_compound, make_user
from wanjia.market import services
from wanjia.market.models import Offer, Order, OrderLine, OrderStatus, PurchaseLine
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db(transaction=True)

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need PostgreSQL: SQLite serializes writers and ignores FOR UPDATE",
)
URL = "/api/v1/market/orders"


def _residents(compound, n: int) -> list[tuple[User, object, str]]:
    """n (user, household, bearer key) triples, one resident per household,
    created in bulk (hashing 200 passwords would dominate the test)."""
    homes = list(compound.households.order_by("id")[:n])
    users = User.objects.bulk_create([User(username=f"buyer{h.pk}", password="!") for h in homes])
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
    keys = [f"buyer-key-{u.pk}-secret" for u in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, key_hash=ApiToken.hash_key(k), prefix=k[:8])
            for u, k in zip(users, keys, strict=True)
        ]
    )
    return list(zip(users, homes, keys, strict=True))


def _run_threads(jobs, target):
    """Start every job at once (a barrier), each in its own thread and DB connection."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def work(i, job):
        try:
            barrier.wait(timeout=60)
            results[i] = target(job)
        except Exception as exc:  # keep it for the assertion message
            results[i] = ("exception", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def _post(key, payload, idem):
    client = Client(headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem})
    res = client.post(URL, json.dumps(payload), content_type="application/json")
    return res.status_code, res.json()


@pytest.fixture
def big(db):
    manager = make_user("mgr_big")
    compound = make_compound("千户苑", buildings=10, floors=10, rooms_per_floor=2)
    grant(manager, Role.COMPOUND_MANAGER, compound)
    kit = make_market(manager=manager, compound=compound)
    open_window(kit, manager=manager, names=["土豆", "西红柿"], stock=50, limit=3)
    return compound, kit, manager


@needs_postgres
def test_200_buyers_for_the_last_50_units(big):
    compound, kit, _manager = big
    offer = kit.offers["土豆"]
    buyers = _residents(compound, 200)
    payload = {
        "window": kit.window.pk,
        "lines": [{"offer": offer.pk, "qty": 1}],
        "fulfilment": "door",
    }
    watching, lows = True, []

    def watch():  # stock is never seen below zero while the buyers run
        while watching:
            lows.append(
                Offer.objects.filter(pk=offer.pk).values_list("stock_left", flat=True).get()
            )
            time.sleep(0.005)
        connections.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    results = _run_threads(buyers, lambda b: _post(b[2], payload, f"order-{b[0].pk}"))
    watching = False
    watcher.join()

    codes = Counter(r[0] for r in results)
    assert codes == {201: 50, 409: 150}, codes
    for status, body in results:
        if status == 409:
            assert "库存不足" in body["detail"] and body["errors"][0]["field"] == "lines"
    accepted = {body["id"] for status, body in results if status == 201}
    assert (
        set(Order.objects.filter(status=OrderStatus.PLACED).values_list("id", flat=True))
        == accepted
    )
    assert OrderLine.objects.filter(offer=offer).aggregate(s=Sum("qty"))["s"] == 50
    assert Offer.objects.get(pk=offer.pk).stock_left == 0
    assert min(lows) >= 0


@needs_postgres
def test_one_household_racing_itself_gets_one_order_within_its_limit(big):
    compound, kit, _manager = big
    ((user, home, key),) = _residents(compound, 1)
    potato = kit.offers["土豆"]
    payload = {
        "window": kit.window.pk,
        "lines": [{"offer": potato.pk, "qty": 3}],
        "fulfilment": "door",
    }
    results = _run_threads(list(range(20)), lambda n: _post(key, payload, f"tap-{n}"))
    assert Counter(r[0] for r in results) == {201: 1, 409: 19}
    order = Order.objects.get(household=home)

    # 20 concurrent changes of that order: each stays within the limit, and the
    # stock moves by exactly the difference of the last one
    def change(n):
        client = Client(headers={"Authorization": f"Bearer {key}"})
        lines = [{"offer": potato.pk, "qty": 1 + n % 3}]
        return client.put(
            f"{URL}/{order.pk}", json.dumps({"lines": lines}), content_type="application/json"
        ).status_code

    assert set(_run_threads(list(range(20)), change)) == {200}
    line = order.lines.get()
    assert 1 <= line.qty <= 3
    assert Offer.objects.get(pk=potato.pk).stock_left == 50 - line.qty


@needs_postgres
def test_concurrent_retries_with_one_key_make_one_order(big):
    compound, kit, _manager = big
    ((user, home, key),) = _residents(compound, 1)
    payload = {
        "window": kit.window.pk,
        "lines": [{"offer": kit.offers["西红柿"].pk, "qty": 2}],
        "fulfilment": "door",
    }
    results = _run_threads(list(range(10)), lambda _n: _post(key, payload, "the-same-key"))
    assert {r[0] for r in results} == {201}, results
    assert len({r[1]["id"] for r in results}) == 1
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=kit.offers["西红柿"].pk).stock_left == 48


@needs_postgres
def test_no_order_slips_past_the_cutoff(big):
    """Buyers keep ordering while the manager closes the window: every order
    that committed is in the purchase orders, every later one was refused."""
    compound, kit, manager = big
    buyers = _residents(compound, 60)
    potato = kit.offers["土豆"]
    Offer.objects.filter(pk=potato.pk).update(stock=500, stock_left=500)
    payload = {
        "window": kit.window.pk,
        "lines": [{"offer": potato.pk, "qty": 1}],
        "fulfilment": "door",
    }

    def job(b):
        if b == "close":
            time.sleep(0.02)
            return ("closed", services.window_close(actor=manager, window=kit.window))
        return _post(b[2], payload, "k")

    results = _run_threads([*buyers, "close"], job)
    assert ("closed", True) in results
    codes = Counter(r[0] for r in results if r[0] != "closed")
    assert set(codes) <= {201, 409}, results
    ordered = (
        OrderLine.objects.filter(offer=potato, order__status=OrderStatus.PLACED).aggregate(
            s=Sum("qty")
        )["s"]
        or 0
    )
    assert ordered == codes[201]
    demand = PurchaseLine.objects.filter(
        purchase_order__window=kit.window, item=potato.item
    ).aggregate(s=Sum("demand_qty"))["s"] or Decimal(0)
    assert demand == ordered


def test_a_retry_after_a_dropped_connection_creates_one_order(live_server, big):
    """The client sends the order and hangs up before reading the answer; the
    retry with the same key gets the order that was made, not a second one."""
    compound, kit, _manager = big
    ((user, home, key),) = _residents(compound, 1)
    payload = json.dumps(
        {
            "window": kit.window.pk,
            "lines": [{"offer": kit.offers["土豆"].pk, "qty": 2}],
            "fulfilment": "door",
        }
    ).encode()
    url = urlparse(live_server.url)
    raw = (
        f"POST {URL} HTTP/1.1\r\nHost: {url.hostname}\r\nAuthorization: Bearer {key}\r\n"
        f"Idempotency-Key: dropped-1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode() + payload
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)  # hang up without reading the answer
    deadline = time.monotonic() + 20
    while not Order.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    first = Order.objects.get()
    retry = Request(
        live_server.url + URL,
        data=payload,
        headers={
            "Authorization": f"Bearer {key}",
            "Idempotency-Key": "dropped-1",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urlopen(retry, timeout=20) as res:  # noqa: S310 (our own live server)
        assert res.status == 201
        assert res.headers["Idempotent-Replayed"] == "true"
        assert json.loads(res.read())["id"] == first.pk
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=kit.offers["土豆"].pk).stock_left == 48


@needs_postgres
def test_two_offer_orders_in_both_line_orders_neither_deadlock_nor_oversell(big):
    """60 households at once, each ordering the same two offers, half listing
    them one way round and half the other: the stock is taken in offer order
    whatever the lines' order, so no two orders wait on each other (a
    deadlock would answer 500), and no offer sells past its stock."""
    compound, kit, _manager = big
    a, b = kit.offers["土豆"], kit.offers["西红柿"]
    buyers = _residents(compound, 60)

    def order(buyer):
        pair = [{"offer": a.pk, "qty": 1}, {"offer": b.pk, "qty": 1}]
        if buyer[0].pk % 2:
            pair.reverse()
        payload = {"window": kit.window.pk, "lines": pair, "fulfilment": "door"}
        return _post(buyer[2], payload, f"pair-{buyer[0].pk}")

    results = _run_threads(buyers, order)
    codes = Counter(r[0] for r in results)
    assert codes == {201: 50, 409: 10}, results
    assert Offer.objects.get(pk=a.pk).stock_left == 0
    assert Offer.objects.get(pk=b.pk).stock_left == 0
    assert (
        OrderLine.objects.filter(offer=a).count() == 50 == OrderLine.objects.filter(offer=b).count()
    )
