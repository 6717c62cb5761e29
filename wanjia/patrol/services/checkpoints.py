"""Checkpoints, routes and schedules: the managers' writes."""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Gone

from ..access import can_manage
from ..models import Checkpoint, CheckpointKind, Route, RouteStop, RunStop, Schedule


def _require_manage(actor, compound) -> None:
    if actor is not None and not can_manage(actor, compound):
        raise Forbidden


def _clean_place(fields: dict) -> dict:
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写名称。")]
    elif len(name) > 60:
        errors["name"] = [_("名称最多 60 个字。")]
    if fields.get("kind", CheckpointKind.CUSTOM) not in CheckpointKind.values:
        errors["kind"] = [_("请选择类型。")]
    for axis in ("x", "y"):
        value = fields.get(axis, 50)
        if value is None or not 0 <= float(value) <= 100:
            errors[axis] = [_("位置应在 0 到 100 之间（平面图的百分比）。")]
    lat, lng = fields.get("lat"), fields.get("lng")
    if (lat is None) != (lng is None):
        errors["lat"] = [_("经纬度须同时填写或同时留空。")]
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        errors["lat"] = [_("经纬度超出范围。")]
    radius = fields.get("radius_m", 30)
    if radius is None or not 5 <= int(radius) <= 1000:
        errors["radius_m"] = [_("签到半径应在 5 到 1000 米之间。")]
    if errors:
        raise ValidationError(errors)
    return {**fields, "name": name}


FIELDS = ("name", "kind", "x", "y", "lat", "lng", "radius_m")


def checkpoint_create(*, actor, compound, **fields) -> Checkpoint:
    _require_manage(actor, compound)
    fields = _clean_place({k: v for k, v in fields.items() if k in FIELDS})
    with transaction.atomic():
        cp = Checkpoint.objects.create(compound=compound, **fields)
        audit(actor=actor, action="patrol.checkpoint.created", obj=cp, detail={"name": cp.name})
    return cp


def checkpoint_update(*, actor, checkpoint: Checkpoint, **fields) -> Checkpoint:
    _require_manage(actor, checkpoint.compound)
    if checkpoint.retired_at is not None:
        raise Gone(_("该巡更点已停用，不能再修改。"))
    current = {f: getattr(checkpoint, f) for f in FIELDS}
    merged = _clean_place({**current, **{k: v for k, v in fields.items() if k in FIELDS}})
    with transaction.atomic():
        for k, v in merged.items():
            setattr(checkpoint, k, v)
        checkpoint.save()
        audit(actor=actor, action="patrol.checkpoint.updated", obj=checkpoint)
    return checkpoint


def checkpoint_retire(*, actor, checkpoint: Checkpoint) -> Checkpoint:
    """Retire a checkpoint: its printed QR is refused from now on."""
    _require_manage(actor, checkpoint.compound)
    with transaction.atomic():
        done = Checkpoint.objects.filter(pk=checkpoint.pk, retired_at__isnull=True).update(
            retired_at=timezone.now(), active=False
        )
        if done:
            # rounds generated ahead no longer expect it (past stops stay as they were)
            RunStop.objects.filter(
                checkpoint=checkpoint, due_at__gt=timezone.now(), checkin__isnull=True
            ).delete()
            audit(actor=actor, action="patrol.checkpoint.retired", obj=checkpoint)
    checkpoint.refresh_from_db()
    return checkpoint


def route_create(
    *, actor, compound, name: str, checkpoints, minutes=None, strict_order: bool = False
) -> Route:
    """A route through ``checkpoints`` in order, ``minutes[i]`` after the
    previous one (5 by default)."""
    _require_manage(actor, compound)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("请填写路线名称。")]
    checkpoints = list(checkpoints)
    if not checkpoints:
        errors["checkpoints"] = [_("路线至少需要一个巡更点。")]
    if any(cp.compound_id != compound.pk or cp.retired_at for cp in checkpoints):
        errors["checkpoints"] = [_("只能选择本小区在用的巡更点。")]
    minutes = list(minutes or [])
    minutes += [5] * (len(checkpoints) - len(minutes))
    if any(not 0 <= int(m) <= 240 for m in minutes):
        errors["minutes"] = [_("间隔应在 0 到 240 分钟之间。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        route = Route.objects.create(compound=compound, name=name[:60], strict_order=strict_order)
        RouteStop.objects.bulk_create(
            RouteStop(route=route, checkpoint=cp, order=n, minutes=int(m))
            for n, (cp, m) in enumerate(zip(checkpoints, minutes, strict=False), start=1)
        )
        audit(actor=actor, action="patrol.route.created", obj=route, compound=compound)
    return route


def schedule_set(
    *,
    actor,
    route: Route,
    every_minutes: int = 120,
    start: time = time(22),
    end: time = time(6),
    weekdays: str = "1234567",
) -> Schedule:
    """The route's one schedule, created or replaced."""
    _require_manage(actor, route.compound)
    errors = {}
    if not 15 <= int(every_minutes) <= 1440:
        errors["every_minutes"] = [_("间隔应在 15 到 1440 分钟之间。")]
    if not weekdays or any(c not in "1234567" for c in weekdays):
        errors["weekdays"] = [_("请选择星期。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule, _created = Schedule.objects.update_or_create(
            route=route,
            defaults={
                "every_minutes": int(every_minutes),
                "start": start,
                "end": end,
                "weekdays": "".join(sorted(set(weekdays))),
                "active": True,
            },
        )
        audit(actor=actor, action="patrol.schedule.set", obj=route, compound=route.compound)
    return schedule
