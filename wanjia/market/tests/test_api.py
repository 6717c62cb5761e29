"""The market API: shapes other programs rely on, Idempotency-Key, and the
permission matrix (resident of A, manager of A, outsider B → 404, wrong role → 403)."""

import json
from datetime import timedelta

import pytest
import time_machine

from wanjia.core.models import IdempotencyKey
from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user
from wanjia.market import services
from wanjia.market.models import Offer, Order, OrderStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/market"


def body(kit, **qty):
    return {
        "window": kit.window.pk,
        "lines": [{"offer": kit.offers[name].pk, "qty": q} for name, q in qty.items()],
        "fulfilment": "door",
    }


def post(client, data, key="k-1", **extra):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"{URL}/orders", json.dumps(data), content_type="application/json", headers=headers, **extra
    )


def test_windows_list_shape(world, kit, api):
    res = api(world.resident_a).get(f"{URL}/windows", {"compound": world.a.pk})
    assert res.status_code == 200
    data = res.json()
    assert data["count"] == 1 and len(data["items"]) == 1
    window = data["items"][0]
    assert {"id", "market", "opens_at", "closes_at", "status", "offers"} <= set(window)
    assert window["status"] == "open" and window["market"] == kit.market.pk
    offer = next(o for o in window["offers"] if o["name"] == "大白菜")
    assert {
        "id",
        "name",
        "unit",
        "price",
        "reference_price",
        "stock_left",
        "limit_per_household",
    } <= set(offer)
    assert offer["price"] == str(kit.offers["大白菜"].price) and offer["stock_left"] == 100


def test_windows_of_another_compound_are_404_and_drafts_hidden(world, kit, api):
    assert api(world.outsider_b).get(f"{URL}/windows", {"compound": world.a.pk}).status_code == 404
    assert api(world.outsider_b).get(f"{URL}/windows").json()["count"] == 0
    assert api(world.outsider_b).get(f"{URL}/windows/{kit.window.pk}").status_code == 404
    from wanjia.market.testing import open_window

    draft = open_window(kit, manager=world.manager_a, publish=False, title="草稿")
    resident_ids = [w["id"] for w in api(world.resident_a).get(f"{URL}/windows").json()["items"]]
    manager_ids = [w["id"] for w in api(world.manager_a).get(f"{URL}/windows").json()["items"]]
    assert draft.pk not in resident_ids and draft.pk in manager_ids


def test_place_order_201_shape_and_stock(world, kit, api):
    res = post(api(world.resident_a), body(kit, 家常蔬菜包=1, 鸡蛋=2))
    assert res.status_code == 201, res.content
    data = res.json()
    assert {"id", "status", "total", "lines"} <= set(data)
    assert data["status"] == "placed"
    bundle, eggs = kit.offers["家常蔬菜包"], kit.offers["鸡蛋"]
    assert data["total"] == str(bundle.price + eggs.price * 2)
    assert [(ln["offer"], ln["qty"]) for ln in data["lines"]] == sorted(
        [(bundle.pk, 1), (eggs.pk, 2)]
    )
    assert Offer.objects.get(pk=eggs.pk).stock_left == 98


def test_missing_idempotency_key_is_400_and_creates_nothing(world, kit, api):
    res = post(api(world.resident_a), body(kit, 土豆=1), key=None)
    assert res.status_code == 400
    assert res.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Order.objects.exists()
    assert post(api(world.resident_a), body(kit, 土豆=1), key=" ").status_code == 400


def test_same_key_same_body_returns_the_first_response(world, kit, api):
    client = api(world.resident_a)
    first = post(client, body(kit, 土豆=2), key="abc-123")
    again = post(client, body(kit, 土豆=2), key="abc-123")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=kit.offers["土豆"].pk).stock_left == 98


def test_same_key_different_body_is_422(world, kit, api):
    client = api(world.resident_a)
    assert post(client, body(kit, 土豆=2), key="abc").status_code == 201
    res = post(client, body(kit, 土豆=3), key="abc")
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Order.objects.get().lines.get().qty == 2


def test_a_refused_attempt_is_not_remembered(world, kit, api):
    client = api(world.resident_a)
    Offer.objects.filter(pk=kit.offers["土豆"].pk).update(stock=1, stock_left=1)
    res = post(client, body(kit, 土豆=2), key="retry-me")
    assert res.status_code == 409
    assert "仅剩 1" in res.json()["detail"]
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()
    Offer.objects.filter(pk=kit.offers["土豆"].pk).update(stock=5, stock_left=5)
    assert post(client, body(kit, 土豆=2), key="retry-me").status_code == 201


def test_the_same_key_of_another_user_is_another_request(world, kit, api):
    other = grant(make_user(), Role.RESIDENT, world.other_home)
    assert post(api(world.resident_a), body(kit, 土豆=1), key="same").status_code == 201
    assert post(api(other), body(kit, 土豆=1), key="same").status_code == 201
    assert Order.objects.count() == 2


