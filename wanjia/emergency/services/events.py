"""Opening and closing events. Opening answers at once: the event, its
affected compounds and a job are written in the request; each compound's
checklist, roll call and notices are made by the background job
(``event_prepare``), batch by batch with progress, so a city-wide event over
thousands of compounds never holds a request. The job may run twice (a
worker died, a task delivered twice): rows are unique and a compound is
prepared once (``ready_at`` claimed by a conditional UPDATE)."""

from datetime import time

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from wanjia.core import intents
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.jobs import enqueue, job_create, job_finish, job_progress, job_start
from wanjia.core.models import Compound, Job, Membership, Region, RegionKind, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import scope_q

from .. import access
from ..checklists import TEMPLATES
from ..models import (
    Area,
    ChecklistItem,
    Event,
    EventCompound,
    Grade,
    Group,
    Kind,
    RollCallEntry,
    Status,
    TimelineEntry,
)

JOB_KIND = "emergency.open"
BATCH = 200
ACTIVE = (Status.OPENING, Status.OPEN)
DEFAULT_REPORT_BY = time(18, 0)
AREA_OF_REGION = {
    RegionKind.CITY: Area.CITY,
    RegionKind.DISTRICT: Area.DISTRICT,
    RegionKind.STREET: Area.STREET,
}


def timeline(event, what: str, *, compound=None, at=None, **detail) -> TimelineEntry:
    return TimelineEntry.objects.create(
        event=event, compound=compound, what=what, at=at or timezone.now(), detail=detail
    )


def _ids(raw) -> list[int]:
    try:
        ids = sorted({int(x) for x in raw})
    except (TypeError, ValueError):
        raise Invalid({"compounds": [gettext("小区编号应为整数。")]}) from None
    if not ids:
        raise Invalid({"compounds": [gettext("请至少选择一个小区。")]})
    return ids


def resolve_area(actor, *, region_id=None, compound_ids=None):
    """(area, region, owner region, compound ids) of an event the actor may
    open; a region or compound outside the actor's command is refused."""
    if compound_ids:
        ids = _ids(compound_ids)
        found = list(
            Compound.objects.filter(
                scope_q(actor, roles=CAPABILITIES["emergency.command"], compound="id"),
                pk__in=ids,
            ).values_list("pk", flat=True)
        )
        missing = sorted(set(ids) - set(found))
        if missing:
            raise Invalid(
                {
                    "compounds": [
                        gettext("以下小区不存在或不在您的管辖范围内：%(ids)s")
                        % {"ids": ", ".join(map(str, missing[:10]))}
                    ]
                }
            )
        paths = list(Compound.objects.filter(pk__in=ids).values_list("community__path", flat=True))
        mine = [
            r for r in access.command_regions(actor) if all(p.startswith(r.path) for p in paths)
        ]
        if not mine and not actor.is_superuser:
            raise Forbidden
        owner = (
            max(mine, key=lambda r: len(r.path))
            if mine
            else Region.objects.filter(parent__isnull=True).order_by("pk").first()
        )
        return Area.COMPOUNDS, None, owner, ids
    if region_id in (None, ""):
        raise Invalid({"compounds": [gettext("请选择范围：一个区域或若干小区。")]})
    try:
        region = Region.objects.filter(pk=int(region_id)).first()
    except (TypeError, ValueError):
        region = None
    if region is None or region.kind not in AREA_OF_REGION:
        raise Invalid({"region": [gettext("请选择市、区或街道。")]})
    if not access.covers_region(actor, region):
        raise Forbidden(gettext("只能在本辖区内启动应急事件。"))
    ids = list(
        Compound.objects.filter(community__path__startswith=region.path)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise Invalid({"region": [gettext("该区域内没有小区。")]})
    return AREA_OF_REGION[region.kind], region, region, ids


def _check(kind, grade, title) -> dict:
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = [gettext("请选择事件类型。")]
    try:
        grade = int(grade)
    except (TypeError, ValueError):
        grade = None
    if grade not in Grade.values:
        errors["grade"] = [gettext("响应等级应为 1–4（Ⅰ–Ⅳ级）。")]
    title = (title or "").strip()
    if not title:
        errors["title"] = [gettext("请填写事件名称。")]
    elif len(title) > 100:
        errors["title"] = [gettext("事件名称不能超过 100 个字。")]
    if errors:
        raise Invalid(errors)
    return {"kind": kind, "grade": grade, "title": title}


def event_open(
    *, actor, kind, grade, title, region_id=None, compound_ids=None, report_by=None
) -> Event:
    """Open an event: the record, its compounds and the preparing job."""
    if not access.commands_anywhere(actor):
        raise Forbidden
    fields = _check(kind, grade, title)
    area, region, owner, ids = resolve_area(actor, region_id=region_id, compound_ids=compound_ids)
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            **fields,
            area=area,
            region=region,
            owner_region=owner,
            status=Status.OPENING,
            starts_at=now,
            report_by=report_by or DEFAULT_REPORT_BY,
            opened_by=actor,
        )
        EventCompound.objects.bulk_create(
            [EventCompound(event=event, compound_id=pk) for pk in ids], batch_size=1000
        )
        job = job_create(
            actor=actor,
            kind=JOB_KIND,
            total=len(ids),
            message=gettext("正在为 %(n)s 个小区生成清单和通知…") % {"n": len(ids)},
        )
        Event.objects.filter(pk=event.pk).update(job=job)
        event.job = job
        timeline(event, "opened", at=now, compounds=len(ids), by=actor.name)
        audit(
            actor=actor,
            action="emergency.event.opened",
            obj=event,
            detail={"kind": event.kind, "grade": event.grade, "compounds": len(ids)},
        )
        enqueue("wanjia.emergency.tasks.prepare_event", job=job, job_id=job.pk, event_id=event.pk)
    return event


