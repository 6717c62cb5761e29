"""Every write to the registry goes through here (keyword-only, atomic, with actor)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.models import Building, Compound, Region
from wanjia.core.scoping import can

from .models import Household, Relation, Resident, StaffDuty, StaffMember, Unit

RESIDENT_FIELDS = {
    "name",
    "relation",
    "gender",
    "phone",
    "id_number",
    "birth_date",
    "lives_alone",
    "disability",
    "chronic_illness",
    "health_notes",
    "is_party_member",
    "emergency_contacts",
}


def _spell_out(chars: str) -> list[str]:
    # Characters without pinyin (Latin letters, digits) stand for themselves,
    # one "syllable" each: 李Anna -> ("lianna", "lanna").
    return list(chars.lower())


def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a Chinese name: 张伟 -> ("zhangwei", "zw").

    One conversion only: Style.FIRST_LETTER is the first letter of the
    Style.NORMAL syllable, and both see the same phrase segmentation (so a
    polyphonic character reads the same in both), so the initials are taken
    from the syllables instead of converting the name a second time."""
    syllables = lazy_pinyin(name, errors=_spell_out)
    return "".join(syllables).lower(), "".join(s[0] for s in syllables).lower()


def region_create(
    *, actor, kind: str, name: str, code: str, parent: Region | None = None
) -> Region:
    with transaction.atomic():
        region = Region.objects.create(kind=kind, name=name, code=code, parent=parent, path="")
        region.path = f"{parent.path if parent else '/'}{region.pk}/"
        region.save(update_fields=["path"])
        audit(
            actor=actor,
            action="estates.region.created",
            obj=region,
            detail={
                "kind": kind,
                "name": name,
                "code": code,
                "parent": parent.pk if parent else None,
            },
        )
    return region


def household_code(compound: Compound, building: Building, unit: Unit, room: str) -> str:
    return f"{compound.code}-{building.name}-{unit.name}-{room}"


def _require(actor, capability: str, *, compound, building_id: int | None = None) -> None:
    """Refuse (403) unless ``actor`` holds ``capability`` over ``compound``.

    ``actor=None`` is the system itself (the demo loader, management commands,
    test fixtures): it acts without a membership and is audited as "system"."""
    if actor is None:
        return
    if not can(actor, capability, compound=compound, building_id=building_id):
        raise PermissionDenied


def household_create(*, actor, unit: Unit, room: str, floor: int, area_m2=None) -> Household:
    building = unit.building
    compound = building.compound
    _require(actor, "estates.edit", compound=compound)
    with transaction.atomic():
        household = Household.objects.create(
            unit=unit,
            building=building,
            compound_id=building.compound_id,
            room=room,
            floor=floor,
            area_m2=area_m2,
            code=household_code(compound, building, unit, room),
        )
        audit(
            actor=actor,
            action="estates.household.created",
            obj=household,
            compound=compound,
            detail={"code": household.code, "floor": floor, "area_m2": area_m2},
        )
    return household


def validate_resident(data: dict) -> dict:
    """Clean resident fields; raise ValidationError naming every bad field."""
    errors: dict[str, list] = {}
    clean = {k: v for k, v in data.items() if k in RESIDENT_FIELDS}
    if "name" in clean:
        clean["name"] = (clean["name"] or "").strip()
        if not clean["name"]:
            errors["name"] = [_("请填写姓名。")]
        elif len(clean["name"]) > 50:
            errors["name"] = [_("姓名不能超过50个字。")]
    if clean.get("relation") not in (None, *Relation.values):
        errors["relation"] = [_("与户关系只能是业主、租户或家庭成员。")]
    if clean.get("phone"):
        clean["phone"] = clean["phone"].strip()
        if err := pii.phone_error(clean["phone"]):
            errors["phone"] = [err]
    if clean.get("id_number"):
        clean["id_number"] = pii.normalize_id_number(clean["id_number"])
        if err := pii.id_number_error(clean["id_number"]):
            errors["id_number"] = [err]
    birth = clean.get("birth_date")
    if birth is not None and not isinstance(birth, date):
        errors["birth_date"] = [_("出生日期格式应为 YYYY-MM-DD。")]
    elif birth is not None and birth > date.today():
        errors["birth_date"] = [_("出生日期不能晚于今天。")]
    contacts = clean.get("emergency_contacts")
    if contacts is not None:
        if not isinstance(contacts, list) or not all(
            isinstance(c, dict) and (c.get("name") or "").strip() for c in contacts
        ):
            errors["emergency_contacts"] = [_("紧急联系人需包含姓名。")]
        else:
            for c in contacts:
                if c.get("phone") and pii.phone_error(c["phone"]):
                    errors["emergency_contacts"] = [_("紧急联系人的手机号应为11位，以1开头。")]
    if errors:
        raise ValidationError(errors)
    return clean


def _apply(resident: Resident, clean: dict) -> None:
    for key, value in clean.items():
        setattr(resident, key, value)
    if "name" in clean:
        resident.name_pinyin, resident.name_initials = pinyin_keys(resident.name)
    if "id_number" in clean:
        resident.id_number_hash = pii.lookup_hash(resident.id_number)


