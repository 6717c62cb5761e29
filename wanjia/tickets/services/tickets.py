"""The ticket's life: open (a resident, staff for a resident, or another app
through ``tickets.open``), accept, assign, start, finish, rate, return visit,
close. Each step is one conditional UPDATE on the status it leaves, so two
taps, two workers or a retry never move a ticket twice; each is audited and
written on the ticket's clock (``TicketEvent``)."""

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Compound, Membership, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import Role
from wanjia.core.scoping import scope_q
from wanjia.estates.models import Household, StaffMember

from ..access import can_manage, can_work, households_of, may_act, may_rate
from ..models import (
    OPEN,
    Category,
    DailyCount,
    Event,
    Place,
    Source,
    Status,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from ..rateable import subject_of
from .categories import categories_ensure
from .photos import photo_files

DAILY_LIMIT = 10
AUTO_CLOSE_AFTER = timedelta(days=7)
UNHAPPY = 2


class Duplicate(Conflict):
    """The same common-area fault is already reported and open: follow it."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        super().__init__(
            _("这个问题已有人报修（工单 #%(id)s），您可以关注它的进度。") % {"id": ticket.pk},
            field="duplicate_of",
        )


def _members(compound_id: int, roles) -> list:
    rows = Membership.objects.filter(
        role__in=roles,
        scope_type=ScopeType.COMPOUND,
        compound_id=compound_id,
        user__is_active=True,
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def managers_of(compound) -> list:
    found = _members(compound.pk, [Role.COMPOUND_MANAGER])
    if found:
        return found
    rows = Membership.objects.filter(
        role=Role.COMPANY_ADMIN,
        scope_type=ScopeType.COMPANY,
        company_id=compound.company_id,
        user__is_active=True,
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def workers_of(compound) -> list:
    """Who works tickets in the compound (its staff), else its managers."""
    return _members(compound.pk, [Role.STAFF]) or managers_of(compound)


def pick_assignee(compound, category):
    """Automatic assignment by the category's duty: among the compound's staff
    logins holding that duty, the one with the fewest open tickets."""
    if not category.duty:
        return None
    staff_users = {u.pk: u for u in _members(compound.pk, [Role.STAFF])}
    ids = list(
        StaffMember.objects.filter(
            compound=compound,
            active=True,
            user_id__in=staff_users,
            duties__duty=category.duty,
        ).values_list("user_id", flat=True)
    )
    if not ids:
        return None
    load = dict(
        Ticket.objects.filter(assignee_id__in=ids, status__in=OPEN)
        .values_list("assignee_id")
        .annotate(n=Count("id"))
    )
    best = min(sorted(set(ids)), key=lambda pk: load.get(pk, 0))
    return staff_users[best]


def fault_key(category: Category, building_id, place: str) -> str:
    """The same fault in words: category, building, and the place with spaces
    and punctuation dropped (“3 栋 电梯！” and “3栋电梯” are one fault)."""
    words = re.sub(r"[\W_]+", "", (place or "").lower())
    return f"{category.code}|{building_id or ''}|{words}"[:160]


def duplicate_of(compound, category, building_id, place) -> Ticket | None:
    key = fault_key(category, building_id, place)
    return (
        Ticket.objects.filter(
            compound=compound, place_kind=Place.COMMON, fault_key=key, status__in=OPEN
        )
        .order_by("created_at")
        .first()
    )


def _event(ticket, kind, at, actor=None, note=""):
    TicketEvent.objects.create(ticket=ticket, kind=kind, at=at, actor=actor, note=note[:300])


def _link(ticket) -> str:
    return reverse("tickets_ticket", args=[ticket.pk])


def _h5_link(ticket) -> str:
    return reverse("tickets_h5_ticket", args=[ticket.pk])


def _tell_staff(ticket, users, title, body=""):
    notify(recipients=users, title=title, body=body, link=_link(ticket), kind="tickets.work")


def _tell_resident(ticket, title, body=""):
    people = [ticket.reported_by, *ticket.followers.all()]
    notify(recipients=people, title=title, body=body, link=_h5_link(ticket), kind="tickets.mine")


def _resolve_category(company, category) -> Category:
    categories_ensure(company)
    if isinstance(category, Category):
        found = category if category.company_id == company.pk and category.active else None
    else:
        found = Category.objects.filter(
            company=company, code=str(category or "")[:30], active=True
        ).first()
    if found is None:
        raise Invalid({"category": [_("请选择报修类别。")]})
    return found


def _claim_daily(household_id: int, day) -> None:
    """One more ticket for the household today, or 429-like refusal: a
    conditional UPDATE below the limit, race-safe on every backend."""
    DailyCount.objects.bulk_create(
        [DailyCount(household_id=household_id, day=day, count=0)], ignore_conflicts=True
    )
    won = DailyCount.objects.filter(
        household_id=household_id, day=day, count__lt=DAILY_LIMIT
    ).update(count=F("count") + 1)
    if not won:
        raise Conflict(
            _("每户每天最多报修 %(n)s 次，今天已达上限；紧急情况请直接致电物业。")
            % {"n": DAILY_LIMIT}
        )


def ticket_open(
    *,
    actor,
    category,
    description: str,
    title: str = "",
    compound=None,
    household: Household | None = None,
    place_kind: str = "",
    place: str = "",
    building=None,
    photos=(),
    source: str = "",
    allow_duplicate: bool = False,
    now: datetime | None = None,
    trusted: bool = False,
) -> Ticket:
    """Open a ticket. A resident reports for their own household (its unit, or
    a common area of its compound); staff of the compound report for any
    household of it or a common area (``source`` staff). ``trusted``: the
    caller (another app's intent) has already checked its own permission.

    A common-area fault that is already reported and open raises ``Duplicate``
    (409 naming it) unless ``allow_duplicate``; a household opens at most
    ``DAILY_LIMIT`` tickets a local day (409 beyond)."""
    now = now or timezone.now()
    mine = households_of(actor)
    resident = household is None and len(mine) > 0 and compound is None
    if household is None and resident:
        household = Household.objects.select_related("compound").get(pk=sorted(mine)[0])
    if household is not None:
        compound = compound or household.compound
    if compound is None:
        raise Invalid({"unit": [_("请选择住户。")]})
    if household is not None and household.compound_id != compound.pk:
        raise Invalid({"unit": [_("只能选择本小区的住户。")]})
    if household is not None and household.pk in mine:
        source = source or Source.RESIDENT
    elif can_work(actor, compound):
        source = source if source in Source.values else Source.STAFF
    elif not trusted:
        raise Forbidden
    if source not in Source.values:
        source = Source.OTHER
    errors: dict = {}
    try:
        cat = _resolve_category(compound.company, category)
    except Invalid as exc:
        errors.update(exc.errors)
        cat = None
    description = (description or "").strip()
    title = (title or "").strip()
    place = (place or "").strip()
    if not description:
        errors["description"] = [_("请说说是什么问题。")]
    elif len(description) > 2000:
        errors["description"] = [_("描述最多 2000 个字。")]
    if len(title) > 100:
        errors["title"] = [_("标题最多 100 个字。")]
    if len(place) > 100:
        errors["place"] = [_("位置最多 100 个字。")]
    place_kind = place_kind or (Place.UNIT if household is not None else Place.COMMON)
    if place_kind not in Place.values:
        errors["place_kind"] = [_("请选择自家或公共区域。")]
    elif place_kind == Place.UNIT and household is None:
        errors["unit"] = [_("报修自家的问题请选择住户。")]
    elif place_kind == Place.COMMON and not place and building is None:
        errors["place"] = [_("请写明公共区域的位置，如“3栋电梯”。")]
    if building is not None and building.compound_id != compound.pk:
        errors["building"] = [_("只能选择本小区的楼栋。")]
    if errors:
        raise Invalid(errors)
    images = photo_files(photos)
    if place_kind == Place.UNIT:
        building = household.building
    key = fault_key(cat, getattr(building, "pk", None), place) if place_kind == Place.COMMON else ""
    if key and not allow_duplicate:
        first = duplicate_of(compound, cat, getattr(building, "pk", None), place)
        if first is not None:
            raise Duplicate(first)
    title = title or (f"{cat.name} · {place}" if place else cat.name)
    day = timezone.localdate(now)
    with transaction.atomic():
        if household is not None:
            _claim_daily(household.pk, day)
        assignee = pick_assignee(compound, cat)
        ticket = Ticket.objects.create(
            compound=compound,
            building=building,
            household=household,
            category=cat,
            place_kind=place_kind,
            place=place,
            fault_key=key,
            title=title[:100],
            description=description,
            source=source,
            urgent=cat.urgent,
            reported_by=actor,
            assignee=assignee,
            assigned_at=now if assignee else None,
            created_at=now,
            day=day,
            respond_by=now + timedelta(minutes=cat.respond_minutes),
            finish_by=now + timedelta(hours=cat.finish_hours),
        )
        for n, image in enumerate(images):
            photo = TicketPhoto(ticket=ticket)
            photo.image.save(f"{ticket.pk}-{n + 1}.jpg", image, save=True)
        _event(ticket, Event.SUBMITTED, now, actor, Source(source).label)
        if assignee:
            _event(ticket, Event.ASSIGNED, now, None, _("按类别与职责自动派单"))
        audit(
            actor=actor,
            action="tickets.ticket.opened",
            obj=ticket,
            detail={"category": cat.code, "source": source, "photos": len(images)},
        )
        respond = timezone.localtime(ticket.respond_by).strftime("%H:%M")
        _tell_staff(
            ticket,
            [assignee] if assignee else workers_of(compound),
            title=lambda: _("新报修：%(t)s") % {"t": ticket.title},
            body=lambda: _("请在 %(at)s 前受理。") % {"at": respond},
        )
    return ticket


def _move(ticket, from_statuses, **fields) -> bool:
    return bool(Ticket.objects.filter(pk=ticket.pk, status__in=from_statuses).update(**fields))


def _worker_ok(compound, user) -> bool:
    return user is not None and user.is_active and can_work(user, compound)


def ticket_accept(*, actor, ticket: Ticket, now=None) -> Ticket:
    """Take the ticket on (the response). Staff who accept an unassigned
    ticket take it themselves; a manager's acceptance keeps the automatic
    assignee, or leaves it for assigning by hand."""
    if not may_act(actor, ticket):
        raise Forbidden
    now = now or timezone.now()
    assignee = ticket.assignee
    if assignee is None and not can_manage(actor, ticket.compound):
        assignee = actor
    status = Status.ASSIGNED if assignee else Status.ACCEPTED
    with transaction.atomic():
        if not _move(
            ticket,
            [Status.SUBMITTED],
            status=status,
            accepted_at=now,
            assignee=assignee,
            assigned_at=ticket.assigned_at or (now if assignee else None),
        ):
            raise Conflict(_("这张工单已经受理过了。"))
        _event(ticket, Event.ACCEPTED, now, actor)
        if assignee and ticket.assignee_id is None:
            _event(ticket, Event.ASSIGNED, now, actor, assignee.display_name or assignee.username)
        audit(actor=actor, action="tickets.ticket.accepted", obj=ticket)
        ticket.refresh_from_db()
        _tell_resident(ticket, lambda: _("您的报修已受理：%(t)s") % {"t": ticket.title})
    return ticket


def ticket_assign(*, actor, ticket: Ticket, assignee, now=None) -> Ticket:
    """A manager assigns (or reassigns) by hand; a ticket not yet accepted is
    accepted by it."""
    if not can_manage(actor, ticket.compound):
        raise Forbidden
    if not _worker_ok(ticket.compound, assignee):
        raise Invalid({"assignee": [_("请选择本小区的工作人员。")]})
    if assignee.pk == ticket.assignee_id:
        return ticket  # the same person again: nothing to do (受理 accepts)
    now = now or timezone.now()
    fields = {"assignee": assignee, "assigned_at": now}
    with transaction.atomic():
        if ticket.status == Status.SUBMITTED:
            fields.update(accepted_at=now, status=Status.ASSIGNED)
            moved = _move(ticket, [Status.SUBMITTED], **fields)
            if moved:
                _event(ticket, Event.ACCEPTED, now, actor)
        elif ticket.status == Status.ACCEPTED:
            moved = _move(ticket, [Status.ACCEPTED], status=Status.ASSIGNED, **fields)
        else:
            moved = _move(ticket, [Status.ASSIGNED, Status.IN_PROGRESS], **fields)
        if not moved:
            raise Conflict(_("这张工单当前不能派单。"))
        _event(ticket, Event.ASSIGNED, now, actor, assignee.display_name or assignee.username)
        audit(actor=actor, action="tickets.ticket.assigned", obj=ticket, detail={"to": assignee.pk})
        ticket.refresh_from_db()
        _tell_staff(ticket, [assignee], lambda: _("派给您的报修：%(t)s") % {"t": ticket.title})
    return ticket


def ticket_start(*, actor, ticket: Ticket, now=None) -> Ticket:
    if not may_act(actor, ticket):
        raise Forbidden
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(
            ticket,
            [Status.ACCEPTED, Status.ASSIGNED],
            status=Status.IN_PROGRESS,
            started_at=now,
            assignee=ticket.assignee or actor,
        ):
            raise Conflict(_("这张工单当前不能开始处理。"))
        _event(ticket, Event.STARTED, now, actor)
        audit(actor=actor, action="tickets.ticket.started", obj=ticket)
    ticket.refresh_from_db()
    return ticket


def ticket_done(*, actor, ticket: Ticket, note: str = "", now=None) -> Ticket:
    if not may_act(actor, ticket):
        raise Forbidden
    note = (note or "").strip()
    if len(note) > 300:
        raise Invalid({"note": [_("说明最多 300 字。")]})
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(
            ticket,
            [Status.ASSIGNED, Status.IN_PROGRESS],
            status=Status.DONE,
            done_at=now,
            assignee=ticket.assignee or actor,
            started_at=ticket.started_at or now,
        ):
            raise Conflict(_("这张工单当前不能标记完成。"))
        if ticket.first_done_at is None:
            Ticket.objects.filter(pk=ticket.pk, first_done_at__isnull=True).update(
                first_done_at=now
            )
        _event(ticket, Event.DONE, now, actor, note)
        audit(actor=actor, action="tickets.ticket.done", obj=ticket)
        ticket.refresh_from_db()
        _tell_resident(
            ticket,
            lambda: _("报修已完成：%(t)s") % {"t": ticket.title},
            lambda: _("请为这次维修打分（1–5 星）；不满意我们会回访并限期整改。"),
        )
    return ticket


def ticket_rate(*, actor, ticket: Ticket, score, comment: str = "", now=None) -> Ticket:
    """The household rates a done ticket 1–5. Three or more closes it; two or
    less reopens it for a return visit, which must set a fix deadline."""
    if not may_rate(actor, ticket):
        raise Forbidden
    errors = {}
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        errors["score"] = [_("请打 1 到 5 分。")]
    comment = (comment or "").strip()
    if len(comment) > 300:
        errors["comment"] = [_("评价最多 300 字。")]
    if errors:
        raise Invalid(errors)
    now = now or timezone.now()
    unhappy = score <= UNHAPPY
    fields = {"rating": score, "rating_comment": comment, "rated_at": now}
    if unhappy:
        fields.update(status=Status.RETURN_VISIT, reopen_count=F("reopen_count") + 1)
    else:
        fields.update(status=Status.CLOSED, closed_at=now)
    with transaction.atomic():
        if not _move(ticket, [Status.DONE], **fields):
            raise Conflict(_("只能在完成后、关闭前评价一次。"))
        _event(ticket, Event.RATED, now, actor, f"{score}★ {comment}".strip())
        if unhappy:
            _event(ticket, Event.REOPENED, now, None, _("评价不满意，待回访"))
        else:
            _event(ticket, Event.CLOSED, now, None)
        audit(actor=actor, action="tickets.ticket.rated", obj=ticket, detail={"score": score})
        ticket.refresh_from_db()
        # the one rating of this ticket for 好差评; the reopen above is its loop
        # (why: tickets/rateable.py)
        if ticket.household_id is not None:
            intents.ask(
                "feedback.record_rating",
                actor=actor,
                subject=subject_of(ticket, finished_at=ticket.done_at or now),
                level=score,
                comment=comment,
            )
        if unhappy:
            _tell_staff(
                ticket,
                managers_of(ticket.compound),
                lambda: _("报修差评待回访：%(t)s") % {"t": ticket.title},
                lambda: _("居民打了 %(n)s 分，请回访并限期整改。") % {"n": score},
            )
    return ticket


def ticket_visit(
    *, actor, ticket: Ticket, note: str, fix_by: datetime | None = None, now=None
) -> Ticket:
    """The return visit (回访). After an unhappy rating it must set a fix
    deadline and sends the work back to the assignee; on a done ticket it
    closes it (or, with a fix deadline, reopens it)."""
    if not can_manage(actor, ticket.compound):
        raise Forbidden
    now = now or timezone.now()
    note = (note or "").strip()
    errors = {}
    if not note:
        errors["note"] = [_("请记录回访情况。")]
    elif len(note) > 300:
        errors["note"] = [_("回访记录最多 300 字。")]
    if ticket.status == Status.RETURN_VISIT and fix_by is None:
        errors["fix_by"] = [_("居民不满意，请定下整改期限。")]
    if fix_by is not None and not now < fix_by <= now + timedelta(days=60):
        errors["fix_by"] = [_("整改期限应在现在之后的 60 天内。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if fix_by is not None:
            fields = {
                "status": Status.ASSIGNED if ticket.assignee_id else Status.ACCEPTED,
                "fix_by": fix_by,
                "visited_at": now,
                "visit_note": note,
                "done_at": None,
                "finish_warned_at": None,
                "finish_escalated_at": None,
            }
            if ticket.status == Status.DONE:
                fields["reopen_count"] = F("reopen_count") + 1
            moved = _move(ticket, [Status.RETURN_VISIT, Status.DONE], **fields)
        else:
            moved = _move(
                ticket,
                [Status.DONE],
                status=Status.CLOSED,
                visited_at=now,
                visit_note=note,
                closed_at=now,
            )
        if not moved:
            raise Conflict(_("这张工单当前不需要回访。"))
        _event(ticket, Event.VISITED, now, actor, note)
        if fix_by is not None:
            due = timezone.localtime(fix_by).strftime("%m-%d %H:%M")
            _event(ticket, Event.REOPENED, now, actor, _("限 %(at)s 前整改") % {"at": due})
        else:
            _event(ticket, Event.CLOSED, now, actor)
        audit(
            actor=actor,
            action="tickets.ticket.visited",
            obj=ticket,
            detail={"fix_by": fix_by.isoformat() if fix_by else None},
        )
        ticket.refresh_from_db()
        if fix_by is not None:
            if ticket.assignee:
                _tell_staff(
                    ticket,
                    [ticket.assignee],
                    lambda: _("回访后需整改：%(t)s") % {"t": ticket.title},
                    lambda: _("请在 %(at)s 前整改完成。") % {"at": due},
                )
            _tell_resident(
                ticket,
                lambda: _("已回访，将限期整改：%(t)s") % {"t": ticket.title},
                lambda: _("整改期限：%(at)s") % {"at": due},
            )
    return ticket


def ticket_cancel(*, actor, ticket: Ticket, now=None) -> Ticket:
    """The reporter withdraws a ticket nobody has accepted yet."""
    if ticket.reported_by_id != actor.pk and not may_rate(actor, ticket):
        raise Forbidden
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(ticket, [Status.SUBMITTED], status=Status.CANCELLED, closed_at=now):
            raise Conflict(_("已受理的工单不能撤回，请联系物业。"))
        _event(ticket, Event.CANCELLED, now, actor)
        audit(actor=actor, action="tickets.ticket.cancelled", obj=ticket)
    ticket.refresh_from_db()
    return ticket


def ticket_follow(*, actor, ticket: Ticket) -> Ticket:
    """A resident of the compound follows an open common-area ticket (the
    answer to "already reported"): its notices reach them too."""
    if ticket.place_kind != Place.COMMON or ticket.status not in OPEN:
        raise Conflict(_("只能关注处理中的公共区域报修。"))
    in_compound = Household.objects.filter(
        pk__in=households_of(actor), compound_id=ticket.compound_id
    ).exists()
    if not in_compound:
        raise Forbidden
    with transaction.atomic():
        ticket.followers.add(actor)
        audit(actor=actor, action="tickets.ticket.followed", obj=ticket)
    return ticket


def open_for_app(
    *, actor, compound, title, description, category=None, unit=None, source=None
) -> int:
    """The ``tickets.open`` intent: another app opens a repair ticket.

    Called as ``fn(actor=, compound=, title=, description=, category=None,
    unit=None, source=None) -> ticket id`` (an int):

    - ``actor``: the user handing over; the calling app has checked its own
      permission for the hand-over, so no tickets permission is needed, but
      ``compound`` must be within the actor's scope (else ``Forbidden``);
    - ``compound``: a ``core.Compound``;
    - ``title`` (≤ 100 characters, cut), ``description`` (required);
    - ``category``: a category code of the compound's company (``other`` when
      None or unknown);
    - ``unit``: an ``estates.Household`` (or its id) of the compound when the
      fault is in someone's home (the ticket is then theirs to follow and
      rate, and counts in their daily limit), else None for a common area;
    - ``source``: ``"patrol"``, ``"care"`` or None (``"other"``).

    The ticket runs against the category's targets from now; a duplicate of
    an open common-area fault is opened anyway (a patrol or a visit may add
    to a resident's report). Raises ``core.errors`` refusals (``Invalid``
    with field errors, ``Conflict`` when the household is at its daily
    limit)."""
    if not _in_scope(actor, compound):
        raise Forbidden
    categories_ensure(compound.company)
    code = (
        category
        if Category.objects.filter(
            company=compound.company, code=str(category or ""), active=True
        ).exists()
        else "other"
    )
    household = None
    if unit is not None:
        household = (
            unit
            if isinstance(unit, Household)
            else Household.objects.filter(pk=unit, compound=compound).first()
        )
        if household is None or household.compound_id != compound.pk:
            raise Invalid({"unit": [_("只能选择本小区的住户。")]})
    ticket = ticket_open(
        actor=actor,
        compound=compound,
        household=household,
        category=code,
        title=(title or "")[:100],
        description=description,
        place_kind=Place.UNIT if household else Place.COMMON,
        place=(title or "")[:100] if household is None else "",
        source=source if source in Source.values else Source.OTHER,
        allow_duplicate=True,
        trusted=True,
    )
    return ticket.pk


def _in_scope(user, compound) -> bool:
    return Compound.objects.filter(scope_q(user, compound="id"), pk=compound.pk).exists()
