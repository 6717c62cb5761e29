"""Every write to the party layer (keyword-only, atomic, with actor, audited).

Callers hand in objects they already fetched through a scoped selector; the
services check the role (403) on the compound the write touches."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.scoping import can

from .models import (
    Activity,
    ActivityKind,
    Attendance,
    Branch,
    BranchRole,
    Campaign,
    Member,
    MemberStatus,
    Responsibility,
    Team,
    TeamKind,
    TeamMember,
)


def require_manage(actor, compound) -> None:
    if not can(actor, "party.manage", compound=compound):
        raise PermissionDenied


def _clean_text(value: str, field: str, label: str, max_len: int, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_len:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_len}}
        )
    return value


def branch_create(*, actor, name: str, compounds: list) -> Branch:
    if not compounds:
        raise ValidationError({"compounds": _("请至少选择一个小区。")})
    for compound in compounds:
        require_manage(actor, compound)
    name = _clean_text(name, "name", _("支部名称"), 100)
    with transaction.atomic():
        branch = Branch.objects.create(name=name)
        branch.compounds.set(compounds)
        for compound in compounds:
            audit(actor=actor, action="party.branch.created", obj=branch, compound=compound)
    return branch


def member_add(
    *,
    actor,
    branch: Branch,
    resident=None,
    staff=None,
    role: str = BranchRole.MEMBER,
    status: str = MemberStatus.FULL,
    joined_on: date | None = None,
    show_badge: bool = True,
) -> Member:
    """Enrol a resident or a staff member of one of the branch's compounds."""
    person = resident or staff
    if (resident is None) == (staff is None):
        raise ValidationError({"person": _("请选择一位居民或一位员工。")})
    compound = person.compound
    if compound is None or not branch.compounds.filter(pk=compound.pk).exists():
        raise ValidationError({"person": _("该人员不在本支部所辖小区。")})
    require_manage(actor, compound)
    if role not in BranchRole.values:
        raise ValidationError({"role": _("支部职务不在允许范围内。")})
    if status not in MemberStatus.values:
        raise ValidationError({"status": _("党员状态不在允许范围内。")})
    try:
        with transaction.atomic():
            member = Member.objects.create(
                branch=branch,
                compound=compound,
                resident=resident,
                staff=staff,
                name=person.name,
                role=role,
                status=status,
                joined_on=joined_on,
                show_badge=show_badge,
            )
            audit(actor=actor, action="party.member.added", obj=member, detail={"role": role})
    except IntegrityError as exc:
        raise ValidationError({"person": _("此人已是本支部党员。")}) from exc
    return member


def member_update(*, actor, member: Member, data: dict) -> Member:
    require_manage(actor, member.compound)
    changes = {}
    if "role" in data:
        if data["role"] not in BranchRole.values:
            raise ValidationError({"role": _("支部职务不在允许范围内。")})
        changes["role"] = data["role"]
    if "status" in data:
        if data["status"] not in MemberStatus.values:
            raise ValidationError({"status": _("党员状态不在允许范围内。")})
        changes["status"] = data["status"]
    if "show_badge" in data:
        changes["show_badge"] = bool(data["show_badge"])
    with transaction.atomic():
        Member.objects.filter(pk=member.pk).update(**changes)
        audit(actor=actor, action="party.member.updated", obj=member, detail=changes)
    member.refresh_from_db()
    return member


def responsibility_assign(*, actor, member: Member, building=None, household=None):
    """Make ``member`` answer for a building or a household of their compound."""
    require_manage(actor, member.compound)
    target = building or household
    if (building is None) == (household is None):
        raise ValidationError({"target": _("请选择一栋楼或一户。")})
    if target.compound_id != member.compound_id:
        raise ValidationError({"target": _("只能联系本小区的楼栋或住户。")})
    if not member.active:
        raise ValidationError({"member": _("已转出的党员不能分配联户责任。")})
    try:
        with transaction.atomic():
            resp = Responsibility.objects.create(
                member=member,
                compound_id=member.compound_id,
                building=building,
                household=household,
            )
            audit(
                actor=actor,
                action="party.responsibility.assigned",
                obj=resp,
                compound=member.compound,
                detail={
                    "member": member.pk,
                    "building": building and building.pk,
                    "household": household and household.pk,
                },
            )
    except IntegrityError as exc:
        raise ValidationError({"target": _("该党员已联系此楼栋或住户。")}) from exc
    return resp


