"""Console pages: applications (approve, decline with a reason), a volunteer's
record and certificate, teams and their leaders, and the thanks wall's
moderation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Invalid, Refusal
from wanjia.core.scoping import gate

from .. import access, selectors, services
from ..models import AppStatus, TeamKind, ThanksStatus
from ..services.wall import stars_for


def _compound(request, compound_id, allowed):
    user = request.user
    return gate(
        user,
        selectors.compounds_seen(user),
        compound_id,
        compound="id",
        allowed=lambda c: allowed(user, c),
    )


def _refused(exc):
    if exc.status == 403:
        raise PermissionDenied from None


@login_required
def home(request):
    compounds = list(selectors.compounds_console(request.user))
    if not compounds:
        raise PermissionDenied
    if len(compounds) == 1:
        from .tasks import tasks  # tasks.py builds on this module's helpers

        return tasks(request, compounds[0].pk)
    return render(request, "volunteers/home.html", {"compounds": compounds})


def _ctx(request, compound, tab, **more):
    return {
        "compound": compound,
        "tab": tab,
        "manage": access.can_manage(request.user, compound),
        **more,
    }


@login_required
def people(request, compound_id):
    compound = _compound(request, compound_id, access.can_manage)
    q = request.GET.get("q", "")[:20]
    totals = selectors.lifetime_minutes(compound)
    rows = list(selectors.volunteers_of(compound, q)[:300])
    for v in rows:
        v.minutes = totals.get(v.pk, 0)
        v.stars = stars_for(v.minutes)
    return render(
        request,
        "volunteers/people.html",
        _ctx(
            request,
            compound,
            "people",
            pending=selectors.applications(compound),
            declined=selectors.applications(compound, AppStatus.DECLINED)[:20],
            volunteers=rows,
            q=q,
            teams=TeamKind.choices,
        ),
    )


def _volunteer(request, pk):
    user = request.user
    return gate(
        user,
        selectors.volunteer_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda v: access.can_manage(user, v.compound),
    )


@login_required
@require_POST
def decide(request, pk):
    volunteer = _volunteer(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.application_decide(
            actor=request.user,
            volunteer=volunteer,
            approve=approve,
            reason=request.POST.get("reason", ""),
            teams=request.POST.getlist("teams"),
        )
    except Refusal as exc:
        _refused(exc)
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("已通过。") if approve else _("已告知申请人未通过的原因。"))
    return redirect("volunteers_people", volunteer.compound_id)


@login_required
def volunteer_detail(request, pk):
    volunteer = _volunteer(request, pk)
    minutes = selectors.minutes_of(volunteer)
    return render(
        request,
        "volunteers/volunteer.html",
        _ctx(
            request,
            volunteer.compound,
            "people",
            v=volunteer,
            hours=round(minutes / 60, 1),
            stars=stars_for(minutes),
            ledger=selectors.ledger_of(volunteer)[:100],
            certificates=selectors.certificates_of(volunteer)[:10],
            thanks=selectors.thanks_count("volunteer", volunteer.pk),
        ),
    )


@login_required
@require_POST
def volunteer_certificate(request, pk):
    volunteer = _volunteer(request, pk)
    try:
        cert = services.certificate_issue(actor=request.user, volunteer=volunteer)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
        return redirect("volunteers_volunteer", volunteer.pk)
    return redirect("volunteers_certificate", cert.pk)


@login_required
def teams(request, compound_id):
    compound = _compound(request, compound_id, access.can_manage)
    services.ensure_teams(compound)
    return render(
        request,
        "volunteers/teams.html",
        _ctx(
            request,
            compound,
            "teams",
            teams=selectors.teams_of(compound),
            volunteers=selectors.volunteers_of(compound)[:300],
        ),
    )


@login_required
@require_POST
def team_edit(request, pk):
    user = request.user
    team = gate(
        user,
        selectors.team_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda t: access.can_manage(user, t.compound),
    )
    ids = {int(x) for x in request.POST.getlist("members") if x.isdigit() and len(x) < 18}
    raw = request.POST.get("leader", "")
    leader_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
    found = selectors.volunteers_by_ids(team.compound, ids | ({leader_id} if leader_id else set()))
    by_id = {v.pk: v for v in found}
    try:
        if leader_id and leader_id not in by_id:
            raise Invalid({"leader": _("队长须是本小区已通过审核的志愿者。")})
        services.team_set(
            actor=user,
            team=team,
            leader=by_id.get(leader_id) if leader_id else None,
            members=[by_id[i] for i in ids if i in by_id],
        )
    except Refusal as exc:
        _refused(exc)
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("已保存。"))
    return redirect("volunteers_teams", team.compound_id)


def _safe_next(request, fallback):
    nxt = request.POST.get("next", "")
    if (
        nxt.startswith("/")
        and not nxt.startswith("//")
        and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
    ):
        return nxt
    return fallback


@login_required
def thanks(request, compound_id):
    compound = _compound(request, compound_id, access.sees_wall_console)
    manage = access.can_manage(request.user, compound)
    status = request.GET.get("status", ThanksStatus.PENDING if manage else ThanksStatus.SHOWN)
    if status not in ThanksStatus.values or not manage:
        status = ThanksStatus.SHOWN if not manage else ThanksStatus.PENDING
    return render(
        request,
        "volunteers/thanks.html",
        _ctx(
            request,
            compound,
            "thanks",
            rows=selectors.thanks_of(compound, status)[:200],
            status=status,
            statuses=ThanksStatus.choices,
            tally=selectors.thanks_tally(compound),
        ),
    )


@login_required
@require_POST
def thanks_moderate(request, pk):
    user = request.user
    row = gate(
        user,
        selectors.thanks_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda t: access.can_manage(user, t.compound),
    )
    try:
        services.thanks_moderate(actor=user, thanks=row, show=request.POST.get("show") == "1")
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect(f"/console/volunteers/c/{row.compound_id}/thanks/")
