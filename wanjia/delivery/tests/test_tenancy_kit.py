"""Delivery's URLs (console, courier phone pages, API) through the kernel's
tenancy kit.

Each compound's market has a window sorted and planned with one courier: in A
the courier is ``staff_a`` (their own route), in B an account with no role that
B's manager posted. Each plan has a bag still to hand over and a delivered bag
with its doorstep photo."""

import io
import tempfile
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from wanjia.core.testkit import Endpoint, cases, check
from wanjia.delivery import codes, services
from wanjia.delivery.models import Courier, Delivery, DeliveryPlan, Mode
from wanjia.estates.models import Duty, StaffDuty, StaffMember
from wanjia.estates.testing import make_user
from wanjia.market import services as market_services
from wanjia.market.models import Order, OrderWindow, WindowStatus
from wanjia.market.services import LineIn
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db

A_PEOPLE = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
)
EVERYONE = (*A_PEOPLE, "outsider_b", "regulator")
PLAN = ("manager_a", "company_admin_a")
WATCH = (*PLAN, "staff_a", "secretary_a")
# members of A who neither plan nor watch (the regulator's city holds A)
NO_WATCH = ("resident_a", "leader_a", "volunteer_a", "regulator")
# the route's own courier (staff_a) or who plans, standing in
HAND_OFF = (*PLAN, "staff_a")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "JPEG")
    return out.getvalue()


def _side(manager, compound, homes, courier_user):
    kit = make_market(manager=manager, compound=compound, name=f"{compound.name}菜篮子")
    tomorrow = timezone.localdate() + timedelta(days=1)
    window = open_window(kit, manager=manager, delivery_date=tomorrow, stock=1000)
    offer = kit.offers["大白菜"]
    for home in homes:
        market_services.order_place(
            actor=manager, window=window, household=home, lines=[LineIn(offer.pk, 1)]
        )
    market_services.window_close(actor=manager, window=window)
    sorted_at = timezone.make_aware(datetime.combine(tomorrow, time(6, 0)))
    OrderWindow.objects.filter(pk=window.pk).update(
        status=WindowStatus.PACKED, received_at=sorted_at, packed_at=sorted_at
    )
    Order.objects.filter(window=window).update(packed_at=sorted_at)
    window.refresh_from_db()
    staff = StaffMember.objects.create(
        company=compound.company, compound=compound, name="配送员", user=courier_user
    )
    StaffDuty.objects.create(staff=staff, duty=Duty.COURIER)
    courier = services.courier_add(
        actor=manager, market=kit.market, staff=staff, mode=Mode.TRICYCLE
    )
    plan = services.plan_request(actor=manager, window=window, couriers=[courier], seconds=1)
    services.plan_run(plan.pk)
    plan = DeliveryPlan.objects.get(pk=plan.pk)
    bags = list(Delivery.objects.filter(plan=plan).order_by("id"))
    done = bags[-1]
    Delivery.objects.filter(pk=done.pk).update(status="delivered", delivered_at=timezone.now())
    done.photo.save("kit.jpg", ContentFile(_jpeg()), save=True)
    return SimpleNamespace(
        market=kit.market,
        window=window,
        courier=courier,
        plan=plan,
        route=plan.routes.get(),
        bag=bags[0],
        done=Delivery.objects.get(pk=done.pk),
    )


@pytest.fixture(scope="module")
def delivery_world(world_once, django_db_blocker):
    w = world_once
    media = tempfile.TemporaryDirectory()
    with override_settings(MEDIA_ROOT=media.name), django_db_blocker.unblock():
        a_homes = list(w.a.households.filter(building=w.home.building).order_by("id")[:3])
        b_homes = list(w.b.households.order_by("id")[:3])
        w.delivery = {
            "a": _side(w.manager_a, w.a, a_homes, w.staff_a),
            "b": _side(w.outsider_b, w.b, b_homes, make_user("courier_b")),
        }
        yield w
    media.cleanup()


def _of(name):
    return lambda world, side: getattr(world.delivery[side], name)


def bag_row(world, obj):
    row = Delivery.objects.filter(pk=obj.pk).values_list("status", "delivered_at", "fail_reason")
    return tuple(row), Order.objects.get(pk=obj.order_id).handed_at


def courier_row(world, obj):
    return tuple(Courier.objects.filter(pk=obj.pk).values_list("mode", "capacity", "active"))


def pickup(world, obj):
    return {"method": "code", "code": codes.pickup_code(obj.order.code)}


def on_plan(name, suffix, **kw):
    return Endpoint(
        name,
        f"/console/delivery/plan/{{pk}}/{suffix}",
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("plan"),
        **kw,
    )