def responsibility_remove(*, actor, responsibility: Responsibility) -> None:
    require_manage(actor, responsibility.member.compound)
    with transaction.atomic():
        audit(
            actor=actor,
            action="party.responsibility.removed",
            obj=responsibility,
            compound=responsibility.member.compound,
            detail={"member": responsibility.member_id},
        )
        responsibility.delete()


def _clean_dates(starts_on, ends_on):
    if not isinstance(starts_on, date):
        raise ValidationError({"starts_on": _("请填写开始日期。")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


def team_create(
    *,
    actor,
    branch: Branch,
    compound,
    name: str,
    kind: str,
    campaign: str,
    starts_on: date,
    ends_on: date | None = None,
    leader: Member | None = None,
    duty: str = "",
) -> Team:
    require_manage(actor, compound)
    if not branch.compounds.filter(pk=compound.pk).exists():
        raise ValidationError({"compound": _("该小区不属于本支部。")})
    name = _clean_text(name, "name", _("队伍名称"), 100)
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("队伍类型不在允许范围内。")})
    if campaign not in Campaign.values:
        raise ValidationError({"campaign": _("任务不在允许范围内。")})
    _clean_dates(starts_on, ends_on)
    if leader is not None and leader.branch_id != branch.pk:
        raise ValidationError({"leader": _("队长须是本支部党员。")})
    with transaction.atomic():
        team = Team.objects.create(
            branch=branch,
            compound=compound,
            name=name,
            kind=kind,
            campaign=campaign,
            starts_on=starts_on,
            ends_on=ends_on,
            leader=leader,
            duty=_clean_text(duty, "duty", _("职责"), 200, required=False),
        )
        if leader is not None:
            TeamMember.objects.create(team=team, member=leader, duty=_("队长"))
        audit(actor=actor, action="party.team.created", obj=team, detail={"kind": kind})
    return team


def team_member_add(*, actor, team: Team, member: Member, duty: str = "") -> TeamMember:
    require_manage(actor, team.compound)
    if member.branch_id != team.branch_id:
        raise ValidationError({"member": _("只能加入本支部的党员。")})
    if not member.active:
        raise ValidationError({"member": _("已转出的党员不能加入队伍。")})
    try:
        with transaction.atomic():
            tm = TeamMember.objects.create(
                team=team,
                member=member,
                duty=_clean_text(duty, "duty", _("分工"), 100, required=False),
            )
            audit(actor=actor, action="party.team.joined", obj=team, detail={"member": member.pk})
    except IntegrityError as exc:
        raise ValidationError({"member": _("该党员已在队伍中。")}) from exc
    return tm


def activity_create(
    *,
    actor,
    branch: Branch,
    compound,
    title: str,
    kind: str,
    held_at: datetime,
    place: str = "",
    description: str = "",
) -> Activity:
    require_manage(actor, compound)
    if not branch.compounds.filter(pk=compound.pk).exists():
        raise ValidationError({"compound": _("该小区不属于本支部。")})
    title = _clean_text(title, "title", _("活动名称"), 100)
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("活动类型不在允许范围内。")})
    if not isinstance(held_at, datetime):
        raise ValidationError({"held_at": _("请填写活动时间。")})
    with transaction.atomic():
        activity = Activity.objects.create(
            branch=branch,
            compound=compound,
            title=title,
            kind=kind,
            held_at=held_at,
            place=_clean_text(place, "place", _("地点"), 100, required=False),
            description=_clean_text(description, "description", _("内容"), 2000, required=False),
        )
        audit(actor=actor, action="party.activity.created", obj=activity)
    return activity


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"hours": _("服务时长应为数字。")}) from exc
    if hours < 0 or hours > 24:
        raise ValidationError({"hours": _("服务时长应在0到24小时之间。")})
    return hours


def attendance_record(*, actor, activity: Activity, member: Member, hours) -> Attendance:
    """Mark ``member`` present with ``hours`` of service (again: the hours are replaced)."""
    require_manage(actor, activity.compound)
    if member.branch_id != activity.branch_id:
        raise ValidationError({"member": _("只能登记本支部党员的出席。")})
    hours = parse_hours(hours)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, _created = Attendance.objects.update_or_create(
                    activity=activity, member=member, defaults={"hours": hours}
                )
        except IntegrityError:  # recorded at the same moment elsewhere: ours wins
            Attendance.objects.filter(activity=activity, member=member).update(hours=hours)
            row = Attendance.objects.get(activity=activity, member=member)
        audit(
            actor=actor,
            action="party.attendance.recorded",
            obj=activity,
            detail={"member": member.pk, "hours": str(hours)},
        )
    return row
