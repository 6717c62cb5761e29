"""The market's couriers: staff with the courier duty, and resident volunteers."""

from datetime import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.models import Membership
from wanjia.core.roles import Role
from wanjia.estates.models import Duty, StaffMember

from ..access import require_plan
from ..models import MODE_DEFAULTS, Courier, Mode

FIELDS = ("mode", "speed_kmh", "capacity", "shift_start", "shift_end", "phone")


def eligible_staff(market):
    """Staff with the courier duty in the market's company, at its compounds."""
    compounds = [market.compound_id, *market.compounds.values_list("pk", flat=True)]
    return StaffMember.objects.filter(
        company_id=market.compound.company_id,
        active=True,
        duties__duty=Duty.COURIER,
        compound_id__in=compounds,
    ).distinct()


def eligible_volunteers(market):
    """Users with a volunteer membership in a compound the market serves."""
    from wanjia.core.models import User

    compounds = [market.compound_id, *market.compounds.values_list("pk", flat=True)]
    ids = Membership.objects.filter(role=Role.VOLUNTEER, compound_id__in=compounds).values(
        "user_id"
    )
    return User.objects.filter(pk__in=ids, is_active=True)


def _number(value, field, *, label, low, high, integer=False):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s应为数字。") % {"label": label}}) from None
    if not number.is_finite() or not low <= number <= high or (integer and number != int(number)):
        raise ValidationError(
            {
                field: _("%(label)s应在 %(low)s 到 %(high)s 之间。")
                % {"label": label, "low": low, "high": high}
            }
        )
    return int(number) if integer else number.quantize(Decimal("0.1"))


def _time(value, field, label) -> time:
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).strip().split(":")[:2]
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ValidationError(
            {field: _("%(label)s应为 时:分，例如 06:00。") % {"label": label}}
        ) from None


def clean(data: dict) -> dict:
    """Mode, speed, capacity and shift, checked field by field; speed and
    capacity default to the mode's."""
    mode = data.get("mode") or Mode.TRICYCLE
    if mode not in Mode.values:
        raise ValidationError({"mode": _("请选择配送方式。")})
    speed, capacity = MODE_DEFAULTS[mode]
    out = {"mode": mode}
    errors = {}
    for field, fn in (
        ("speed_kmh", lambda v: _number(v, "speed_kmh", label=_("速度"), low=1, high=40)),
        (
            "capacity",
            lambda v: _number(v, "capacity", label=_("每趟袋数"), low=1, high=200, integer=True),
        ),
        ("shift_start", lambda v: _time(v, "shift_start", _("上岗时间"))),
        ("shift_end", lambda v: _time(v, "shift_end", _("下岗时间"))),
    ):
        raw = data.get(field)
        default = {
            "speed_kmh": speed,
            "capacity": capacity,
            "shift_start": "06:00",
            "shift_end": "09:00",
        }[field]
        try:
            out[field] = fn(default if raw in (None, "") else raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "shift_start" in out and "shift_end" in out and out["shift_end"] <= out["shift_start"]:
        errors["shift_end"] = [_("下岗时间应晚于上岗时间。")]
    phone = str(data.get("phone") or "").strip()
    if len(phone) > 20:
        errors["phone"] = [_("手机号不能超过 20 位。")]
    if errors:
        raise ValidationError(errors)
    out["phone"] = phone
    return out


def courier_add(*, actor, market, staff=None, volunteer=None, name: str = "", **data) -> Courier:
    """Post a staff member or a volunteer (a user) as a courier of the market."""
    require_plan(actor, market)
    values = clean(data)
    if staff is not None:
        if not eligible_staff(market).filter(pk=staff.pk).exists():
            raise ValidationError({"staff": _("只能选择本企业有配送职责的员工。")})
        # A staff member without an account escapes the (market, user) constraint.
        if Courier.objects.filter(market=market, staff=staff).exists():
            raise ValidationError({"staff": _("此人已是本市场的配送员。")})
        person = {"staff": staff, "user": staff.user, "name": staff.name, "is_volunteer": False}
        values["phone"] = values["phone"] or staff.phone
    elif volunteer is not None:
        if not eligible_volunteers(market).filter(pk=volunteer.pk).exists():
            raise ValidationError({"volunteer": _("只能选择服务小区登记的志愿者。")})
        label = str(name or "").strip() or volunteer.get_full_name() or volunteer.username
        person = {"user": volunteer, "name": label[:50], "is_volunteer": True}
    else:
        raise ValidationError({"staff": _("请选择员工或志愿者。")})
    try:
        with transaction.atomic():
            courier = Courier.objects.create(market=market, **person, **values)
            audit(
                actor=actor,
                action="delivery.courier.added",
                obj=courier,
                compound=market.compound,
                detail={"name": courier.name, "mode": courier.mode},
            )
    except IntegrityError:
        raise ValidationError({"staff": _("此人已是本市场的配送员。")}) from None
    return courier


def courier_update(*, actor, courier: Courier, active: bool | None = None, **data) -> Courier:
    require_plan(actor, courier.market)
    values = clean({f: data.get(f, getattr(courier, f)) for f in FIELDS})
    with transaction.atomic():
        for field, value in values.items():
            setattr(courier, field, value)
        if active is not None:
            courier.active = bool(active)
        courier.save()
        audit(
            actor=actor,
            action="delivery.courier.updated",
            obj=courier,
            compound=courier.market.compound,
            detail={
                **{k: str(v) for k, v in values.items() if k != "phone"},
                "active": courier.active,
            },
        )
    return courier
