"""A ticket reported (by a resident, staff for a resident, or another app
through the ``tickets.open`` intent): the daily limit claimed by a
conditional UPDATE, a common-area fault already reported pointed to its
first report, the category's clock started."""

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Compound
from wanjia.core.scoping import scope_q
from wanjia.estates.models import Household

from ..access import can_work, households_of
from ..models import (
    OPEN,
    Category,
    DailyCount,
    Event,
    Place,
    Source,
    Ticket,
    TicketPhoto,
)
from .categories import categories_ensure
from .notices import _event, _tell_staff, pick_assignee, workers_of
from .photos import photo_files

DAILY_LIMIT = 10


class Duplicate(Conflict):
    """The same common-area fault is already reported and open: follow it."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        super().__init__(
            _("这个问题已有人报修（工单 #%(id)s），您可以关注它的进度。") % {"id": ticket.pk},
            field="duplicate_of",
        )


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
