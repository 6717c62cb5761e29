"""Outposts (岗哨) and who stands at them: the managers' writes.

An outpost is staffed every night from ``staffed_from`` to ``staffed_to``
(local; past midnight when ``to`` <= ``from``). A shift puts one person at an
outpost from ``starts_at`` to ``ends_at``; one person cannot be at two places
at once, so overlapping shifts of the same person are refused."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Gone

from ..access import can_manage, can_patrol
from ..models import Outpost, OutpostShift

FIELDS = ("name", "x", "y", "lat", "lng", "staffed_from", "staffed_to")
MAX_SHIFT = timedelta(hours=16)


def _require_manage(actor, compound) -> None:
    if actor is not None and not can_manage(actor, compound):
        raise Forbidden


def _clean(fields: dict) -> dict:
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写名称。")]
    elif len(name) > 60:
        errors["name"] = [_("名称最多 60 个字。")]
    for axis in ("x", "y"):
        value = fields.get(axis, 50)
        if value is None or not 0 <= float(value) <= 100:
            errors[axis] = [_("位置应在 0 到 100 之间（平面图的百分比）。")]
    lat, lng = fields.get("lat"), fields.get("lng")
    if (lat is None) != (lng is None):
        errors["lat"] = [_("经纬度须同时填写或同时留空。")]
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        errors["lat"] = [_("经纬度超出范围。")]
    for key in ("staffed_from", "staffed_to"):
        if not isinstance(fields.get(key), time):
            errors[key] = [_("请填写时间，如 22:00。")]
    hours = (fields.get("staffed_from"), fields.get("staffed_to"))
    if all(isinstance(h, time) for h in hours) and hours[0] == hours[1]:
        errors["staffed_to"] = [_("值守结束时间不能与开始时间相同。")]
    if errors:
        raise ValidationError(errors)
    return {**fields, "name": name}


def outpost_create(*, actor, compound, **fields) -> Outpost:
    _require_manage(actor, compound)
    defaults = {"x": 50, "y": 50, "lat": None, "lng": None}
    fields = _clean({**defaults, **{k: v for k, v in fields.items() if k in FIELDS}})
    with transaction.atomic():
        outpost = Outpost.objects.create(compound=compound, **fields)
        audit(
            actor=actor, action="patrol.outpost.created", obj=outpost, detail={"name": outpost.name}
        )
    return outpost


def outpost_update(*, actor, outpost: Outpost, **fields) -> Outpost:
    _require_manage(actor, outpost.compound)
    if not outpost.active:
        raise Gone(_("该岗哨已撤销，不能再修改。"))
    current = {f: getattr(outpost, f) for f in FIELDS}
    merged = _clean({**current, **{k: v for k, v in fields.items() if k in FIELDS}})
    with transaction.atomic():
        for k, v in merged.items():
            setattr(outpost, k, v)
        outpost.save()
        audit(actor=actor, action="patrol.outpost.updated", obj=outpost)
    return outpost


def outpost_retire(*, actor, outpost: Outpost) -> Outpost:
    """Retire an outpost: no longer required to be staffed; its shifts still to
    come are removed (past ones stay as the record of who stood there)."""
    _require_manage(actor, outpost.compound)
    with transaction.atomic():
        done = Outpost.objects.filter(pk=outpost.pk, active=True).update(active=False)
        if done:
            OutpostShift.objects.filter(outpost=outpost, starts_at__gt=timezone.now()).delete()
            audit(actor=actor, action="patrol.outpost.retired", obj=outpost)
    outpost.refresh_from_db()
    return outpost


def staffed_window(outpost: Outpost, night) -> tuple[datetime, datetime]:
    """The outpost's required hours on ``night`` (the local date the evening
    belongs to), as aware datetimes."""
    start = timezone.make_aware(datetime.combine(night, outpost.staffed_from))
    end_day = night if outpost.staffed_to > outpost.staffed_from else night + timedelta(days=1)
    return start, timezone.make_aware(datetime.combine(end_day, outpost.staffed_to))


def shift_assign(*, actor, outpost: Outpost, user, starts_at, ends_at) -> OutpostShift:
    """Put ``user`` at ``outpost`` from ``starts_at`` to ``ends_at``."""
    _require_manage(actor, outpost.compound)
    errors = {}
    if not outpost.active:
        errors["all"] = [_("该岗哨已撤销。")]
    if user is None or not can_patrol(user, outpost.compound):
        errors["user"] = [_("请选择本小区的保安、志愿者或党员。")]
    if starts_at is None:
        errors["starts_at"] = [_("请填写开始时间。")]
    if ends_at is None:
        errors["ends_at"] = [_("请填写结束时间。")]
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = [_("结束时间须晚于开始时间。")]
        elif ends_at - starts_at > MAX_SHIFT:
            errors["ends_at"] = [_("一个班次最长 16 小时。")]
    if errors:
        raise ValidationError({("__all__" if k == "all" else k): v for k, v in errors.items()})
    with transaction.atomic():
        # one person, one place at a time: the person's row is locked so that two
        # managers booking them at once are checked one after the other
        list(type(user).objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        clash = clash_of(user, starts_at, ends_at)
        if clash is not None:
            raise ValidationError(
                {
                    "user": [
                        _("该人员 %(start)s–%(end)s 已有值守安排，时间重叠。")
                        % {
                            "start": timezone.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
                            "end": timezone.localtime(clash.ends_at).strftime("%m-%d %H:%M"),
                        }
                    ]
                }
            )
        shift = OutpostShift.objects.create(
            outpost=outpost, user=user, starts_at=starts_at, ends_at=ends_at
        )
        audit(
            actor=actor,
            action="patrol.outpost.shift_assigned",
            obj=shift,
            compound=outpost.compound,
            detail={"outpost": outpost.name, "user": user.pk},
        )
    return shift


def clash_of(user, starts_at, ends_at) -> OutpostShift | None:
    """The first shift of ``user`` that overlaps ``starts_at``..``ends_at``
    (one ending as the other starts does not overlap)."""
    return (
        OutpostShift.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at")
        .first()
    )


def shift_remove(*, actor, shift: OutpostShift) -> None:
    outpost = shift.outpost
    _require_manage(actor, outpost.compound)
    with transaction.atomic():
        audit(
            actor=actor,
            action="patrol.outpost.shift_removed",
            obj=shift,
            compound=outpost.compound,
            detail={"outpost": outpost.name, "user": shift.user_id},
        )
        shift.delete()
