"""Console pages of the party layer: a compound's figures, the coverage view
(党员联户), members, vanguard/shock teams and activities with attendance.

Each page is for one compound (``?compound=``, the first one in scope by
default). Forms post back to the page: success redirects with a message,
a bad field re-renders the page (422) with the message beside the field."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import errors_of
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import can, scope_q
from wanjia.estates.models import Building, Compound, Household, Resident, StaffMember
from wanjia.estates.selectors import get_or_404

from . import selectors, services
from .models import (
    ACTIVE_STATUSES,
    ActivityKind,
    Attendance,
    BranchRole,
    Campaign,
    Member,
    MemberStatus,
    Responsibility,
    TeamKind,
    TeamMember,
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _errors(exc: ValidationError) -> dict:
    return errors_of(exc)


def party_compounds(user):
    return Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES["party.view"], compound="id")
    ).order_by("code")


def _compound(request):
    """The compound the page is about; 404 outside scope, 403 without party.view."""
    allowed = party_compounds(request.user)
    wanted = _int(request.GET.get("compound") or request.POST.get("compound"))
    if wanted:
        from wanjia.estates.selectors import compounds_visible_to

        get_or_404(compounds_visible_to(request.user), pk=wanted)
        compound = allowed.filter(pk=wanted).first()
        if compound is None:
            raise PermissionDenied
        return compound
    compound = allowed.first()
    if compound is None:
        raise PermissionDenied
    return compound


def _base(request, compound, section: str) -> dict:
    return {
        "compound": compound,
        "compounds": party_compounds(request.user)[:200],
        "section": section,
        "can_manage": can(request.user, "party.manage", compound=compound),
        "branches": list(compound.party_branches.order_by("name")),
        "errors": {},
        "post": {},
    }


def _back(name: str, compound) -> str:
    return f"{reverse(name)}?compound={compound.pk}"


def _render(request, template, ctx, errors=None, form=""):
    if errors:
        ctx.update(errors={form: errors}, post={form: request.POST})
        return render(request, template, ctx, status=422)
    return render(request, template, ctx)


# ---------------------------------------------------------------- overview


def _home_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "home")
    cov = selectors.coverage(compound)
    ctx.update(
        coverage=cov,
        roles=dict(
            selectors.active_members(compound)
            .values_list("role")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        teams=selectors.teams_visible_to(request.user)
        .filter(compound=compound)
        .annotate(n=Count("memberships"))
        .order_by("-starts_on")[:5],
        activities=selectors.activities_visible_to(request.user)
        .filter(compound=compound)
        .annotate(people=Count("attendance"), hours=Sum("attendance__hours"))
        .order_by("-held_at")[:5],
        BranchRole=BranchRole,
    )
    return ctx


@login_required
def home(request):
    compound = _compound(request)
    return render(request, "party/home.html", _home_ctx(request, compound))


@login_required
@require_POST
def branch_new(request):
    compound = _compound(request)
    try:
        services.branch_create(
            actor=request.user, name=request.POST.get("name", ""), compounds=[compound]
        )
    except ValidationError as exc:
        return _render(
            request, "party/home.html", _home_ctx(request, compound), _errors(exc), "branch"
        )
    messages.success(request, _("党支部已建立。"))
    return redirect(_back("party_home", compound))


# ---------------------------------------------------------------- coverage


def _coverage_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "coverage")
    ctx.update(
        coverage=selectors.coverage(compound, with_rows=True),
        members=list(selectors.active_members(compound).order_by("name")),
    )
    return ctx


@login_required
def coverage(request):
    compound = _compound(request)
    return render(request, "party/coverage.html", _coverage_ctx(request, compound))


@login_required
@require_POST
def coverage_assign(request):
    compound = _compound(request)
    member = get_or_404(
        selectors.members_visible_to(request.user),
        pk=_int(request.POST.get("member")),
        compound=compound,
    )
    target = request.POST.get("target", "")
    building = household = None
    if target.startswith("b"):
        building = Building.objects.filter(compound=compound, pk=_int(target[1:])).first()
    elif target.startswith("h"):
        household = Household.objects.filter(compound=compound, pk=_int(target[1:])).first()
    try:
        services.responsibility_assign(
            actor=request.user, member=member, building=building, household=household
        )
    except ValidationError as exc:
        return _render(
            request, "party/coverage.html", _coverage_ctx(request, compound), _errors(exc), "assign"
        )
    messages.success(request, _("已安排联系党员。"))
    return redirect(_back("party_coverage", compound))


@login_required
@require_POST
def responsibility_remove(request, pk):
    resp = get_or_404(
        Responsibility.objects.filter(member__in=selectors.members_visible_to(request.user)),
        pk=pk,
    )
    services.responsibility_remove(actor=request.user, responsibility=resp)
    messages.success(request, _("已取消该联户责任。"))
    return redirect(_back("party_coverage", resp.member.compound))


# ---------------------------------------------------------------- members


ROLE_RANK = {r: i for i, r in enumerate(BranchRole.values)}


def _member_rank(m):
    """Secretary first, the transferred last: the order a branch lists itself in."""
    return (m.status == MemberStatus.TRANSFERRED, ROLE_RANK[m.role], m.name)


def _members_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "members")
    members = (
        selectors.members_visible_to(request.user)
        .filter(compound=compound)
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related(
                    "building", "household__unit", "household__building"
                ),
            ),
            Prefetch("team_memberships", queryset=TeamMember.objects.select_related("team")),
        )
    )
    members = sorted(members, key=_member_rank)
    enrolled_res = Member.objects.filter(compound=compound, resident__isnull=False).values(
        "resident_id"
    )
    enrolled_staff = Member.objects.filter(compound=compound, staff__isnull=False).values(
        "staff_id"
    )
    ctx.update(
        members=members,
        candidates=Resident.objects.filter(compound=compound, is_party_member=True)
        .exclude(pk__in=enrolled_res)
        .select_related("household__unit", "household__building")
        .order_by("building_id", "household_id")[:300],
        staff_candidates=StaffMember.objects.filter(compound=compound, active=True)
        .exclude(pk__in=enrolled_staff)
        .order_by("-is_party_member", "name")[:100],
        roles=BranchRole.choices,
        statuses=MemberStatus.choices,
    )
    return ctx


@login_required
def members(request):
    compound = _compound(request)
    return render(request, "party/members.html", _members_ctx(request, compound))


@login_required
@require_POST
def member_add(request):
    compound = _compound(request)
    branch = next(
        (b for b in compound.party_branches.all() if b.pk == _int(request.POST.get("branch"))), None
    )
    person = request.POST.get("person", "")
    resident = staff = None
    if person.startswith("r"):
        resident = Resident.objects.filter(compound=compound, pk=_int(person[1:])).first()
    elif person.startswith("s"):
        staff = StaffMember.objects.filter(compound=compound, pk=_int(person[1:])).first()
    try:
        if branch is None:
            raise ValidationError({"branch": _("请先选择党支部。")})
        services.member_add(
            actor=request.user,
            branch=branch,
            resident=resident,
            staff=staff,
            role=request.POST.get("role", BranchRole.MEMBER),
            status=request.POST.get("status", MemberStatus.FULL),
            joined_on=parse_date(request.POST.get("joined_on") or "") or None,
            show_badge=request.POST.get("show_badge") == "on",
        )
    except (ValidationError, ValueError) as exc:
        errors = (
            _errors(exc)
            if isinstance(exc, ValidationError)
            else {"joined_on": [_("日期格式应为 YYYY-MM-DD。")]}
        )
        return _render(
            request, "party/members.html", _members_ctx(request, compound), errors, "add"
        )
    messages.success(request, _("党员已登记。"))
    return redirect(_back("party_members", compound))


@login_required
@require_POST
def member_edit(request, pk):
    member = get_or_404(selectors.members_visible_to(request.user), pk=pk)
    data = {
        "role": request.POST.get("role", member.role),
        "status": request.POST.get("status", member.status),
        "show_badge": request.POST.get("show_badge") == "on",
    }
    try:
        services.member_update(actor=request.user, member=member, data=data)
    except ValidationError as exc:
        return _render(
            request,
            "party/members.html",
            _members_ctx(request, member.compound),
            _errors(exc),
            f"edit{member.pk}",
        )
    messages.success(request, _("已保存 %(name)s 的信息。") % {"name": member.name})
    return redirect(_back("party_members", member.compound))


# ---------------------------------------------------------------- teams


def _teams_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "teams")
    teams = (
        selectors.teams_visible_to(request.user)
        .filter(compound=compound)
        .select_related("leader")
        .prefetch_related(
            Prefetch("memberships", queryset=TeamMember.objects.select_related("member"))
        )
        .order_by("-starts_on", "id")
    )
    ctx.update(
        teams=teams,
        members=list(selectors.active_members(compound).order_by("name")),
        kinds=TeamKind.choices,
        campaigns=Campaign.choices,
        today=timezone.localdate(),
    )
    return ctx


@login_required
def teams(request):
    compound = _compound(request)
    return render(request, "party/teams.html", _teams_ctx(request, compound))


def _date(value, field: str) -> date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("日期格式应为 YYYY-MM-DD。")})
    return parsed


@login_required
@require_POST
def team_new(request):
    compound = _compound(request)
    post = request.POST
    try:
        branch = next(
            (b for b in compound.party_branches.all() if b.pk == _int(post.get("branch"))), None
        )
        if branch is None:
            raise ValidationError({"branch": _("请先选择党支部。")})
        leader = Member.objects.filter(compound=compound, pk=_int(post.get("leader"))).first()
        services.team_create(
            actor=request.user,
            branch=branch,
            compound=compound,
            name=post.get("name", ""),
            kind=post.get("kind", ""),
            campaign=post.get("campaign", ""),
            starts_on=_date(post.get("starts_on"), "starts_on"),
            ends_on=_date(post.get("ends_on"), "ends_on"),
            leader=leader,
            duty=post.get("duty", ""),
        )
    except ValidationError as exc:
        return _render(
            request, "party/teams.html", _teams_ctx(request, compound), _errors(exc), "team"
        )
    messages.success(request, _("队伍已组建。"))
    return redirect(_back("party_teams", compound))


@login_required
@require_POST
def team_member_add(request, pk):
    team = get_or_404(selectors.teams_visible_to(request.user), pk=pk)
    member = Member.objects.filter(
        compound=team.compound, pk=_int(request.POST.get("member"))
    ).first()
    try:
        if member is None:
            raise ValidationError({"member": _("请选择党员。")})
        services.team_member_add(
            actor=request.user, team=team, member=member, duty=request.POST.get("duty", "")
        )
    except ValidationError as exc:
        return _render(
            request,
            "party/teams.html",
            _teams_ctx(request, team.compound),
            _errors(exc),
            f"join{team.pk}",
        )
    messages.success(request, _("%(name)s 已加入队伍。") % {"name": member.name})
    return redirect(_back("party_teams", team.compound))


# ---------------------------------------------------------------- activities


def _activities_ctx(request, compound, selected=None) -> dict:
    ctx = _base(request, compound, "activities")
    activities = (
        selectors.activities_visible_to(request.user)
        .filter(compound=compound)
        .annotate(people=Count("attendance"), hours=Sum("attendance__hours"))
        .order_by("-held_at", "-id")
    )
    ctx.update(
        activities=activities[:100],
        kinds=ActivityKind.choices,
        selected=selected,
        attendance={a.member_id: a for a in selected.attendance.all()} if selected else {},
        members=list(selectors.active_members(compound).order_by("name")),
        hours_month=selectors.service_hours_month(compound),
        top=Attendance.objects.filter(
            activity__compound=compound, activity__held_at__gte=selectors.month_start()
        )
        .values("member__name")
        .annotate(h=Sum("hours"))
        .order_by("-h")[:5],
    )
    return ctx


@login_required
def activities(request):
    compound = _compound(request)
    return render(request, "party/activities.html", _activities_ctx(request, compound))


@login_required
def activity_detail(request, pk):
    activity = get_or_404(selectors.activities_visible_to(request.user), pk=pk)
    return render(
        request, "party/activities.html", _activities_ctx(request, activity.compound, activity)
    )


def _held_at(value):
    parsed = None
    try:
        parsed = parse_datetime(value or "")
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({"held_at": _("请填写活动时间。")})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@require_POST
def activity_new(request):
    compound = _compound(request)
    post = request.POST
    try:
        branch = next(
            (b for b in compound.party_branches.all() if b.pk == _int(post.get("branch"))), None
        )
        if branch is None:
            raise ValidationError({"branch": _("请先选择党支部。")})
        activity = services.activity_create(
            actor=request.user,
            branch=branch,
            compound=compound,
            title=post.get("title", ""),
            kind=post.get("kind", ""),
            held_at=_held_at(post.get("held_at")),
            place=post.get("place", ""),
            description=post.get("description", ""),
        )
    except ValidationError as exc:
        return _render(
            request,
            "party/activities.html",
            _activities_ctx(request, compound),
            _errors(exc),
            "activity",
        )
    messages.success(request, _("活动已登记，请记录出席。"))
    return redirect("party_activity", activity.pk)


@login_required
@require_POST
def attendance_save(request, pk):
    """Record every ticked member with their hours in one go."""
    activity = get_or_404(selectors.activities_visible_to(request.user), pk=pk)
    members = Member.objects.filter(
        branch=activity.branch,
        status__in=ACTIVE_STATUSES,
        pk__in=[_int(v) for v in request.POST.getlist("present")],
    )
    try:
        with transaction.atomic():  # all rows or none: a bad hours field saves nothing
            for m in members:
                services.attendance_record(
                    actor=request.user,
                    activity=activity,
                    member=m,
                    hours=request.POST.get(f"hours_{m.pk}", "0"),
                )
    except ValidationError as exc:
        return _render(
            request,
            "party/activities.html",
            _activities_ctx(request, activity.compound, activity),
            _errors(exc),
            "attendance",
        )
    messages.success(request, _("已记录 %(n)s 人出席。") % {"n": len(members)})
    return redirect("party_activity", activity.pk)
