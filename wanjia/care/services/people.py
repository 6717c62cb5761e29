"""The care list: people added and changed by the managers, absences, the
audited reads (health notes) and reveals (an emergency contact's phone)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid, NotFound

from ..access import can_manage, can_read_health, can_visit, sees_person
from ..models import Absence, CarePerson, Level, Reason

FIELDS = (
    "reason",
    "level",
    "custom_days",
    "health_notes",
    "what_to_look_for",
    "active",
)


def _clean(compound, fields: dict, contacts, caretakers) -> tuple[dict, list, list]:
    errors = {}
    if fields.get("reason") not in Reason.values:
        errors["reason"] = _("请选择关爱原因。")
    level = fields.get("level")
    if level not in Level.values:
        errors["level"] = _("请选择探访频次。")
    days = fields.get("custom_days")
    if level == Level.CUSTOM:
        if days is None or not 1 <= int(days) <= 90:
            errors["custom_days"] = _("自定义间隔应为 1 到 90 天。")
    else:
        fields["custom_days"] = None
    if len(fields.get("health_notes") or "") > 2000:
        errors["health_notes"] = _("健康情况最多 2000 字。")
    if len(fields.get("what_to_look_for") or "") > 300:
        errors["what_to_look_for"] = _("留意事项最多 300 字。")
    clean_contacts = []
    for c in contacts or []:
        name, phone = (c.get("name") or "").strip(), (c.get("phone") or "").strip()
        if not name and not phone:
            continue
        if not name or len(name) > 50:
            errors["contacts"] = _("请填写紧急联系人姓名（最多 50 字）。")
        elif pii.phone_error(phone):
            errors["contacts"] = _("紧急联系人手机号应为11位，以1开头。")
        relation = (c.get("relation") or "").strip()[:20]
        clean_contacts.append(
            {"name": name, "phone": phone, **({"relation": relation} if relation else {})}
        )
    if len(clean_contacts) > 5:
        errors["contacts"] = _("紧急联系人最多 5 位。")
    users = list(caretakers or [])
    if any(not can_visit(u, compound) for u in users):
        errors["caretakers"] = _("探访人须是本小区的工作人员、志愿者或党员。")
    if errors:
        raise Invalid(errors)
    return fields, clean_contacts, users


def person_create(
    *,
    actor,
    compound,
    resident,
    reason: str,
    level: str = Level.DAILY,
    custom_days=None,
    caretakers=(),
    contacts=(),
    health_notes: str = "",
    what_to_look_for: str = "",
    started_on: date | None = None,
) -> CarePerson:
    if actor is not None and not can_manage(actor, compound):
        raise Forbidden
    if resident is None or resident.compound_id != compound.pk:
        raise Invalid({"resident": _("请选择本小区的居民。")})
    fields, contacts, users = _clean(
        compound,
        {
            "reason": reason,
            "level": level,
            "custom_days": custom_days,
            "health_notes": health_notes or "",
            "what_to_look_for": what_to_look_for or "",
        },
        contacts,
        caretakers,
    )
    try:
        with transaction.atomic():
            person = CarePerson(
                compound=compound,
                resident=resident,
                started_on=started_on or timezone.localdate(),
                primary=users[0] if users else None,
                **fields,
            )
            person.set_contacts(contacts)
            person.save()
            person.caretakers.set(users)
            audit(actor=actor, action="care.person.created", obj=person, compound=compound)
    except IntegrityError:
        raise Invalid({"resident": _("这位居民已在关爱名单上。")}) from None
    return person


def person_update(*, actor, person: CarePerson, contacts=None, caretakers=None, **fields):
    if not can_manage(actor, person.compound):
        raise Forbidden
    current = {f: getattr(person, f) for f in FIELDS}
    merged = {**current, **{k: v for k, v in fields.items() if k in FIELDS}}
    merged, clean_contacts, users = _clean(
        person.compound,
        merged,
        person.contacts if contacts is None else contacts,
        list(person.caretakers.all()) if caretakers is None else caretakers,
    )
    with transaction.atomic():
        for k, v in merged.items():
            setattr(person, k, v)
        person.set_contacts(clean_contacts)
        if person.primary not in users:
            person.primary = users[0] if users else None
        person.save()
        person.caretakers.set(users)
        audit(actor=actor, action="care.person.updated", obj=person, compound=person.compound)
    return person


def absence_add(*, actor, person: CarePerson, starts_on, ends_on, reason: str) -> Absence:
    if not (can_manage(actor, person.compound) or sees_person(actor, person)):
        raise Forbidden
    errors = {}
    if starts_on is None:
        errors["starts_on"] = _("请填写开始日期。")
    if ends_on is None:
        errors["ends_on"] = _("请填写结束日期。")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    reason = (reason or "").strip()
    if not reason or len(reason) > 100:
        errors["reason"] = _("请填写原因（最多 100 字）。")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        absence = Absence.objects.create(
            person=person, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=actor
        )
        audit(actor=actor, action="care.absence.added", obj=person, compound=person.compound)
    return absence


def health_read(*, actor, person: CarePerson) -> str | None:
    """The health notes in clear for who may read them (each read audited);
    None for everyone else (the page shows them masked)."""
    if not person.health_notes:
        return ""
    if not (can_read_health(actor, person.compound) and sees_person(actor, person)):
        return None
    audit(actor=actor, action="care.health.read", obj=person, compound=person.compound)
    return person.health_notes


def contact_reveal(*, actor, person: CarePerson, index: int) -> str:
    """One emergency contact's phone in clear, for a caretaker of the person
    or a manager (audited)."""
    if not sees_person(actor, person):
        raise Forbidden
    contacts = person.contacts
    if not 0 <= index < len(contacts):
        raise NotFound
    phone = contacts[index].get("phone", "")
    if not phone:
        raise Conflict(_("这位联系人没有留手机号。"))
    audit(
        actor=actor,
        action="care.contact.revealed",
        obj=person,
        compound=person.compound,
        detail={"contact": index},
    )
    return phone