def _staff_of(compounds) -> dict[int, list]:
    """Who responds at each compound: its managers, secretary and staff, and
    the company's admins."""
    roles = CAPABILITIES["emergency.respond"]
    by_compound = {c.pk: [] for c in compounds}
    by_company = {}
    for c in compounds:
        by_company.setdefault(c.company_id, []).append(c.pk)
    rows = (
        Membership.objects.filter(role__in=roles)
        .filter(
            Q(scope_type=ScopeType.COMPOUND, compound_id__in=list(by_compound))
            | Q(scope_type=ScopeType.COMPANY, company_id__in=[k for k in by_company if k])
        )
        .select_related("user")
    )
    for m in rows:
        if m.scope_type == ScopeType.COMPOUND:
            by_compound[m.compound_id].append((m.role, m.user))
        else:
            for pk in by_company.get(m.company_id, []):
                by_compound[pk].append((m.role, m.user))
    return by_compound


def _owner(staff):
    for role in (Role.COMPOUND_MANAGER, Role.PARTY_SECRETARY, Role.STAFF, Role.COMPANY_ADMIN):
        for r, user in staff:
            if r == role:
                return user
    return None


def _roll_rows(event, compound) -> list[RollCallEntry]:
    """The responders and vulnerable residents other apps offer for the compound."""
    rows = []
    for name in ("party.vanguard_people", "volunteers.active_people"):
        for person in intents.ask(name, compound, default=[]) or []:
            rows.append(
                RollCallEntry(
                    event=event,
                    compound=compound,
                    group=Group.RESPONDER,
                    source=person["source"][:40],
                    name=person["name"][:50],
                    user_id=person.get("user_id"),
                )
            )
    for person in intents.ask("care.vulnerable_people", compound, default=[]) or []:
        rows.append(
            RollCallEntry(
                event=event,
                compound=compound,
                group=Group.VULNERABLE,
                source=person["source"][:40],
                name=person["name"][:50],
            )
        )
    return rows


