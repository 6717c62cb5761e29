"""Every scoped read of the tickets app's pages and API. Staff and managers
see their compounds' tickets; a resident sees the household's tickets and
the common-area tickets they follow; the regulator reads figures only."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from wanjia.core.models import Building, Company, Compound, Membership, ScopeType, User
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import get_or_404, scope_q
from wanjia.estates.models import Household

from .. import sla
from ..access import households_of
from ..models import OPEN, Category, Status, Ticket, TicketPhoto
from .figures import _bounds

__all__ = ["get_or_404"]


def _work_roles():
    return CAPABILITIES["tickets.work"] | CAPABILITIES["tickets.manage"]


def compounds_for(user, action: str = "tickets.work"):
    return Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES[action], compound="id")
    ).order_by("code")


def compounds_seen(user):
    return Compound.objects.filter(scope_q(user, compound="id"))


def companies_for(user):
    ids = Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES["tickets.categories"], compound="id")
    ).values("company_id")
    return Company.objects.filter(pk__in=ids).order_by("name")


def tickets_visible_to(user):
    """Staff side: the compounds they work; resident side: their households'
    tickets and the ones they follow."""
    q = scope_q(user, roles=_work_roles(), compound="compound_id")
    mine = households_of(user)
    if mine:
        q |= Q(household_id__in=mine) | Q(followers=user)
    return (
        Ticket.objects.filter(q)
        .distinct()
        .select_related("compound", "category", "household__unit", "household__building")
        .select_related("building", "assignee", "reported_by")
    )


def ticket_rows(user):
    return tickets_visible_to(user)


def my_tickets(user, *, status: str = ""):
    """The resident's tickets (their households' and the followed), newest
    first; of one status (or ``open``) when given."""
    mine = households_of(user)
    rows = (
        Ticket.objects.filter(Q(household_id__in=mine) | Q(followers=user))
        .distinct()
        .select_related("category", "household__unit", "household__building", "building")
        .select_related("assignee", "compound")
        .order_by("-created_at")
    )
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status:
        rows = rows.filter(status=status)
    return rows


def my_open_count(user) -> int:
    return my_tickets(user).filter(status__in=OPEN).count()


def my_work(user):
    """Staff's phone list: the tickets assigned to them still to do, then the
    compound's unassigned new ones they may take, by deadline."""
    scope = scope_q(user, roles=CAPABILITIES["tickets.work"], compound="compound_id")
    rows = (
        Ticket.objects.filter(scope, status__in=OPEN)
        .filter(Q(assignee=user) | Q(assignee__isnull=True))
        .select_related("compound", "category", "household__unit", "household__building")
        .select_related("building")
    )
    return sorted(
        rows,
        key=lambda t: (
            t.assignee_id is None,
            t.due_by if t.status != Status.SUBMITTED else t.respond_by,
        ),
    )


def queue(compound, *, status: str = "", category: str = "", overdue: bool = False, now=None):
    """A compound's tickets with the queue's filters (unknown values ignored)."""
    now = now or timezone.now()
    rows = Ticket.objects.filter(compound=compound).select_related(
        "category", "household__unit", "household__building", "building", "assignee"
    )
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status in Status.values:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category__code=category[:30])
    if overdue:
        rows = rows.filter(overdue_q(now))
    return rows.order_by("-created_at", "-id")


def overdue_q(now) -> Q:
    late_response = Q(status=Status.SUBMITTED, respond_by__lt=now)
    late_finish = Q(status__in=OPEN) & (
        Q(fix_by__isnull=True, finish_by__lt=now) | Q(fix_by__lt=now)
    )
    return late_response | late_finish


def due_today_q(now) -> Q:
    end = timezone.make_aware(
        datetime.combine(timezone.localdate(now) + timedelta(days=1), time(0))
    )
    return Q(status__in=OPEN) & (
        Q(status=Status.SUBMITTED, respond_by__lt=end)
        | Q(fix_by__isnull=True, finish_by__lt=end)
        | Q(fix_by__lt=end)
    )


def work_counts(user, now=None) -> dict:
    """Open tickets the user works that are due today and overdue."""
    now = now or timezone.now()
    scope = scope_q(user, roles=_work_roles(), compound="compound_id")
    base = Ticket.objects.filter(scope, status__in=OPEN)
    if not CAPABILITIES["tickets.manage"] & _roles(user):
        base = base.filter(Q(assignee=user) | Q(assignee__isnull=True))
    return {
        "due": base.filter(due_today_q(now)).count(),
        "overdue": base.filter(overdue_q(now)).count(),
        "open": base.count(),
    }


