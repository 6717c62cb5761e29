"""What the authority's wall screen (supervision) shows of emergencies, offered
as the intent ``emergency.open_events`` so supervision never imports this app.

``open_events(user) -> [dict]``: the open events ``user`` may see, newest
first, each ``{"id", "kind", "kind_label", "grade", "grade_label", "title",
"starts_at", "compounds", "reported", "overdue", "url"}`` — ``reported``:
compounds whose report for today is in; ``overdue``: compounds without one
after today's deadline; ``url``: the event's board, or "" for a user who may
not command it. Two queries for any number of events."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from . import access, selectors
from .models import DailyReport, EventCompound, Status
from .services.reports import deadline


def open_events(user) -> list[dict]:
    now = timezone.now()
    day = timezone.localdate(now)
    events = list(selectors.events_visible(user, status="open")[:20])
    counts = {
        r["event_id"]: r
        for r in EventCompound.objects.filter(event__in=events)
        .values("event_id")
        .annotate(
            compounds=Count("id"),
            reported=Count(
                "compound_id",
                filter=Q(
                    compound_id__in=DailyReport.objects.filter(
                        event_id__in=[e.pk for e in events], day=day
                    ).values("compound_id")
                ),
                distinct=True,
            ),
        )
    }
    out = []
    for event in events:
        c = counts.get(event.pk, {"compounds": 0, "reported": 0})
        late = event.status == Status.OPEN and now > deadline(event, day)
        out.append(
            {
                "id": event.pk,
                "kind": event.kind,
                "kind_label": event.get_kind_display(),
                "grade": event.grade,
                "grade_label": event.get_grade_display(),
                "title": event.title,
                "starts_at": event.starts_at,
                "compounds": c["compounds"],
                "reported": c["reported"],
                "overdue": (c["compounds"] - c["reported"]) if late else 0,
                "url": reverse("emergency_board", args=[event.pk])
                if access.can_command_event(user, event)
                else "",
            }
        )
    return out


def affected_compounds(compound_ids) -> set[int]:
    """Which of ``compound_ids`` (ids, or a queryset of them: a subquery, so
    a city's compounds are not sent as a list) an open event covers (intent
    ``emergency.affected_compounds``; one query for a whole wall)."""
    ids = compound_ids if hasattr(compound_ids, "query") else list(compound_ids)
    return set(
        EventCompound.objects.filter(
            compound_id__in=ids, event__status__in=(Status.OPENING, Status.OPEN)
        ).values_list("compound_id", flat=True)
    )