def _prepare_batch(event, batch: list[EventCompound]) -> int:
    compounds = [ec.compound for ec in batch]
    staff = _staff_of(compounds)
    items = TEMPLATES.get(event.kind, TEMPLATES["other"])
    now = timezone.now()
    with transaction.atomic():
        claimed = set(
            EventCompound.objects.filter(
                pk__in=[ec.pk for ec in batch], ready_at__isnull=True
            ).values_list("pk", flat=True)
        )
        EventCompound.objects.filter(pk__in=claimed, ready_at__isnull=True).update(ready_at=now)
        todo = [ec for ec in batch if ec.pk in claimed]
        rows, roll = [], []
        for ec in todo:
            owner = _owner(staff[ec.compound_id])
            rows += [
                ChecklistItem(event=event, compound=ec.compound, code=code, position=i, owner=owner)
                for i, (code, _label) in enumerate(items)
            ]
            roll += _roll_rows(event, ec.compound)
        ChecklistItem.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        RollCallEntry.objects.bulk_create(roll, batch_size=1000, ignore_conflicts=True)
        for ec in todo:
            link = reverse("emergency_compound", args=[ec.pk])
            people = [u for _r, u in staff[ec.compound_id]]
            notify(
                recipients=people,
                title=lambda: gettext("应急响应：%(title)s") % {"title": event.title},
                body=lambda name=ec.compound.name: (
                    gettext("%(compound)s 已纳入应急响应，请按清单逐项落实并每日按时报告。")
                    % {"compound": name}
                ),
                link=link,
                kind="emergency.opened",
            )
        responders = RollCallEntry.objects.filter(
            event=event,
            compound_id__in=[ec.compound_id for ec in todo],
            group=Group.RESPONDER,
            user__isnull=False,
        ).select_related("user")
        for entry in responders:
            notify(
                recipients=[entry.user],
                title=lambda: gettext("点名：%(title)s") % {"title": event.title},
                body=lambda: gettext("您平安吗？能否参加值守？请点开回复。"),
                link=reverse("emergency_roll_answer", args=[entry.pk]),
                kind="emergency.roll_call",
            )
    return len(todo)


def event_prepare(job_id: int, event_id: int) -> dict | None:
    """The opening job: every affected compound's checklist, roll call and
    notices, a batch at a time; then the event is open."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job_start(job=job, message=gettext("开始生成清单…")):
        return None
    event = Event.objects.get(pk=event_id)
    total = event.affected.count()
    done = event.affected.filter(ready_at__isnull=False).count()
    while True:
        batch = list(
            event.affected.filter(ready_at__isnull=True)
            .select_related("compound")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        _prepare_batch(event, batch)
        done = event.affected.filter(ready_at__isnull=False).count()
        job_progress(
            job=job,
            progress=done,
            total=total,
            message=gettext("已完成 %(done)s / %(total)s 个小区") % {"done": done, "total": total},
        )
    Event.objects.filter(pk=event.pk, status=Status.OPENING).update(status=Status.OPEN)
    timeline(event, "ready", compounds=total)
    result = {
        "compounds": total,
        "items": ChecklistItem.objects.filter(event=event).count(),
        "roll_call": RollCallEntry.objects.filter(event=event).count(),
    }
    job_finish(job=job, result=result, message=gettext("清单和通知已全部生成。"))
    return result


def event_close(*, actor, event, summary: str = "") -> Event:
    if not access.can_command_event(actor, event):
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        closed = Event.objects.filter(pk=event.pk, status__in=ACTIVE).update(
            status=Status.CLOSED, ends_at=now, closed_by=actor, summary=(summary or "")[:5000]
        )
        if not closed:
            raise Conflict(gettext("该事件已经结束。"))
        event.refresh_from_db()
        timeline(event, "closed", at=now, by=actor.name)
        audit(actor=actor, action="emergency.event.closed", obj=event)
    return event


def active_for(compound_id) -> list[dict]:
    """The kernel question "is an emergency open for this compound?": the
    open events covering it (offered as the intent ``emergency.active_for``)."""
    return [
        {"id": e.pk, "kind": e.kind, "grade": e.grade, "title": e.title}
        for e in Event.objects.filter(
            status__in=ACTIVE, affected__compound_id=compound_id
        ).order_by("pk")
    ]


def ready() -> None:
    from wanjia.core.jobs import register_kind

    register_kind(JOB_KIND, title=gettext_lazy("启动应急响应"), rerun=True)
