"""A closed ticket as a rateable subject (好差评), registered with the kernel
from ``apps.py``: a ticket of one of the caller's households, finished when it
closed (``closed_at``; a withdrawn ticket never is).

One rating per ticket, and the two loops do not fight. A ticket has its own
rating: the stars on the done work (``ticket_rate``), where two or fewer
reopen it for a return visit with a fix deadline and a re-rate — the ticket's
own unhappy loop, against the work itself. That rating is recorded with the
satisfaction app through the ``feedback.record_rating`` intent (the first
stars create the household's rating of ``ticket:<id>``, a re-rate after the
fix updates it), so the index counts it and the ticket cannot be rated a
second time (409). The satisfaction app opens no loop of its own for it: the
ticket's reopen is that loop, and a second one on the same complaint would
ask the company to call back twice and the resident to re-rate twice.

A ticket that closed without stars (closed at the return visit, or by itself
after 7 days unrated) is offered on 我的评价 like any other service; an
unhappy rating there runs the satisfaction loop (call back, fix, re-rate)
and never reopens the closed ticket: the ticket's reopen only acts on a done
ticket, so there is one loop at a time."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.rateables import Subject, households_of

from .models import Status, Ticket


def _tickets(household_ids):
    return Ticket.objects.filter(household_id__in=household_ids).select_related("compound")


def subject_of(ticket: Ticket, finished_at=None) -> Subject:
    closed = ticket.status == Status.CLOSED and ticket.closed_at is not None
    return Subject(
        kind="ticket",
        id=ticket.pk,
        label=_("报事报修 #%(no)s %(title)s") % {"no": ticket.pk, "title": ticket.title},
        url=reverse("tickets_h5_ticket", args=[ticket.pk]),
        compound_id=ticket.compound_id,
        company_id=ticket.compound.company_id,
        household_id=ticket.household_id,
        finished_at=finished_at or (ticket.closed_at if closed else None),
    )


def find_ticket(user, pk: int) -> Subject | None:
    ticket = _tickets(households_of(user)).filter(pk=pk).first()
    return subject_of(ticket) if ticket is not None else None


def recent_tickets(household_ids, since) -> list[Subject]:
    rows = _tickets(household_ids).filter(
        status=Status.CLOSED, closed_at__gte=since, rating__isnull=True
    )
    return [subject_of(t) for t in rows.order_by("-closed_at")[:50]]