def test_conflicts_are_409(world, kit, api):
    client = api(world.resident_a)
    assert post(client, body(kit, 土豆=1), key="a").status_code == 201
    res = post(client, body(kit, 土豆=1), key="b")  # the household already has an order
    assert res.status_code == 409 and "已有订单" in res.json()["detail"]
    with time_machine.travel(kit.window.closes_at + timedelta(minutes=1)):
        other = grant(make_user(), Role.RESIDENT, world.other_home)
        res = post(api(other), body(kit, 土豆=1), key="late")
        assert res.status_code == 409 and "截单" in res.json()["detail"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"offer": 1, "qty": 0}]}, "lines.0.qty"),
        ({"fulfilment": "drone"}, "fulfilment"),
        ({"window": "x"}, "window"),
    ],
)
def test_bad_input_is_422_with_the_field(world, kit, api, payload, field):
    data = {**body(kit, 土豆=1), **payload}
    res = post(api(world.resident_a), data)
    assert res.status_code == 422
    assert any(e["field"] == field for e in res.json()["errors"]), res.json()
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"window": 0}, "window"),
        ({"window": 2**63}, "window"),
        ({"lines": [{"offer": True, "qty": 1}]}, "lines.0.offer"),  # not read as offer 1
        ({"lines": [{"offer": 1, "qty": True}]}, "lines.0.qty"),
        ({"lines": [[]]}, "lines.0"),
        ({"note": "多" * 201}, "note"),
        ({"note": "放门口\x00"}, "note"),
    ],
)
def test_schema_violating_order_is_422_and_places_nothing(world, kit, api, payload, field):
    res = post(api(world.resident_a), {**body(kit, 土豆=1), **payload})
    assert res.status_code == 422
    assert any(e["field"].startswith(field) for e in res.json()["errors"]), res.json()
    assert not Order.objects.exists()


def test_a_body_that_is_not_an_object_is_422(world, kit, api):
    res = post(api(world.resident_a), [body(kit, 土豆=1)])
    assert res.status_code == 422 and not Order.objects.exists()


def test_over_the_limit_is_422_on_the_line(world, kit, api):
    res = post(api(world.resident_a), body(kit, 土豆=4))
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "lines.0.qty"


def test_order_permission_matrix(world, kit, api):
    order_id = post(api(world.resident_a), body(kit, 土豆=1)).json()["id"]
    url = f"{URL}/orders/{order_id}"
    assert api(world.resident_a).get(url).status_code == 200
    assert api(world.manager_a).get(url).status_code == 200
    assert api(world.leader_a).get(url).status_code == 200  # building leader of that building
    assert api(world.outsider_b).get(url).status_code == 404
    neighbour = grant(make_user(), Role.RESIDENT, world.other_home)
    assert api(neighbour).get(url).status_code == 404
    assert api(world.regulator).get(url).status_code == 404
    assert api(world.outsider_b).post(f"{url}/cancel").status_code == 404
    assert api(neighbour).post(f"{url}/cancel").status_code == 404
    assert Order.objects.get(pk=order_id).status == OrderStatus.PLACED


def test_wrong_role_is_403_and_changes_nothing(world, kit, api):
    # a volunteer of A sees the window but has no household to order for
    res = post(api(world.volunteer_a), body(kit, 土豆=1))
    assert res.status_code == 403
    # the secretary of A can see the order but may not cancel it for the household
    order_id = post(api(world.resident_a), body(kit, 土豆=1)).json()["id"]
    assert api(world.secretary_a).get(f"{URL}/orders/{order_id}").status_code == 200
    assert api(world.secretary_a).post(f"{URL}/orders/{order_id}/cancel").status_code == 403
    assert Order.objects.get(pk=order_id).status == OrderStatus.PLACED
    assert Order.objects.count() == 1


def test_staff_order_for_a_household_and_cancel(world, kit, api):
    data = {**body(kit, 土豆=1), "household": world.other_home.pk}
    res = post(api(world.staff_a), data, key="behalf")
    assert res.status_code == 201 and res.json()["on_behalf"] is True
    assert (
        post(api(world.outsider_b), {**data, "household": world.other_home.pk}, key="x").status_code
        == 404
    )
    res = api(world.staff_a).post(f"{URL}/orders/{res.json()['id']}/cancel")
    assert res.status_code == 200 and res.json()["status"] == "cancelled"
    assert Offer.objects.get(pk=kit.offers["土豆"].pk).stock_left == 100


def test_staff_without_household_must_name_one(world, kit, api):
    res = post(api(world.manager_a), body(kit, 土豆=1))
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "household"


