"""Convenience services under /api/v1 (the names the issue fixes):
``GET /services?compound=ID``, ``GET /services/{id}/slots?date=``,
``POST /bookings`` (with ``Idempotency-Key``), ``POST /bookings/{id}/cancel``.

Refusals: a role that may never book is a 403 before any lookup; a slot,
service or booking outside the caller's scope is a 404 with the body of a
missing one; a full slot without a waitlist is a 409 saying so; a suspended
household a 403 with ``until``, the date the suspension ends."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from wanjia.core.errors import Invalid
from wanjia.core.idempotency import (
    HEADER,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    Once,
)
from wanjia.core.schemas import COMMON_ERRORS, Date, ErrorOut, Id

from . import access, selectors, services

router = Router(tags=["conveniences"])


class ServiceOut(Schema):
    id: int
    name: str
    kind: str
    price: Decimal


class ServiceList(Schema):
    items: list[ServiceOut]
    count: int


class ServiceFilter(Schema):
    compound: Id


class SlotOut(Schema):
    id: int
    starts_at: datetime
    capacity: int
    left: int


class SlotList(Schema):
    items: list[SlotOut]
    count: int


class SlotFilter(Schema):
    date: Date | None = None


class BookingIn(Schema):
    slot: Id
    household: Id | None = None


class BookingOut(Schema):
    id: int
    status: str


class RefusedOut(ErrorOut):
    until: date | None = None


WRITE_ERRORS = {**COMMON_ERRORS, 403: RefusedOut, 409: ErrorOut}


@router.get("/services", response={200: ServiceList, **COMMON_ERRORS}, summary="小区的便民服务")
def service_list(request, filters: Query[ServiceFilter]):
    compound = selectors.get_or_404(selectors.compounds_seen(request.auth), pk=filters.compound)
    rows = selectors.services_of(request.auth, compound)
    items = [{"id": s.pk, "name": s.name, "kind": s.kind, "price": s.price} for s in rows]
    return {"items": items, "count": len(items)}


@router.get(
    "/services/{service_id}/slots",
    response={200: SlotList, **COMMON_ERRORS},
    summary="某日的时段与余量",
)
def slot_list(request, service_id: Id, filters: Query[SlotFilter]):
    service = selectors.get_or_404(selectors.services_visible_to(request.auth), pk=service_id)
    day = filters.date or timezone.localdate()
    items = [
        {
            "id": s.pk,
            "starts_at": timezone.localtime(s.starts_at),
            "capacity": s.capacity,
            "left": s.left,
        }
        for s in selectors.slots_of_day(service, day)
    ]
    return {"items": items, "count": len(items)}


def _household(user, slot, requested: int | None):
    if requested is not None:
        household = selectors.household_in(slot.compound, requested)
        if household is None or not access.may_book_for(user, household):
            raise Invalid({"household": _("不能为该住户预约。")})
        return household
    household = selectors.own_household_in(user, slot.compound_id)
    if household is None:
        raise Invalid({"household": _("代约请选择住户。")})
    return household


def _refused(exc) -> Status:
    message = str(exc.message)
    return Status(400, {"detail": message, "errors": [{"field": HEADER, "message": message}]})


@router.post(
    "/bookings",
    response={201: BookingOut, 400: ErrorOut, **WRITE_ERRORS},
    summary="预约（满员时候补）",
    openapi_extra={
        "parameters": [
            {
                "name": HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": "A unique value per intended booking; a retry with the same "
                "value and body returns the first answer and books nothing more.",
            }
        ]
    },
)
def booking_create(request, payload: BookingIn, response: HttpResponse):
    user = request.auth
    if not (access.books_anywhere(user) or access.serves_anywhere(user)):
        raise PermissionDenied
    slot = selectors.slot_to_book(user, payload.slot)
    household = _household(user, slot, payload.household)

    try:
        once = Once.of(
            user=user,
            scope="conveniences.booking",
            key=request.headers.get(HEADER),
            payload=payload.model_dump(mode="json"),
        )
        status, body, replayed = services.booking_create_once(
            actor=user, slot=slot, household=household, once=once
        )
    except (IdempotencyKeyMissing, IdempotencyKeyReused) as exc:
        if isinstance(exc, IdempotencyKeyReused):
            message = str(exc.message)
            return Status(
                422, {"detail": message, "errors": [{"field": HEADER, "message": message}]}
            )
        return _refused(exc)
    except services.Suspended as exc:
        return Status(403, {**exc.as_body(), "until": exc.until})
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **WRITE_ERRORS},
    summary="取消预约或退出候补（截止前）",
)
def booking_cancel(request, booking_id: Id):
    user = request.auth
    if not (access.books_anywhere(user) or access.serves_anywhere(user)):
        raise PermissionDenied
    booking = selectors.get_or_404(selectors.bookings_visible_to(user), pk=booking_id)
    booking = services.booking_cancel(actor=user, booking=booking)
    return {"id": booking.pk, "status": booking.status}
