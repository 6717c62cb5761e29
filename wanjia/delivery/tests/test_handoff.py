"""The hand-off at the door: by pickup code or by the bag's QR label, once,
with the household told the time; refusals change nothing."""

import threading
from datetime import datetime, time
from io import BytesIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone
from PIL import Image

from wanjia.core.models import AuditLog, Notification
from wanjia.delivery import services
from wanjia.delivery.codes import pickup_code
from wanjia.delivery.models import Delivery, DeliveryStatus, Method
from wanjia.delivery.services.handoff import PHOTO_EDGE, WRONG_CODE_LIMIT
from wanjia.delivery.testing import post_courier, sorted_window
from wanjia.market.errors import Conflict
from wanjia.market.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache_and_media(settings, tmp_path):
    """Wrong-code counts live in the cache and photos on disk: keep both to this test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"dapi-{tmp_path.name}",
        }
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _no_sizing(monkeypatch):
    """The courier-count questions take most of a plan's time and are
    tested with planning; a hand-off needs only the routes."""
    from wanjia.delivery.services import planning

    monkeypatch.setattr(planning, "_sizing", lambda *args, **kwargs: {})


def make_run(world):
    """A sorted window planned for one courier, staff_a (who has an account)."""
    kit = sorted_window(world)
    courier = post_courier(world, kit, user=world.staff_a, name="赵师傅")
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=[courier], seconds=1
    )
    services.plan_run(plan.pk)
    plan.refresh_from_db()
    assert plan.served_bags == plan.bags
    return SimpleNamespace(kit=kit, courier=courier, plan=plan)


@pytest.fixture
def run(world):
    return make_run(world)


def bag(run, household) -> Delivery:
    return Delivery.objects.select_related("order", "stop__route__courier", "plan").get(
        plan=run.plan, order__household=household
    )


def at_door(run, hh=7, mm=12):
    day = run.kit.window.delivery_date
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(hh, mm))), tick=False)


def unchanged(delivery: Delivery) -> None:
    fresh = Delivery.objects.select_related("order").get(pk=delivery.pk)
    assert fresh.status == DeliveryStatus.PENDING and fresh.delivered_at is None
    assert fresh.order.handed_at is None and not fresh.photo
    assert not AuditLog.objects.filter(action="delivery.bag.delivered").exists()
    assert not Notification.objects.filter(kind="delivery.bag").exists()


def confirm(world, delivery, code=None, method=Method.CODE, actor=None, **kw):
    return services.delivery_confirm(
        actor=actor or world.staff_a,
        delivery=delivery,
        method=method,
        code=pickup_code(delivery.order.code) if code is None else code,
        **kw,
    )


# --- by pickup code ------------------------------------------------------------------


def test_the_right_pickup_code_delivers_and_tells_the_household_the_time(world, run):
    delivery = bag(run, world.home)
    with at_door(run, 7, 12):
        confirm(world, delivery)
        now = timezone.now()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.method == Method.CODE
    assert delivery.delivered_at == now and delivery.delivered_by == world.staff_a
    order = Order.objects.get(pk=delivery.order_id)
    assert order.handed_at == now and order.handed_by == world.staff_a
    note = Notification.objects.get(recipient=world.resident_a, kind="delivery.bag")
    assert "07:12" in note.body and delivery.order.code in note.body
    assert AuditLog.objects.filter(action="delivery.bag.delivered").count() == 1
    # Nobody else's bag moved.
    assert run.plan.deliveries.filter(status=DeliveryStatus.DELIVERED).count() == 1


def test_the_code_may_be_typed_with_spaces(world, run):
    delivery = bag(run, world.home)
    code = pickup_code(delivery.order.code)
    confirm(world, delivery, code=f" {code[:3]} {code[3:]} ")
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def test_full_width_or_arabic_indic_digits_are_the_same_code(world, run, api):
    """A phone keyboard may type １２３ or ١٢٣: the same number, never a 500
    (hmac.compare_digest refuses non-ASCII text)."""

    def typed(delivery, zero):
        return "".join(chr(zero + int(d)) for d in pickup_code(delivery.order.code))

    delivery, other = bag(run, world.home), bag(run, world.other_home)
    url = f"/api/v1/delivery/deliveries/{delivery.pk}/confirm"
    r = api(world.staff_a).post(url, {"method": "code", "code": "😀²"}, "application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "code"
    unchanged(delivery)
    r = api(world.staff_a).post(
        url, {"method": "code", "code": typed(delivery, 0xFF10)}, "application/json"
    )
    assert r.status_code == 200, r.content
    confirm(world, other, code=typed(other, 0x0660))
    delivered = Delivery.objects.filter(pk__in=[delivery.pk, other.pk], status="delivered")
    assert delivered.count() == 2


def test_a_wrong_code_is_a_field_error_and_changes_nothing(world, run):
    delivery = bag(run, world.home)
    with pytest.raises(ValidationError) as exc:
        confirm(world, delivery, code=wrong_code(delivery))
    assert list(exc.value.message_dict) == ["code"]
    unchanged(delivery)


def test_after_five_wrong_codes_even_the_right_one_is_refused(world, run):
    delivery = bag(run, world.home)
    for _ in range(WRONG_CODE_LIMIT):
        with pytest.raises(ValidationError):
            confirm(world, delivery, code=wrong_code(delivery))
    with pytest.raises(ValidationError) as exc:
        confirm(world, delivery)  # the right code
    assert "次数太多" in exc.value.message_dict["code"][0]
    unchanged(delivery)
    # The label still works: the lock guards guessing, not the bag.
    confirm(world, delivery, method=Method.QR, code=delivery.order.code)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def wrong_code(delivery) -> str:
    return f"{(int(pickup_code(delivery.order.code)) + 1) % 10**6:06d}"


def test_the_lock_is_per_bag(world, run):
    mine, other = bag(run, world.home), bag(run, world.other_home)
    for _ in range(WRONG_CODE_LIMIT):
        with pytest.raises(ValidationError):
            confirm(world, mine, code=wrong_code(mine))
    confirm(world, other)
    assert Delivery.objects.get(pk=other.pk).status == DeliveryStatus.DELIVERED


# --- by the bag's label --------------------------------------------------------------


@pytest.mark.parametrize(
    "scanned",
    [
        "https://wanjia.example/console/market/bag/{code}/",
        "/console/market/bag/{code}/?from=scan",
        "{code}",
        " {lower} ",
    ],
)
def test_a_scan_of_the_label_url_or_the_bare_code_delivers(world, run, scanned):
    delivery = bag(run, world.home)
    code = delivery.order.code
    confirm(world, delivery, method=Method.QR, code=scanned.format(code=code, lower=code.lower()))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.method == Method.QR


def test_a_scan_of_another_bags_label_is_refused(world, run):
    delivery, other = bag(run, world.home), bag(run, world.other_home)
    label = f"https://wanjia.example/console/market/bag/{other.order.code}/"
    with pytest.raises(ValidationError) as exc:
        confirm(world, delivery, method=Method.QR, code=label)
    assert list(exc.value.message_dict) == ["code"]
    unchanged(delivery)
    assert Delivery.objects.get(pk=other.pk).status == DeliveryStatus.PENDING


def test_deliveries_for_scan_finds_only_bags_on_the_actors_current_routes(world, run):
    delivery = bag(run, world.home)
    label = f"/console/market/bag/{delivery.order.code}/"
    assert list(services.deliveries_for_scan(world.staff_a, label)) == [delivery]
    assert not services.deliveries_for_scan(world.manager_a, label).exists()
    assert not services.deliveries_for_scan(world.staff_a, "NOSUCHBAG").exists()


def test_an_unknown_method_is_a_field_error(world, run):
    delivery = bag(run, world.home)
    with pytest.raises(ValidationError) as exc:
        confirm(world, delivery, method="telepathy")
    assert list(exc.value.message_dict) == ["method"]
    unchanged(delivery)


# --- once, and only by whom --------------------------------------------------------


def test_a_second_confirm_is_a_conflict_with_one_audit_entry(world, run):
    delivery = bag(run, world.home)
    confirm(world, delivery)
    with pytest.raises(Conflict):
        confirm(world, delivery)  # the same (now stale) instance: the conditional update refuses
    with pytest.raises(Conflict):
        confirm(world, bag(run, world.home))  # a fresh read: refused before anything
    assert AuditLog.objects.filter(action="delivery.bag.delivered").count() == 1
    assert Notification.objects.filter(kind="delivery.bag").count() == 1


def test_a_bag_not_yet_packed_is_a_conflict(world, run):
    delivery = bag(run, world.home)
    Order.objects.filter(pk=delivery.order_id).update(packed_at=None)
    with pytest.raises(Conflict):
        confirm(world, bag(run, world.home))
    unchanged(delivery)


def test_a_courier_not_on_the_route_is_refused(world, run):
    other = post_courier(world, run.kit, user=world.volunteer_a, name="孙志愿")
    assert other.user == world.volunteer_a
    delivery = bag(run, world.home)
    for user in (world.volunteer_a, world.resident_a, world.outsider_b, world.leader_a):
        with pytest.raises(PermissionDenied):
            confirm(world, delivery, actor=user)
    unchanged(delivery)


def test_the_markets_manager_may_stand_in_for_the_courier(world, run):
    delivery = bag(run, world.home)
    confirm(world, delivery, actor=world.manager_a)
    assert Delivery.objects.get(pk=delivery.pk).delivered_by == world.manager_a


def test_a_delivery_of_a_replaced_plan_is_a_conflict(world, run):
    old = bag(run, world.home)
    newer = services.plan_request(
        actor=world.manager_a, window=run.kit.window, couriers=[run.courier], seconds=1
    )
    services.plan_run(newer.pk)
    with pytest.raises(Conflict):
        confirm(world, bag(run, world.home))
    unchanged(old)
    fresh = Delivery.objects.select_related("order").get(plan=newer, order=old.order)
    confirm(world, fresh)
    assert Delivery.objects.get(pk=fresh.pk).status == DeliveryStatus.DELIVERED


# --- photo ---------------------------------------------------------------------------


def image_file(fmt: str, size=(2000, 1000), name="door.jpg") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photo_is_stored_downscaled(world, run, fmt):
    delivery = bag(run, world.home)
    confirm(world, delivery, photo=image_file(fmt))
    delivery.refresh_from_db()
    assert delivery.photo
    with Image.open(delivery.photo.path) as img:
        assert img.format == "JPEG" and max(img.size) == PHOTO_EDGE
        assert img.size == (PHOTO_EDGE, PHOTO_EDGE // 2)
    assert AuditLog.objects.get(action="delivery.bag.delivered").detail["photo"] is True


def test_a_small_photo_is_kept_at_its_size(world, run):
    delivery = bag(run, world.home)
    confirm(world, delivery, photo=image_file("PNG", size=(64, 48)))
    delivery.refresh_from_db()
    with Image.open(delivery.photo.path) as img:
        assert img.size == (64, 48)


def test_a_text_file_as_photo_is_a_field_error_and_changes_nothing(world, run):
    delivery = bag(run, world.home)
    text = SimpleUploadedFile("door.jpg", b"not a picture at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        confirm(world, delivery, photo=text)
    assert list(exc.value.message_dict) == ["photo"]
    unchanged(delivery)


# --- failed deliveries ---------------------------------------------------------------


def test_a_failed_delivery_keeps_the_reason_and_may_be_delivered_later(world, run):
    delivery = bag(run, world.home)
    services.delivery_fail(actor=world.staff_a, delivery=delivery, reason="nobody")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.fail_reason == "nobody"
    assert delivery.failed_at is not None
    assert Order.objects.get(pk=delivery.order_id).handed_at is None
    told = Notification.objects.get(recipient=world.resident_a, kind="delivery.bag")
    assert "暂未送达" in told.title
    confirm(world, delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.fail_reason == "" and delivery.failed_at is None
    assert Order.objects.get(pk=delivery.order_id).handed_at is not None


@pytest.mark.parametrize(
    "reason, note, field",
    [
        ("lost", "", "reason"),
        ("", "", "reason"),
        ("other", "  ", "note"),
        ("other", "x" * 201, "note"),
    ],
)
def test_fail_needs_a_known_reason_and_a_note_for_other(world, run, reason, note, field):
    delivery = bag(run, world.home)
    with pytest.raises(ValidationError) as exc:
        services.delivery_fail(actor=world.staff_a, delivery=delivery, reason=reason, note=note)
    assert list(exc.value.message_dict) == [field]
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING
    assert not AuditLog.objects.filter(action="delivery.bag.failed").exists()


def test_other_with_a_note_is_recorded(world, run):
    delivery = bag(run, world.home)
    services.delivery_fail(actor=world.staff_a, delivery=delivery, reason="other", note="门口有狗")
    assert Delivery.objects.get(pk=delivery.pk).fail_note == "门口有狗"


def test_a_delivered_bag_cannot_be_marked_failed(world, run):
    delivery = bag(run, world.home)
    confirm(world, delivery)
    with pytest.raises(Conflict):
        services.delivery_fail(actor=world.staff_a, delivery=bag(run, world.home), reason="nobody")
    with pytest.raises(Conflict):  # a stale read: the conditional update refuses
        services.delivery_fail(actor=world.staff_a, delivery=delivery, reason="nobody")
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
    assert not AuditLog.objects.filter(action="delivery.bag.failed").exists()


# --- a race, on PostgreSQL -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need PostgreSQL: SQLite serializes writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_couriers_confirming_one_bag_at_once_deliver_it_once(world):
    run = make_run(world)
    pk = bag(run, world.home).pk
    barrier = threading.Barrier(2)
    results = [None, None]

    def tap(i, actor):
        try:
            delivery = Delivery.objects.select_related(
                "order", "plan", "stop__route__courier", "stop__route__plan__window__market"
            ).get(pk=pk)
            barrier.wait(timeout=30)
            confirm(world, delivery, actor=actor)
            results[i] = "ok"
        except Conflict:
            results[i] = "conflict"
        except Exception as exc:  # kept for the assertion message
            results[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=tap, args=(0, world.staff_a)),
        threading.Thread(target=tap, args=(1, world.manager_a)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["conflict", "ok"], results
    assert AuditLog.objects.filter(action="delivery.bag.delivered").count() == 1
    assert Notification.objects.filter(kind="delivery.bag").count() == 1
    assert Delivery.objects.get(pk=pk).status == DeliveryStatus.DELIVERED


def _stop(*floors):
    deliveries = [
        SimpleNamespace(order=SimpleNamespace(household=SimpleNamespace(floor=f))) for f in floors
    ]
    return SimpleNamespace(deliveries=SimpleNamespace(all=lambda: deliveries))


def test_a_stop_on_one_floor_reads_one_floor_not_a_range(world, run, login):
    """One floor reads "3 层", never "3–3 层"; the courier's route and the printed
    run sheet both print floor_span (here the first building's bags: floors 1–3)."""
    import re

    from django.urls import reverse

    from wanjia.delivery.views.common import floor_span

    assert (floor_span(_stop(3, 3)), floor_span(_stop(5, 2, 3)), floor_span(_stop())) == (
        "3",
        "2–5",
        "",
    )
    route = bag(run, world.home).stop.route
    pages = [
        login(world.staff_a).get(reverse("delivery_route", args=[route.pk])),
        login(world.manager_a).get(reverse("delivery_sheets", args=[run.plan.pk])),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200 and "1–3 层" in html
        assert not re.search(r"(\d+)–\1 层", html)


def test_bags_not_packed_get_no_route_and_the_pages_say_how_many_wait(world, login):
    """A courier is never sent to a bag still on the sorting table."""
    from django.urls import reverse

    kit = sorted_window(world)
    waiting = kit.orders[:2]
    Order.objects.filter(pk__in=[o.pk for o in waiting]).update(packed_at=None)
    courier = post_courier(world, kit, user=world.staff_a, name="赵师傅")
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=[courier], seconds=1
    )
    services.plan_run(plan.pk)
    planned = set(Delivery.objects.filter(plan=plan).values_list("order_id", flat=True))
    assert planned and planned.isdisjoint(o.pk for o in waiting)
    assert len(planned) == len(kit.orders) - 2
    client = login(world.manager_a)
    for url in (
        reverse("delivery_plan", args=[plan.pk]),
        reverse("delivery_window", args=[kit.window.pk]),
    ):
        html = client.get(url).content.decode()
        assert "2 袋还没装袋，不排入路线" in html, url


def test_a_bag_handed_over_at_the_market_closes_on_the_route_once(world, run):
    """The market's own 交付 goes through delivery's service: the courier's stop
    is closed, the board counts it once, and a second tap does nothing."""
    from wanjia.delivery import selectors
    from wanjia.market.services import bag_hand_over

    delivery = bag(run, world.home)
    with at_door(run):
        assert bag_hand_over(actor=world.manager_a, order=delivery.order) is True
        assert bag_hand_over(actor=world.manager_a, order=delivery.order) is False
    fresh = Delivery.objects.get(pk=delivery.pk)
    assert fresh.status == DeliveryStatus.DELIVERED and fresh.method == Method.MARKET
    assert fresh.delivered_by == world.manager_a
    assert AuditLog.objects.filter(action="delivery.bag.delivered").count() == 1
    assert AuditLog.objects.filter(action="market.bag.handed_over").count() == 1
    row = selectors.board(run.plan)["rows"][0]
    assert row["delivered"] == 1
    with pytest.raises(Conflict):  # the courier cannot deliver it again
        confirm(world, fresh, code=pickup_code(fresh.order.code))
