"""What the disputes endpoints share: the router, the case and party shapes."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from .. import access, selectors

router = Router(tags=["disputes"])

# The households one case may name: a dispute between neighbours, or a whole
# floor against the company, never a compound's worth.
MAX_PARTIES = 50


class PartyOut(Schema):
    id: int
    label: str
    household: int | None
    company: int | None
    satisfaction: int | None
    comment: str
    rated_at: datetime | None


class CaseOut(Schema):
    id: int
    compound: int
    compound_name: str
    building: int | None
    building_name: str
    category: str
    category_label: str
    summary: str
    risk: str
    level: str
    status: str
    source: str
    mediator: int | None
    mediator_name: str
    opened_at: datetime
    due_at: datetime
    hours_left: int | None
    timeouts: int
    resolved_at: datetime | None
    resolved_level: str
    followup_due: date | None
    reopened: int
    parties: list[PartyOut]


class SessionOut(Schema):
    id: int
    level: str
    held_at: datetime
    place: str
    attendees: str
    notes: str | None = Field(None, description="null when the caller may not read notes")
    mediator_name: str


class EventOut(Schema):
    at: datetime
    kind: str
    from_level: str
    to_level: str
    actor_name: str
    mediator_name: str
    reason: str


class CaseDetailOut(CaseOut):
    resolution: str
    agreement: str
    followup_note: str | None
    sessions: list[SessionOut]
    events: list[EventOut]
    can_mediate: bool


def _party(p) -> dict:
    return {
        "id": p.pk,
        "label": p.label,
        "household": p.household_id,
        "company": p.company_id,
        "satisfaction": p.satisfaction,
        "comment": p.comment,
        "rated_at": p.rated_at,
    }


def case_out(case) -> dict:
    left = None
    if case.is_open:
        left = selectors.time_left(case)["hours"]
    return {
        "id": case.pk,
        "compound": case.compound_id,
        "compound_name": case.compound.name,
        "building": case.building_id,
        "building_name": case.building.name if case.building_id else "",
        "category": case.category,
        "category_label": case.get_category_display(),
        "summary": case.summary,
        "risk": case.risk,
        "level": case.level,
        "status": case.status,
        "source": case.source,
        "mediator": case.mediator_id,
        "mediator_name": case.mediator.name if case.mediator_id else "",
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "hours_left": left,
        "timeouts": case.timeouts,
        "resolved_at": case.resolved_at,
        "resolved_level": case.resolved_level,
        "followup_due": case.followup_due,
        "reopened": case.reopened,
        "parties": [_party(p) for p in case.parties.all()],
    }


def case_detail_out(case, user) -> dict:
    notes = access.can_see_notes(user, case)
    out = case_out(case)
    out.update(
        resolution=case.resolution,
        agreement=case.agreement,
        followup_note=case.followup_note if notes else None,
        can_mediate=access.can_mediate(user, case),
        sessions=[
            {
                "id": s.pk,
                "level": s.level,
                "held_at": s.held_at,
                "place": s.place,
                "attendees": s.attendees,
                "notes": s.notes if notes else None,
                "mediator_name": s.mediator.name if s.mediator_id else "",
            }
            for s in selectors.case_sessions(case)
        ],
        events=[
            {
                "at": e.at,
                "kind": e.kind,
                "from_level": e.from_level,
                "to_level": e.to_level,
                "actor_name": e.actor.name if e.actor_id else _("系统"),
                "mediator_name": e.mediator.name if e.mediator_id else "",
                "reason": e.reason,
            }
            for e in selectors.case_events(case)
        ],
    )
    return out
