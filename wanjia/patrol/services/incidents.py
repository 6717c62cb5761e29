"""Incidents found on a round, and their hand-off to another app through the
kernel's intents (``disputes.incident_to_case``, ``tickets.open`` when those
apps offer them): never an import of a peer app."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden

from ..access import can_hand_over, can_manage, can_patrol
from ..models import HandedTo, Incident, IncidentCategory, Severity
from .photos import photo_file

TO_CASE = "disputes.incident_to_case"
TO_TICKET = "tickets.open"  # offered by the tickets app (报事报修)


def incident_report(
    *,
    actor,
    compound,
    category: str,
    note: str,
    severity: str = Severity.LOW,
    place: str = "",
    checkpoint=None,
    run=None,
    photo=None,
    created_at=None,
) -> Incident:
    if not (can_patrol(actor, compound) or can_manage(actor, compound)):
        raise Forbidden
    errors = {}
    if category not in IncidentCategory.values:
        errors["category"] = [_("请选择类别。")]
    if severity not in Severity.values:
        errors["severity"] = [_("请选择严重程度。")]
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("请简要说明情况。")]
    elif len(note) > 500:
        errors["note"] = [_("说明最多 500 个字。")]
    if len(place or "") > 100:
        errors["place"] = [_("地点最多 100 个字。")]
    if checkpoint is not None and checkpoint.compound_id != compound.pk:
        errors["checkpoint"] = [_("只能选择本小区的巡更点。")]
    if errors:
        raise ValidationError(errors)
    image = photo_file(photo) if photo else None
    with transaction.atomic():
        incident = Incident.objects.create(
            compound=compound,
            checkpoint=checkpoint,
            run=run,
            reported_by=actor,
            category=category,
            severity=severity,
            place=(place or "").strip(),
            note=note,
            created_at=created_at or timezone.now(),
        )
        if image is not None:
            incident.photo.save(f"{incident.pk}.jpg", image, save=True)
        audit(actor=actor, action="patrol.incident.reported", obj=incident)
    return incident


INTENTS = {
    HandedTo.DISPUTE: TO_CASE,
    HandedTo.REPAIR: TO_TICKET,
}


def incident_hand_to_dispute(*, actor, incident: Incident) -> Incident:
    """Open a dispute case from the incident (the disputes app's offer)."""
    return incident_hand_over(actor=actor, incident=incident, to=HandedTo.DISPUTE)


def incident_hand_over(*, actor, incident: Incident, to: str) -> Incident:
    """Hand the incident to the app that offers ``INTENTS[to]`` (a dispute case,
    a repair ticket); its answer (the new record's id) is kept as
    ``handed_ref``. 409 when already handed over or when no installed app
    offers that hand-over. The offer is called as ``fn(actor=, compound=,
    title=, description=) -> id``."""
    if not can_hand_over(actor, incident.compound):
        raise Forbidden
    if to not in INTENTS:
        raise ValidationError({"to": _("请选择转交去向。")})
    if incident.handed_to:
        raise Conflict(_("这条发现已转交过了。"))
    if not intents.offered(INTENTS[to]):
        raise Conflict(_("本系统未启用相应模块，无法转交。"))
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.handed_to:
            raise Conflict(_("这条发现已转交过了。"))
        ref = intents.ask(
            INTENTS[to],
            actor=actor,
            compound=incident.compound,
            title=f"{locked.get_category_display()} · {locked.place}".strip(" ·"),
            description=locked.note,
            **({"source": "patrol"} if to == HandedTo.REPAIR else {}),
        )
        locked.handed_to, locked.handed_ref = to, str(ref)
        locked.handed_at = timezone.now()
        locked.save(update_fields=["handed_to", "handed_ref", "handed_at"])
        audit(
            actor=actor,
            action="patrol.incident.handed",
            obj=locked,
            detail={"to": to, "ref": str(ref)},
        )
    return locked
