"""Couriers of a market: list, post a staff member or a volunteer, change one."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Status
from ninja.pagination import paginate

from wanjia.core.schemas import COMMON_ERRORS, Id, Paging

from .. import selectors, services
from .common import markets_watched_by, require_plan_anywhere, require_watch, router
from .schemas import CourierFilter, CourierIn, CourierOut, CourierPatch


@router.get("/couriers", response={200: list[CourierOut], **COMMON_ERRORS}, summary="配送员")
@paginate(Paging)
def courier_list(request, filters: Query[CourierFilter]):
    """Couriers of the markets the caller plans or watches (one market with ``market``)."""
    user = request.auth
    require_watch(user)
    market = None
    if filters.market is not None:
        market = selectors.get_or_404(markets_watched_by(user), pk=filters.market)
    return selectors.couriers_listed(user, market=market)


@router.post("/couriers", response={201: CourierOut, **COMMON_ERRORS}, summary="添加配送员")
def courier_create(request, payload: CourierIn):
    """Post a staff member with the courier duty (``staff``) or a volunteer
    (``volunteer``: their user id); speed and capacity default to the mode's."""
    user = request.auth
    require_plan_anywhere(user)
    market = selectors.get_or_404(markets_watched_by(user), pk=payload.market)
    courier = services.courier_add(
        actor=user,
        market=market,
        staff=_staff(market, payload.staff),
        volunteer=_volunteer(market, payload.volunteer),
        name=payload.name,
        **_fields(payload.model_dump(exclude_unset=True)),
    )
    return Status(201, courier)


def _staff(market, staff_id: int | None):
    """Only people the market may post are looked up: any other id, existing
    or not, is the same field error (it tells nothing about other companies)."""
    if staff_id is None:
        return None
    staff = selectors.one_of(services.eligible_staff(market), staff_id)
    if staff is None:
        raise ValidationError({"staff": _("只能选择本企业有配送职责的员工。")})
    return staff


def _volunteer(market, user_id: int | None):
    if user_id is None:
        return None
    volunteer = selectors.one_of(services.eligible_volunteers(market), user_id)
    if volunteer is None:
        raise ValidationError({"volunteer": _("只能选择服务小区登记的志愿者。")})
    return volunteer


def _fields(data: dict) -> dict:
    """The courier's own fields as given (the service fills the mode's defaults)."""
    names = ("mode", "speed_kmh", "capacity", "shift_start", "shift_end", "phone")
    return {k: v for k, v in data.items() if k in names and v is not None}


@router.patch(
    "/couriers/{courier_id}", response={200: CourierOut, **COMMON_ERRORS}, summary="修改配送员"
)
def courier_change(request, courier_id: Id, payload: CourierPatch):
    """Change mode, speed, capacity, shift or phone; ``active: false`` takes a
    courier off duty (kept for past routes)."""
    user = request.auth
    require_plan_anywhere(user)
    courier = selectors.get_or_404(selectors.couriers_visible_to(user), pk=courier_id)
    data = payload.model_dump(exclude_unset=True)
    courier = services.courier_update(
        actor=user, courier=courier, active=data.get("active"), **_fields(data)
    )
    return courier