def on_bag(name, suffix, body, *, api=False):
    """A hand-off action on the open bag: members of A who may not hand it off
    see it (403); the other tenant does not (404)."""
    if api:
        return Endpoint(
            name,
            f"/api/v1/delivery/deliveries/{{pk}}/{suffix}",
            method="post",
            api=True,
            body=body,
            allowed=HAND_OFF,
            # the volunteer may deliver somewhere but this bag is not on their route
            forbidden=("resident_a", "leader_a", "secretary_a", "regulator"),
            hidden=("volunteer_a",),
            obj=_of("bag"),
            state=bag_row,
        )
    return Endpoint(
        name,
        f"/console/delivery/d/{{pk}}/{suffix}",
        method="post",
        body=body,
        allowed=HAND_OFF,
        forbidden=(*NO_WATCH, "secretary_a"),
        obj=_of("bag"),
        state=bag_row,
    )


ENDPOINTS = [
    # ---- console
    Endpoint("delivery_home", "/console/delivery/", allowed=EVERYONE),
    Endpoint("delivery_mine", "/console/delivery/mine/", allowed=EVERYONE),
    Endpoint(
        "delivery_couriers",
        "/console/delivery/m/{pk}/couriers/",
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("market"),
    ),
    Endpoint(
        "delivery_courier_edit",
        "/console/delivery/couriers/{pk}/",
        allowed=PLAN,
        forbidden=(*NO_WATCH, "staff_a", "secretary_a"),
        obj=_of("courier"),
    ),
    Endpoint(
        "delivery_courier_edit_post",
        "/console/delivery/couriers/{pk}/",
        method="post",
        body={
            "mode": "tricycle",
            "capacity": "9",
            "shift_start": "06:00",
            "shift_end": "09:00",
            "active": "1",
        },
        allowed=PLAN,
        forbidden=(*NO_WATCH, "staff_a", "secretary_a"),
        obj=_of("courier"),
        state=courier_row,
    ),
    Endpoint(
        "delivery_window",
        "/console/delivery/w/{pk}/",
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("window"),
    ),
    on_plan("delivery_plan", ""),
    on_plan("delivery_map", "map.svg"),
    on_plan("delivery_sheets", "sheets/"),
    on_plan("delivery_board", "board/"),
    Endpoint(
        "delivery_route",
        "/console/delivery/route/{pk}/",
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("route"),
    ),
    Endpoint(
        "delivery_scan",
        "/console/delivery/route/{pk}/scan/",
        method="post",
        body=lambda world, obj: {"scanned": obj.stops.first().deliveries.first().order.code},
        allowed=HAND_OFF,
        forbidden=(*NO_WATCH, "secretary_a"),
        obj=_of("route"),
        state=lambda world, obj: tuple(
            Delivery.objects.filter(stop__route=obj).values_list("status")
        ),
    ),
    on_bag("delivery_confirm", "confirm/", pickup),
    on_bag("delivery_fail", "fail/", {"reason": "nobody"}),
    Endpoint(
        "delivery_photo",
        "/console/delivery/d/{pk}/photo.jpg",
        allowed=WATCH,
        hidden=NO_WATCH,
        obj=_of("done"),
    ),
    # ---- API
    Endpoint(
        "api_courier_list",
        "/api/v1/delivery/couriers?market={pk}",
        api=True,
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("market"),
    ),
    Endpoint(
        "api_courier_change",
        "/api/v1/delivery/couriers/{pk}",
        method="patch",
        api=True,
        body={"capacity": 9},
        allowed=PLAN,
        forbidden=(*NO_WATCH, "staff_a", "secretary_a"),
        obj=_of("courier"),
        state=courier_row,
    ),
    Endpoint(
        "api_plan_create",
        "/api/v1/delivery/windows/{pk}/plans",
        method="post",
        api=True,
        body=lambda world, obj: {"couriers": [obj.market.couriers.first().pk], "seconds": 1},
        headers={"Idempotency-Key": "kit-plan"},
        allowed=PLAN,
        forbidden=(*NO_WATCH, "staff_a", "secretary_a"),
        obj=_of("window"),
        state=lambda world, obj: DeliveryPlan.objects.filter(window_id=obj.pk).count(),
    ),
    Endpoint(
        "api_plan_detail",
        "/api/v1/delivery/plans/{pk}",
        api=True,
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("plan"),
    ),
    Endpoint(
        "api_plan_routes",
        "/api/v1/delivery/plans/{pk}/routes",
        api=True,
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("plan"),
    ),
    Endpoint(
        "api_plan_board",
        "/api/v1/delivery/plans/{pk}/board",
        api=True,
        allowed=WATCH,
        forbidden=NO_WATCH,
        obj=_of("plan"),
    ),
    Endpoint(
        "api_routes_mine",
        "/api/v1/delivery/routes/mine",
        api=True,
        allowed=(*HAND_OFF, "volunteer_a", "outsider_b"),
        forbidden=("resident_a", "leader_a", "secretary_a", "regulator"),
    ),
    on_bag("api_delivery_confirm", "confirm", pickup, api=True),
    on_bag("api_delivery_fail", "fail", {"reason": "nobody"}, api=True),
]


@pytest.mark.parametrize("case", cases("delivery", ENDPOINTS))
def test_tenancy(case, delivery_world, login, api):
    check(case, delivery_world, login, api)
