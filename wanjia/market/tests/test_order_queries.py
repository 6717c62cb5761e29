"""What placing an order costs the database, and that the cheaper path keeps
its promises: a refused second order leaves the caller's transaction usable
(no savepoint of its own around the INSERT any more)."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wanjia.core.models import IdempotencyKey
from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user
from wanjia.market import services
from wanjia.market.errors import Conflict
from wanjia.market.models import Offer, Order
from wanjia.market.services import LineIn

pytestmark = pytest.mark.django_db

URL = "/api/v1/market/orders"


def _post(client, kit, key, **qty):
    data = {
        "window": kit.window.pk,
        "lines": [{"offer": kit.offers[name].pk, "qty": q} for name, q in qty.items()],
        "fulfilment": "door",
    }
    return client.post(
        URL, json.dumps(data), content_type="application/json", headers={"Idempotency-Key": key}
    )


def test_an_order_through_the_api_is_one_write_statement_on_postgresql(world, kit, api):
    client = api(world.resident_a)
    client.get("/api/v1/market/windows")  # the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as placed:
        res = _post(client, kit, "q-1", 鸡蛋=1, 青椒=2)
    assert res.status_code == 201, res.content
    sql = [q["sql"] for q in placed.captured_queries]
    writes = [s for s in sql if not s.startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    # the token, then the window with the caller's home and the wanted offers
    assert len([s for s in sql if s.startswith("SELECT")]) == 2, "\n".join(sql)
    if connection.vendor == "postgresql":
        # token with its memberships; the window with the household and the
        # offers; then one statement: each offer's stock in offer order, the
        # order, its lines, its audit entry, the key with its answer (no
        # transaction around it: the savepoint is the test's own)
        assert len(sql) == 5, "\n".join(sql)
        assert writes == [writes[0]] and writes[0].startswith("WITH s0 AS (UPDATE")
        offers = sorted([kit.offers["鸡蛋"].pk, kit.offers["青椒"].pk])
        assert writes[0].index(f"id = {offers[0]} ") < writes[0].index(f"id = {offers[1]} ")
    else:
        # the same, the ORM's way: claim, the service's savepoint, order,
        # lines, audit, release, stored answer, then the stock
        assert len(sql) == 13, "\n".join(sql)
        assert writes[-3].startswith('UPDATE "core_idempotencykey"'), "\n".join(sql)
        assert writes[-1].startswith('UPDATE "market_offer"'), "\n".join(sql)
    order = Order.objects.get(pk=res.json()["id"])
    assert order.code == res.json()["code"] and order.lines.count() == 2
    assert (
        Offer.objects.get(pk=kit.offers["青椒"].pk).stock_left == kit.offers["青椒"].stock_left - 2
    )
    kept = IdempotencyKey.objects.get(user=world.resident_a, key="q-1")
    assert kept.status_code == 201 and kept.response["id"] == order.pk
    with CaptureQueriesContext(connection) as replayed:
        again = _post(client, kit, "q-1", 鸡蛋=1, 青椒=2)
    assert again.status_code == 201 and again.json() == res.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.filter(household=world.home).count() == 1
    assert len(replayed.captured_queries) <= 8


def test_a_refused_second_order_leaves_the_callers_transaction_usable(world, kit):
    """The demo loader places many orders in one transaction and skips the
    refused ones; on PostgreSQL a failed INSERT would poison the transaction
    unless the service rolls back to its own savepoint before asking why."""
    eggs = kit.offers["鸡蛋"]
    neighbour = grant(make_user(display_name="邻居"), Role.RESIDENT, world.other_home)
    with transaction.atomic():
        services.order_place(
            actor=world.resident_a,
            window=kit.window,
            household=world.home,
            lines=[LineIn(eggs.pk, 1)],
        )
        with pytest.raises(Conflict, match="已有订单"):
            services.order_place(
                actor=world.resident_a,
                window=kit.window,
                household=world.home,
                lines=[LineIn(eggs.pk, 2)],
            )
        services.order_place(
            actor=neighbour,
            window=kit.window,
            household=world.other_home,
            lines=[LineIn(eggs.pk, 3)],
        )
    assert Order.objects.filter(window=kit.window).count() == 2
    assert Offer.objects.get(pk=eggs.pk).stock_left == eggs.stock - 4


def test_a_basket_that_sells_out_last_keeps_nothing_and_may_be_retried(world, kit, api):
    """The stock is taken after the answer is stored: when it runs out there,
    the stored answer, the order, its lines and the other offers' stock all
    roll back, and the same key succeeds once stock is back."""
    client = api(world.resident_a)
    eggs = kit.offers["鸡蛋"]
    name, other = next((n, o) for n, o in kit.offers.items() if n != "鸡蛋")
    Offer.objects.filter(pk=eggs.pk).update(stock_left=0)
    res = _post(client, kit, "sold-out-1", **{"鸡蛋": 1, name: 1})
    assert res.status_code == 409, res.content
    assert not Order.objects.filter(window=kit.window).exists()
    assert not IdempotencyKey.objects.filter(key="sold-out-1").exists()
    assert Offer.objects.get(pk=other.pk).stock_left == other.stock
    Offer.objects.filter(pk=eggs.pk).update(stock_left=5)
    again = _post(client, kit, "sold-out-1", **{"鸡蛋": 1, name: 1})
    assert again.status_code == 201, again.content
    assert "Idempotent-Replayed" not in again.headers
    assert Offer.objects.get(pk=eggs.pk).stock_left == 4
    assert Offer.objects.get(pk=other.pk).stock_left == other.stock - 1
