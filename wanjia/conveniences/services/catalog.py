"""Services and their slots: a service's fields checked, slots planned and
generated per resource and day."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from ..access import can_manage
from ..models import Kind, Service, Slot

MAX_SLOTS_PER_RUN = 500


def _clean_service(fields: dict) -> dict:
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("请填写名称（最多 60 字）。")
    if fields.get("kind") not in Kind.values:
        errors["kind"] = _("请选择服务类型。")
    try:
        price = Decimal(str(fields.get("price") or "0").strip() or "0")
        if price < 0 or price > Decimal("99999") or price != price.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["price"] = _("价格应为 0 到 99999 之间的金额，最多两位小数（0 为免费）。")
        price = Decimal(0)
    ints = {
        "slot_minutes": (5, 240, _("每个时段应为 5 到 240 分钟。")),
        "quota": (1, 1000, _("每户每期数量应为 1 到 1000。")),
        "cutoff_minutes": (0, 7 * 24 * 60, _("截止提前应为 0 到 10080 分钟。")),
    }
    out = {"name": name, "kind": fields.get("kind"), "price": price}
    for key, (lo, hi, message) in ints.items():
        raw = fields.get(key)
        if raw in (None, ""):
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not lo <= value <= hi:
            errors[key] = message
        else:
            out[key] = value
    limits = {
        "description": 300,
        "place": 100,
        "unit": 10,
        "station": 60,
        "pickup_gate": 60,
        "resources": 1000,
    }
    for key, limit in limits.items():
        value = str(fields.get(key) or "").strip()
        if len(value) > limit:
            errors[key] = _("最多 %(n)s 个字符。") % {"n": limit}
        out[key] = value
    if any(len(r.strip()) > 40 for r in out["resources"].splitlines()):
        errors["resources"] = _("每行最多 40 个字符。")
    if out["kind"] == Kind.TRIP and not out["station"]:
        errors["station"] = _("班车请填写目的站。")
    if "waitlist" in fields:
        out["waitlist"] = bool(fields["waitlist"])
    if errors:
        raise Invalid(errors)
    return out


@transaction.atomic
def service_create(*, actor, compound, **fields) -> Service:
    if not can_manage(actor, compound):
        raise Forbidden
    service = Service.objects.create(compound=compound, **_clean_service(fields))
    audit(actor=actor, action="conveniences.service.created", obj=service, compound=compound)
    return service


@transaction.atomic
def service_update(*, actor, service, **fields) -> Service:
    if not can_manage(actor, service.compound):
        raise Forbidden
    clean = _clean_service({"kind": service.kind, **fields})
    clean.pop("kind")
    for key, value in clean.items():
        setattr(service, key, value)
    if "active" in fields:
        service.active = bool(fields["active"])
    service.save()
    audit(actor=actor, action="conveniences.service.updated", obj=service)
    return service


def _at(day: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, t))


def _plan(service, day, start, end, capacity, days) -> list[Slot]:
    """The slots one run makes, unsaved."""
    cut = timedelta(minutes=service.cutoff_minutes)
    rows = []

    def slot(starts, ends, closes, resource=""):
        rows.append(
            Slot(
                service=service,
                compound_id=service.compound_id,
                starts_at=starts,
                ends_at=ends,
                closes_at=closes,
                resource=resource,
                capacity=capacity,
            )
        )

    if service.kind == Kind.QUOTA:
        starts = _at(day, time(0))
        ends = _at(day + timedelta(days=days), time(0))
        slot(starts, ends, ends)
        return rows
    if service.kind == Kind.PRINT:
        starts, ends = _at(day, start), _at(day, end)
        slot(starts, ends, ends - cut)
        return rows
    if service.kind == Kind.TRIP:
        starts = _at(day, start)
        ends = starts + timedelta(minutes=service.slot_minutes)
        slot(starts, ends, starts - cut)
        return rows
    step = timedelta(minutes=service.slot_minutes)
    first, last = _at(day, start), _at(day, end)
    for resource in service.resource_list or [""]:
        at = first
        while at + step <= last:
            slot(at, at + step, at - cut, resource)
            at += step
    return rows


def slots_generate(
    *,
    actor,
    service,
    day: date,
    start: time | None = None,
    end: time | None = None,
    capacity: int = 1,
    days: int = 7,
) -> int:
    """Make a day's slots (each resource every ``slot_minutes`` from ``start``
    to ``end``), a trip's departure at ``start``, a print day from ``start`` to
    ``end``, or a quota period of ``days`` from ``day``. Slots that exist are
    kept as they are: running it twice makes nothing twice. Returns how many
    were made."""
    if not can_manage(actor, service.compound):
        raise Forbidden
    errors = {}
    if not isinstance(capacity, int) or not 1 <= capacity <= 10000:
        errors["capacity"] = _("名额应为 1 到 10000。")
    if not date(2000, 1, 1) <= day <= date(2999, 12, 1):
        errors["day"] = _("请填写有效的日期。")
    needs_start = service.kind != Kind.QUOTA
    needs_end = service.kind in (Kind.SLOT, Kind.CUSTOM, Kind.PRINT)
    if needs_start and start is None:
        errors["start"] = _("请填写开始时间。")
    if needs_end and (end is None or (start is not None and end <= start)):
        errors["end"] = _("结束时间应晚于开始时间。")
    if service.kind == Kind.QUOTA and not 1 <= days <= 31:
        errors["days"] = _("领取期应为 1 到 31 天。")
    if errors:
        raise Invalid(errors)
    rows = _plan(service, day, start, end, capacity, days)
    if len(rows) > MAX_SLOTS_PER_RUN:
        raise Invalid({"end": _("一次最多生成 %(n)s 个时段。") % {"n": MAX_SLOTS_PER_RUN}})
    with transaction.atomic():
        before = Slot.objects.filter(service=service).count()
        Slot.objects.bulk_create(rows, ignore_conflicts=True)
        made = Slot.objects.filter(service=service).count() - before
        audit(
            actor=actor,
            action="conveniences.slots.generated",
            obj=service,
            detail={"day": day.isoformat(), "made": made},
        )
    return made