def resident_create(*, actor, household: Household, data: dict, ip: str | None = None) -> Resident:
    _require(actor, "estates.edit", compound=household.compound)
    data = {"relation": Relation.OWNER, **data}
    if not data.get("name"):
        data.setdefault("name", "")
    clean = validate_resident(data)
    with transaction.atomic():
        resident = Resident(
            household=household,
            building_id=household.building_id,
            compound_id=household.compound_id,
        )
        _apply(resident, clean)
        resident.save()
        audit(
            actor=actor,
            action="estates.resident.created",
            obj=resident,
            compound=household.compound,
            detail={"household": household.pk, "fields": sorted(clean)},
            ip=ip,
        )
    return resident


# Columns the services compute from a field, saved along with it.
_DERIVED = {"name": ("name_pinyin", "name_initials"), "id_number": ("id_number_hash",)}


def resident_update(*, actor, resident: Resident, data: dict, ip: str | None = None) -> Resident:
    """Change the given fields. Only fields whose stored value really changes are
    written and audited (old and new value, redacted: ID number and health notes
    as ***, phones masked); a change of nothing writes nothing.

    The comparison is with the stored row, locked for the transaction, not with
    ``resident`` (a form may already have changed that object in memory)."""
    _require(actor, "estates.edit", compound=resident.compound)
    clean = validate_resident(data)
    with transaction.atomic():
        stored = Resident.objects.select_for_update().get(pk=resident.pk)
        changes = {
            k: {"from": getattr(stored, k), "to": v}
            for k, v in clean.items()
            if getattr(stored, k) != v
        }
        _apply(resident, clean)
        if not changes:
            return resident
        derived = [d for f in changes for d in _DERIVED.get(f, ())]
        resident.save(update_fields=[*changes, *derived, "updated_at"])
        audit(
            actor=actor,
            action="estates.resident.updated",
            obj=resident,
            compound=resident.compound,
            detail={"fields": sorted(changes), "changes": changes},
            ip=ip,
        )
    return resident


def resident_reveal(*, actor, resident: Resident, field: str, ip: str | None = None) -> str:
    """Return a personal field in clear, after checking the role and auditing it."""
    capability = {"phone": "pii.reveal_phone", "id_number": "pii.reveal_id"}.get(field)
    if capability is None:
        raise ValidationError({"field": [_("只能查看手机号或身份证号。")]})
    if actor is None or not can(
        actor, capability, compound=resident.compound, building_id=resident.building_id
    ):
        raise PermissionDenied  # the system never needs a clear value; a person must be named
    audit(
        actor=actor,
        action=f"estates.resident.revealed_{field}",
        obj=resident,
        compound=resident.compound,
        detail={"field": field},
        ip=ip,
    )
    return getattr(resident, field)


class SearchRateLimited(Exception):
    """Too many resident searches by one user this minute."""

    @property
    def message(self) -> str:
        return _("查找过于频繁，请稍等一分钟后再试。")


def resident_search_run(*, actor, queryset, q: str, ip: str | None = None):
    """Search residents for ``actor`` (pages and API alike): counted against the
    user's per-minute budget (``RESIDENT_SEARCH_PER_MINUTE``), matched as the
    role allows (``selectors.resident_search``), and audited whenever it could
    match on a phone or ID number, with the query masked and the match count."""
    from django.conf import settings

    from wanjia.core.ratelimit import over_limit

    from . import selectors

    if (q or "").strip() and over_limit(
        actor, "estates.search", per_minute=settings.RESIDENT_SEARCH_PER_MINUTE
    ):
        raise SearchRateLimited
    results, identifier = selectors.resident_search(queryset, q, user=actor)
    if identifier:
        audit(
            actor=actor,
            action="estates.resident.searched",
            detail={
                "by": identifier,
                "query": selectors.masked_query(q),
                "matches": results.count(),
            },
            ip=ip,
        )
    return results


def staff_create(
    *,
    actor,
    company,
    compound,
    name: str,
    phone: str = "",
    duties: list[str] = (),
    is_party_member: bool = False,
    user=None,
) -> StaffMember:
    if compound is not None:
        _require(actor, "staff.manage", compound=compound)
    elif actor is not None and not _is_company_admin(actor, company):
        raise PermissionDenied
    if phone and (err := pii.phone_error(phone)):
        raise ValidationError({"phone": [err]})
    with transaction.atomic():
        staff = StaffMember.objects.create(
            company=company,
            compound=compound,
            name=name,
            phone=phone,
            is_party_member=is_party_member,
            user=user,
        )
        StaffDuty.objects.bulk_create(
            [StaffDuty(staff=staff, duty=d) for d in dict.fromkeys(duties)]
        )
        audit(
            actor=actor,
            action="estates.staff.created",
            obj=staff,
            compound=compound,
            detail={"duties": list(duties)},
        )
    return staff


def _is_company_admin(actor, company) -> bool:
    from wanjia.core.roles import Role
    from wanjia.core.scoping import memberships_of

    return getattr(actor, "is_superuser", False) or any(
        m.role == Role.COMPANY_ADMIN and m.company_id == company.pk for m in memberships_of(actor)
    )