def test_change_and_list_my_orders(world, kit, api):
    client = api(world.resident_a)
    order_id = post(client, body(kit, 土豆=1)).json()["id"]
    res = client.put(
        f"{URL}/orders/{order_id}",
        json.dumps({"lines": [{"offer": kit.offers["苹果"].pk, "qty": 2}], "fulfilment": "door"}),
        content_type="application/json",
    )
    assert res.status_code == 200 and res.json()["lines"][0]["qty"] == 2
    mine = client.get(f"{URL}/orders").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == order_id
    assert api(world.manager_a).get(f"{URL}/orders").json()["count"] == 0


def test_unauthenticated_is_401(kit, client):
    assert client.get(f"{URL}/windows").status_code == 401


def test_lists_page_with_bounded_paging(world, kit, api):
    from wanjia.market.testing import open_window

    open_window(kit, manager=world.manager_a, title="第二期")
    client = api(world.manager_a)
    first = client.get(f"{URL}/windows", {"limit": 1}).json()
    second = client.get(f"{URL}/windows", {"limit": 1, "offset": 1}).json()
    assert first["count"] == second["count"] == 2
    assert [w["id"] for w in first["items"] + second["items"]] == [
        w["id"] for w in client.get(f"{URL}/windows").json()["items"]
    ]
    for query in ({"limit": 0}, {"limit": 201}, {"offset": 10**9 + 1}, {"compound": 0}):
        assert client.get(f"{URL}/windows", query).status_code == 422, query
    for query in ({"window": 0}, {"window": 2**63}, {"limit": 201}):
        assert client.get(f"{URL}/orders", query).status_code == 422, query
    assert client.get(f"{URL}/orders/{2**63}").status_code == 422


MARKER = "unit_cost=8.88"


@pytest.mark.parametrize(
    "payload",
    [
        {"slot": {"unit_cost": MARKER, "price": 8.88}},
        {"slot": [MARKER]},
        {"fulfilment": MARKER},
        {"lines": [{"offer": {"unit_cost": MARKER}, "qty": 1}]},
        {"note": MARKER * 30},
    ],
)
def test_a_422_never_echoes_what_was_sent(world, kit, api, payload):
    """Errors carry only the field and a message: neither the rejected value nor
    anything built from it (pydantic's ``input``/``msg``)."""
    res = post(api(world.resident_a), {**body(kit, 土豆=1), **payload})
    assert res.status_code == 422
    text = res.content.decode()
    assert MARKER not in text and "8.88" not in text and "input" not in text
    assert all(set(e) == {"field", "message"} for e in res.json()["errors"])


def test_a_422_message_takes_only_numeric_limits_from_the_error():
    from wanjia.api import _message

    assert "200" in _message({"type": "string_too_long", "ctx": {"max_length": 200}})
    leaky = {"type": "string_too_long", "ctx": {"max_length": "cost ¥2.35"}}
    assert "2.35" not in _message(leaky)


def test_a_short_second_line_takes_nothing_and_names_the_offer(world, kit, api):
    """Stock is taken offer by offer inside the order's one write (PostgreSQL):
    a later line that runs short leaves the earlier lines' stock untouched."""
    potatoes, eggs = kit.offers["土豆"], kit.offers["鸡蛋"]
    first, second = sorted([potatoes, eggs], key=lambda o: o.pk)
    Offer.objects.filter(pk=second.pk).update(stock_left=1)
    data = {
        "window": kit.window.pk,
        "lines": [{"offer": first.pk, "qty": 1}, {"offer": second.pk, "qty": 2}],
        "fulfilment": "door",
    }
    res = post(api(world.resident_a), data, key="two-lines")
    assert res.status_code == 409, res.content
    assert second.item.name in res.json()["detail"] and "仅剩 1" in res.json()["detail"]
    assert Offer.objects.get(pk=first.pk).stock_left == first.stock_left
    assert Offer.objects.get(pk=second.pk).stock_left == 1
    assert not Order.objects.exists()
    assert not IdempotencyKey.objects.filter(key="two-lines").exists()


def test_a_full_pickup_time_takes_no_stock(world, kit, api):
    start = kit.window.closes_at + timedelta(hours=9)
    slot = services.slot_add(
        actor=world.manager_a,
        window=kit.window,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        capacity=1,
    )
    pickup = {**body(kit, 土豆=1), "fulfilment": "pickup", "slot": slot.pk}
    assert post(api(world.resident_a), pickup, key="p-1").status_code == 201
    other = grant(make_user(), Role.RESIDENT, world.other_home)
    res = post(api(other), pickup, key="p-2")
    assert res.status_code == 409 and "约满" in res.json()["detail"]
    assert res.json()["errors"][0]["field"] == "slot"
    assert (
        Offer.objects.get(pk=kit.offers["土豆"].pk).stock_left == kit.offers["土豆"].stock_left - 1
    )
    assert Order.objects.count() == 1