def _roles(user) -> set:
    from wanjia.core.scoping import roles_of

    return roles_of(user)


def categories_of(company, *, active_only: bool = True):
    rows = Category.objects.filter(company=company)
    if active_only:
        rows = rows.filter(active=True)
    return rows.order_by("sort", "id")


def category_rows():
    return Category.objects.select_related("company")


def company_rows(user):
    return Company.objects.filter(pk__in=companies_for(user).values("pk"))


def compound_households(compound):
    return (
        Household.objects.filter(compound=compound)
        .select_related("unit", "building")
        .order_by("building__sort", "unit__name", "floor", "room")
    )


def household_in(compound, pk):
    return (
        Household.objects.filter(compound=compound, pk=pk)
        .select_related("compound", "building")
        .first()
    )


def buildings_of(compound):
    return Building.objects.filter(compound=compound).order_by("sort", "name")


def building_in(compound, pk):
    return Building.objects.filter(compound=compound, pk=pk).first()


def my_households(user):
    return Household.objects.filter(pk__in=households_of(user)).select_related(
        "compound__company", "unit", "building"
    )


def workers(compound):
    ids = Membership.objects.filter(
        role__in=CAPABILITIES["tickets.work"], scope_type=ScopeType.COMPOUND, compound=compound
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "id")


def worker_in(compound, pk):
    return workers(compound).filter(pk=pk).first()


def photo_rows(user):
    """Photos of the tickets ``user`` sees, or reads as evidence (the authority)."""
    readable = Ticket.objects.filter(
        scope_q(user, roles=CAPABILITIES["tickets.view"], compound="compound_id")
    ).values("pk")
    return TicketPhoto.objects.filter(
        Q(ticket__in=tickets_visible_to(user).values("pk")) | Q(ticket__in=readable)
    ).select_related("ticket")


def events_of(ticket):
    return ticket.events.select_related("actor").order_by("at", "id")


def export_rows(compound, start: date, end: date):
    lo, hi = _bounds(start, end)
    return (
        Ticket.objects.filter(compound=compound, created_at__gte=lo, created_at__lt=hi)
        .select_related(
            "category", "household__unit", "household__building", "building", "assignee"
        )
        .order_by("created_at", "id")
    )


def clock(ticket, now=None) -> dict:
    """What the resident, the staff and the regulator read: each step's time,
    each target, and whether it was met (``sla``'s rules)."""
    now = now or timezone.now()
    targets = [
        {
            "key": "respond",
            "target": ticket.respond_by,
            "reached": ticket.accepted_at,
            "met": sla.respond_met(ticket, now),
        },
        {
            "key": "finish",
            "target": ticket.finish_by,
            "reached": ticket.first_done_at,
            "met": sla.finish_met(ticket, now),
        },
    ]
    if ticket.fix_by:
        targets.append(
            {
                "key": "fix",
                "target": ticket.fix_by,
                "reached": ticket.done_at
                if ticket.status in (Status.DONE, Status.CLOSED)
                else None,
                "met": sla.fix_met(ticket, now),
            }
        )
    return {"targets": targets, "events": list(events_of(ticket))}


def worked_by(user) -> Q:
    """The tickets of compounds where ``user`` works tickets (not a resident's own)."""
    return scope_q(user, roles=_work_roles(), compound="compound_id")


def work_households(user):
    return Household.objects.filter(
        scope_q(user, roles=_work_roles(), compound="compound_id")
    ).select_related("compound__company", "building")


def staff_ticket_rows():
    """A ticket for the console (the gate applies the tenancy)."""
    return Ticket.objects.select_related(
        "compound",
        "category",
        "household__unit",
        "household__building",
        "building",
        "assignee",
        "reported_by",
    )


def companies_seen(user):
    return Company.objects.filter(pk__in=compounds_seen(user).values("company_id"))


def category_rows_for(user):
    return Category.objects.filter(company__in=companies_seen(user)).select_related("company")


def followable(user):
    """Open common-area tickets of the compounds of the user's households."""
    compounds = Household.objects.filter(pk__in=households_of(user)).values("compound_id")
    return Ticket.objects.filter(
        compound_id__in=compounds, place_kind="common", status__in=OPEN
    ).select_related("compound")


def first_work_compound(user):
    return compounds_for(user).select_related("company").first()


def my_household(user, pk=None):
    """The user's household ``pk`` (their first when None), or None."""
    homes = my_households(user).order_by("id")
    return homes.filter(pk=pk).first() if pk else homes.first()


def worked_tickets(user):
    return tickets_visible_to(user).filter(worked_by(user))
