"""Intake: opening a case, who it goes to first and at which level."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.notify import notify
from wanjia.core.roles import Role
from wanjia.core.scoping import roles_for

from .. import access
from ..models import (
    Case,
    CaseParty,
    Category,
    EventKind,
    Level,
    Risk,
    Source,
    Sweep,
)
from .common import STAFF_SIDE, _event, _text, case_url, policy_for

# ---------------------------------------------------------------- intake


def _source_for(actor, case_compound, building, sweep) -> str:
    if sweep is not None:
        return Source.SWEEP
    held = roles_for(actor, compound=case_compound, building_id=building and building.pk)
    if Role.BUILDING_LEADER in held:
        return Source.LEADER
    return Source.STAFF if held & STAFF_SIDE else Source.RESIDENT


def _led_building(actor, compound):
    """The one building ``actor`` leads in ``compound``, if exactly one."""
    from wanjia.core.scoping import memberships_of

    led = {
        m.building_id
        for m in memberships_of(actor)
        if m.role == Role.BUILDING_LEADER and m.compound_id == compound.pk and m.building_id
    }
    return compound.buildings.filter(pk=led.pop()).first() if len(led) == 1 else None


def _intake_building(actor, compound, building, own_households):
    """Where the case sits. A resident's case sits in their own building; a
    building leader's, unless they say otherwise, in the building they lead."""
    if building is None and not own_households:
        building = _led_building(actor, compound)
    if own_households:
        own_buildings = set(own_households.values_list("building_id", flat=True))
        if building is None:
            return own_households.first().building
        if building.pk not in own_buildings:
            raise ValidationError({"building": _("居民只能上报自己所在楼栋的矛盾纠纷。")})
    if building is not None and building.compound_id != compound.pk:
        raise ValidationError({"building": _("楼栋不属于该小区。")})
    return building


def _check_intake_permission(actor, compound, building, own_households) -> None:
    if own_households:
        return  # a resident reports for their own household
    held = roles_for(actor, compound=compound, building_id=building and building.pk)
    if not held & STAFF_SIDE:
        raise PermissionDenied


def _starting_level(case, risk: str) -> tuple[str, object, str]:
    """(level, mediator, reason): red goes to the compound; a building with nobody
    to mediate hands the case straight to the compound."""
    if risk == Risk.RED:
        return (
            Level.COMPOUND,
            access.pick_mediator(case, Level.COMPOUND),
            _("红色风险直接由小区调处"),
        )
    if case.building_id is None:
        return Level.COMPOUND, access.pick_mediator(case, Level.COMPOUND), _("涉及全小区")
    mediator = access.pick_mediator(case, Level.BUILDING)
    if mediator is None:
        return (
            Level.COMPOUND,
            access.pick_mediator(case, Level.COMPOUND),
            _("本楼栋暂无楼栋长或联户党员"),
        )
    return Level.BUILDING, mediator, ""


def case_open(
    *,
    actor,
    compound,
    category: str,
    summary: str,
    building=None,
    households=(),
    company_party: bool = False,
    risk: str = Risk.BLUE,
    sweep: Sweep | None = None,
) -> Case:
    """Open a case. ``households`` are the other parties; a resident reporter's own
    household is always a party. Residents report only for their own household."""
    from wanjia.estates.models import Household

    if category not in Category.values:
        raise ValidationError({"category": _("请选择矛盾类别。")})
    if risk not in Risk.values:
        raise ValidationError({"risk": _("风险等级只能是蓝色、黄色或红色。")})
    summary = _text(summary, "summary", _("情况描述"), 2000)
    if sweep is not None:
        building = sweep.building
    own = Household.objects.filter(
        compound=compound, pk__in=access.party_households_of(actor)
    ).select_related("building")
    if roles_for(actor, compound=compound) & STAFF_SIDE or _led_building(actor, compound):
        own = own.none()  # staff who also live here report as staff
    building = _intake_building(actor, compound, building, own)
    _check_intake_permission(actor, compound, building, own.exists())
    party_households = list(own) + [h for h in households if h.pk not in {o.pk for o in own}]
    for h in party_households:
        if h.compound_id != compound.pk:
            raise ValidationError({"parties": _("当事住户须是本小区住户。")})
    if not party_households and not company_party:
        raise ValidationError({"parties": _("请至少选择一方当事人（住户或物业公司）。")})
    if company_party and compound.company_id is None:
        raise ValidationError({"parties": _("该小区没有物业企业。")})
    return _create_case(
        actor=actor,
        compound=compound,
        building=building,
        category=category,
        summary=summary,
        risk=risk,
        sweep=sweep,
        households=party_households,
        company_party=company_party,
    )


def _create_case(
    *, actor, compound, building, category, summary, risk, sweep, households, company_party
) -> Case:
    now = timezone.now()
    with transaction.atomic():
        case = Case(
            compound=compound,
            building=building,
            category=category,
            summary=summary,
            risk=risk,
            source=_source_for(actor, compound, building, sweep),
            sweep=sweep,
            reported_by=actor,
            opened_at=now,
            level_since=now,
        )
        case.level, case.mediator, reason = _starting_level(case, risk)
        case.due_at = now + timedelta(days=policy_for(compound).days_for(case.level))
        case.save()
        CaseParty.objects.bulk_create(
            [CaseParty(case=case, household=h, label=h.label) for h in households]
            + (
                [CaseParty(case=case, company_id=compound.company_id, label=compound.company.name)]
                if company_party
                else []
            )
        )
        if sweep is not None:
            Sweep.objects.filter(pk=sweep.pk, done_at__isnull=True).update(
                done_at=now, done_by=actor, found_nothing=False
            )
        _event(
            case,
            EventKind.OPENED,
            actor=actor,
            to_level=case.level,
            mediator=case.mediator,
            reason=reason,
        )
        audit(
            actor=actor,
            action="disputes.case.opened",
            obj=case,
            detail={"level": case.level, "risk": risk, "category": category},
        )
        _tell_arrival(
            case,
            case.level,
            title=lambda: _("新的矛盾纠纷待调解：%(c)s") % {"c": case.get_category_display()},
            kind="disputes.opened",
            exclude=actor,
        )
    return case


def _tell_arrival(case, level, *, title, kind: str, exclude=None) -> None:
    """Notify the mediator and the level's people; red cases also reach the community."""
    recipients = [case.mediator, *access.level_audience(case, level)]
    if case.risk == Risk.RED:
        recipients += access.level_audience(case, Level.COMMUNITY)
    recipients = [u for u in recipients if u is not None and u != exclude]

    # title and body are written in each reader's language (notify() calls them)
    def body():
        return _("%(compound)s · %(level)s层级 · 期限 %(due)s") % {
            "compound": case.compound.name,
            "level": Level(level).label,
            "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
        }

    notify(recipients=recipients, title=title, body=body, link=case_url(case), kind=kind)


def case_from_incident(*, actor, compound, title: str, description: str) -> int:
    """A case opened from something found on a patrol round (offered to other
    apps as the intent ``disputes.incident_to_case``): a compound-level case of
    category "other" with the property company as the party; returns its id."""
    summary = f"{title}：{description}" if title else description
    case = case_open(
        actor=actor,
        compound=compound,
        category=Category.OTHER,
        summary=summary[:2000],
        company_party=compound.company_id is not None,
    )
    return case.pk
