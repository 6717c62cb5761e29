"""Who works a compound's tickets, who is told, and the ticket's event log."""

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse

from wanjia.core.models import Membership, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import Role
from wanjia.estates.models import StaffMember

from ..models import (
    OPEN,
    Ticket,
    TicketEvent,
)

AUTO_CLOSE_AFTER = timedelta(days=7)


UNHAPPY = 2


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
