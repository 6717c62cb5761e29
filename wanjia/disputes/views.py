"""Console pages of disputes: the board, intake, a case with its actions, the
printable agreement, sweeps, figures and time limits. Resident pages live in
``views_h5``.

Actions post with htmx and get the case panel back in place; a field error
comes back as 422 with the same panel and the message beside the field."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanjia.core.errors import errors_of
from wanjia.core.roles import Role
from wanjia.core.scoping import can, roles_of
from wanjia.estates.models import Household
from wanjia.estates.selectors import buildings_visible_to, compounds_visible_to, get_or_404
from wanjia.party.selectors import badge_user_ids

from . import access, selectors, services
from .models import Category, Level, Risk, Status, next_level


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- the case


SCORE_OPTIONS = [
    (5, "★★★★★", gettext_lazy("很满意")),
    (4, "★★★★", gettext_lazy("满意")),
    (3, "★★★", gettext_lazy("一般")),
    (2, "★★", gettext_lazy("不满意")),
    (1, "★", gettext_lazy("很不满意")),
]


def case_context(user, case, **extra) -> dict:
    policy = services.policy_for(case.compound)
    sessions = list(case.sessions.select_related("mediator"))
    events = list(case.events.select_related("actor", "mediator"))
    parties = list(case.parties.select_related("household__unit", "household__building"))
    people = [case.mediator_id, *(s.mediator_id for s in sessions)]
    done = not case.is_open
    reopen_until = (
        case.resolved_at + timedelta(days=policy.reopen_days) if case.resolved_at else None
    )
    mine = access.party_households_of(user)
    return {
        "case": case,
        "sessions": sessions,
        "events": events,
        "parties": parties,
        "my_parties": [p for p in parties if p.household_id in mine],
        "badge_ids": badge_user_ids(people),
        "can_mediate": access.can_mediate(user, case),
        "can_notes": access.can_see_notes(user, case),
        "next_level": next_level(case.level) and Level(next_level(case.level)).label,
        "can_reopen": done and reopen_until is not None and timezone.now() <= reopen_until,
        "reopen_until": reopen_until,
        "policy": policy,
        "score_options": SCORE_OPTIONS,
        "errors": {},
        "post": {},
        **extra,
    }


def _case_for(request, pk):
    return get_or_404(selectors.cases_visible_to(request.user), pk=pk)


@login_required
def case_detail(request, pk):
    case = _case_for(request, pk)
    return render(request, "disputes/case.html", case_context(request.user, case))


def _act(request, pk, form: str, action, message: str):
    """Run ``action(case)``; answer with the case panel (htmx) or the page."""
    case = _case_for(request, pk)
    try:
        action(case)
    except ValidationError as exc:
        ctx = case_context(
            request.user, case, errors={form: errors_of(exc)}, post={form: request.POST}
        )
        template = "disputes/_case.html" if request.htmx else "disputes/case.html"
        return render(request, template, ctx, status=422)
    case = _case_for(request, pk)
    if request.htmx:
        return render(
            request, "disputes/_case.html", case_context(request.user, case, flash=message)
        )
    return redirect("disputes_case", pk)


@login_required
@require_POST
def case_escalate(request, pk):
    return _act(
        request,
        pk,
        "escalate",
        lambda c: services.case_escalate(
            actor=request.user, case=c, reason=request.POST.get("reason", "")
        ),
        _("已上报上一级。"),
    )


@login_required
@require_POST
def case_session(request, pk):
    return _act(
        request,
        pk,
        "session",
        lambda c: services.session_add(
            actor=request.user,
            case=c,
            notes=request.POST.get("notes", ""),
            place=request.POST.get("place", ""),
            attendees=request.POST.get("attendees", ""),
        ),
        _("调解记录已保存。"),
    )


@login_required
@require_POST
def case_resolve(request, pk):
    return _act(
        request,
        pk,
        "resolve",
        lambda c: services.case_resolve(
            actor=request.user,
            case=c,
            resolution=request.POST.get("resolution", ""),
            agreement=request.POST.get("agreement", ""),
        ),
        _("已记录化解结果，可以打印调解协议书。"),
    )


@login_required
@require_POST
def case_followup(request, pk):
    return _act(
        request,
        pk,
        "followup",
        lambda c: services.case_followup(
            actor=request.user, case=c, note=request.POST.get("note", "")
        ),
        _("回访已记录，案件结案。"),
    )


@login_required
@require_POST
def case_rate(request, pk):
    def rate(c):
        score = _int(request.POST.get("score"))
        if score is None:
            raise ValidationError({"score": _("请选择满意度。")})
        services.case_rate(
            actor=request.user,
            case=c,
            score=score,
            party_id=_int(request.POST.get("party")),
            comment=request.POST.get("comment", ""),
        )

    return _act(request, pk, "rate", rate, _("满意度已记录。"))


@login_required
@require_POST
def case_reopen(request, pk):
    return _act(
        request,
        pk,
        "reopen",
        lambda c: services.case_reopen(
            actor=request.user, case=c, reason=request.POST.get("reason", "")
        ),
        _("案件已重新打开。"),
    )


@login_required
def case_agreement(request, pk):
    """调解协议书 as an A4 page, for the parties to sign."""
    case = _case_for(request, pk)
    if not case.resolved_at:
        messages.info(request, _("案件化解后才能打印调解协议书。"))
        return redirect("disputes_case", pk)
    parties = list(case.parties.select_related("household", "company"))
    for p in parties:  # the owners sign for a household
        p.owner_names = (
            [r.name for r in p.household.residents.filter(relation="owner")]
            if p.household_id
            else []
        )
    branch = case.compound.party_branches.first()
    return render(
        request,
        "disputes/agreement.html",
        {
            "case": case,
            "parties": parties,
            # one copy per party plus the mediation organisation's: the count
            # printed is the count of holders the same sentence names
            "copies": len(parties) + 1,
            "branch": branch,
            "mediators": _mediator_names(case),
        },
    )


def _mediator_names(case) -> list[str]:
    names = [s.mediator.name for s in case.sessions.select_related("mediator") if s.mediator_id]
    if case.mediator_id:
        names.append(case.mediator.name)
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------- board and intake


def _is_staff_side(user) -> bool:
    return bool(roles_of(user) - {Role.RESIDENT, Role.VOLUNTEER}) or user.is_superuser


def _filtered(request, qs):
    """Filters stay in the URL: compound, category, risk."""
    f = {k: request.GET.get(k, "") for k in ("compound", "category", "risk", "building")}
    if _int(f["compound"]):
        qs = qs.filter(compound_id=_int(f["compound"]))
    if _int(f["building"]):
        qs = qs.filter(building_id=_int(f["building"]))
    if f["category"] in Category.values:
        qs = qs.filter(category=f["category"])
    if f["risk"] in Risk.values:
        qs = qs.filter(risk=f["risk"])
    return qs, f


@login_required
def board(request):
    """Today's disputes for the user: their own work first, then the board of
    open cases by level with the time each has left."""
    user = request.user
    if not _is_staff_side(user):
        return redirect("disputes_h5_list")
    qs, filters = _filtered(request, selectors.cases_visible_to(user))
    columns = selectors.board(qs.prefetch_related("parties"))
    mine = list(selectors.my_cases(user)[:20])
    settled = list(qs.filter(status=Status.RESOLVED).order_by("-resolved_at")[:8])
    people = [c.mediator_id for col in columns for c in col["cases"]] + [
        c.mediator_id for c in mine + settled
    ]
    figure_compounds = selectors.figure_compounds(user)
    since = timezone.localdate() - timedelta(days=90)
    return render(
        request,
        "disputes/board.html",
        {
            "columns": columns,
            "mine": mine,
            "followups": list(selectors.followups_due(user)[:20]),
            "settled": settled,
            "sweeps": list(selectors.my_sweeps(user)),
            "badge_ids": badge_user_ids(people),
            "filters": filters,
            "compounds": compounds_visible_to(user).order_by("code"),
            "categories": Category.choices,
            "risks": Risk.choices,
            "figures": selectors.figures(figure_compounds, since=since)
            if figure_compounds.exists()
            else None,
            "can_configure": any(
                can(user, "disputes.configure", compound=c) for c in figure_compounds[:20]
            ),
        },
    )


def _intake_choices(user, compound=None) -> dict:
    buildings = buildings_visible_to(user).order_by("compound__code", "sort", "name")
    if compound is not None:
        buildings = buildings.filter(compound=compound)
    return {
        "compounds": compounds_visible_to(user).order_by("code"),
        "buildings": buildings,
        "categories": Category.choices,
        "risks": Risk.choices,
    }


@login_required
def case_new(request):
    """Intake by a building leader or staff (``?sweep=`` when a sweep found it)."""
    user = request.user
    sweep_id = _int(request.GET.get("sweep") or request.POST.get("sweep"))
    sweep = get_or_404(selectors.sweeps_visible_to(user), pk=sweep_id) if sweep_id else None
    ctx = {"sweep": sweep, "post": request.POST, "errors": {}}
    ctx.update(_intake_choices(user, sweep.compound if sweep else None))
    building = sweep.building if sweep else None
    if building is None and _int(request.POST.get("building")):
        building = buildings_visible_to(user).filter(pk=_int(request.POST.get("building"))).first()
    ctx["households"] = _households(building)
    ctx["selected"] = [_int(v) for v in request.POST.getlist("parties")] + [None, None]
    if request.method != "POST":
        return render(request, "disputes/new.html", ctx)
    try:
        case = _open_from_post(request, sweep)
    except ValidationError as exc:
        ctx["errors"] = errors_of(exc)
        return render(request, "disputes/new.html", ctx, status=422)
    return redirect("disputes_case", case.pk)


def _open_from_post(request, sweep):
    user, post = request.user, request.POST
    building = None
    if sweep is not None:
        building = sweep.building
    elif _int(post.get("building")):
        building = get_or_404(buildings_visible_to(user), pk=_int(post.get("building")))
    if building is not None:
        compound = building.compound
    elif _int(post.get("compound")):
        compound = get_or_404(compounds_visible_to(user), pk=_int(post.get("compound")))
    else:
        raise ValidationError({"building": _("请选择楼栋或小区。")})
    ids = [i for i in (_int(v) for v in post.getlist("parties")) if i]
    households = list(Household.objects.filter(compound=compound, pk__in=ids))
    return services.case_open(
        actor=user,
        compound=compound,
        category=post.get("category", ""),
        summary=post.get("summary", ""),
        building=building,
        households=households,
        company_party=post.get("company") == "on",
        risk=post.get("risk") or Risk.BLUE,
        sweep=sweep,
    )


@login_required
def household_options(request):
    """The party pickers for a building's households, for the intake form (htmx);
    no building gives empty pickers."""
    building = (
        buildings_visible_to(request.user).filter(pk=_int(request.GET.get("building"))).first()
    )
    return render(
        request,
        "disputes/_party_selects.html",
        {"households": _households(building), "selected": [None, None]},
    )


def _households(building):
    if building is None:
        return Household.objects.none()
    return Household.objects.filter(building=building).select_related("unit")


# ---------------------------------------------------------------- sweeps


@login_required
def sweeps(request):
    """The building leader's sweeps to do; completion per building for the rest."""
    user = request.user
    visible = selectors.sweeps_visible_to(user)
    today = timezone.localdate()
    current = visible.filter(period_start__lte=today, period_end__gte=today)
    compound_id = _int(request.GET.get("compound"))
    if compound_id:
        current = current.filter(compound_id=compound_id)
    plannable = [
        c
        for c in compounds_visible_to(user).order_by("code")[:50]
        if roles_of(user) & access.COMPOUND_MEDIATORS
        and _can_plan(user, c)
        and not current.filter(compound=c).exists()
    ]
    return render(
        request,
        "disputes/sweeps.html",
        {
            "mine": list(selectors.my_sweeps(user)),
            "current": list(current.order_by("compound__code", "building__sort", "building_id")),
            "completion": _completion(current),
            "plannable": plannable,
            "today": today,
        },
    )


def _completion(sweeps) -> dict:
    """Done ÷ planned over the sweeps the user sees (their building, or all)."""
    planned = sweeps.count()
    done = sweeps.filter(done_at__isnull=False).count()
    return {"planned": planned, "done": done, "rate": done / planned if planned else None}


def _can_plan(user, compound) -> bool:
    from wanjia.core.scoping import roles_for

    return bool(roles_for(user, compound=compound) & access.COMPOUND_MEDIATORS)


@login_required
@require_POST
def sweeps_plan(request):
    compound = get_or_404(compounds_visible_to(request.user), pk=_int(request.POST.get("compound")))
    if not _can_plan(request.user, compound):
        raise PermissionDenied
    services.sweeps_plan(compound=compound)
    return redirect(f"{_url('disputes_sweeps')}?compound={compound.pk}")


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
@require_POST
def sweep_done(request, pk):
    sweep = get_or_404(selectors.sweeps_visible_to(request.user), pk=pk)
    error = ""
    try:
        sweep = services.sweep_complete(
            actor=request.user, sweep=sweep, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        error = " ".join(m for msgs in errors_of(exc).values() for m in msgs)
    if request.htmx:
        return render(
            request,
            "disputes/_sweep.html",
            {"s": sweep, "error": error},
            status=422 if error else 200,
        )
    return redirect("disputes_sweeps")


# ---------------------------------------------------------------- figures and settings


PERIODS = [
    ("30", gettext_lazy("近30天")),
    ("90", gettext_lazy("近90天")),
    ("365", gettext_lazy("近一年")),
    ("all", gettext_lazy("全部")),
]


@login_required
def figures(request):
    """小事不出楼栋 / 大事不出小区 and the rest, per compound or for a region."""
    user = request.user
    allowed = selectors.figure_compounds(user)
    if not allowed.exists():
        raise PermissionDenied
    compound_id = _int(request.GET.get("compound"))
    compounds = allowed
    compound = None
    if compound_id:
        compound = get_or_404(allowed, pk=compound_id)
        compounds = allowed.filter(pk=compound.pk)
    period = request.GET.get("period", "90")
    since = None if period == "all" else timezone.localdate() - timedelta(days=_int(period) or 90)
    figs = selectors.figures(compounds, since=since)
    red = selectors.open_cases(selectors.cases_visible_to(user)).filter(
        compound__in=compounds, risk=Risk.RED
    )
    regulator_only = roles_of(user) == {Role.REGULATOR}
    return render(
        request,
        "disputes/figures.html",
        {
            "base_template": "gov/base.html" if regulator_only else "console/base.html",
            "figures": figs,
            "compound": compound,
            "compounds": allowed.order_by("code"),
            "period": period,
            "periods": PERIODS,
            "heat": selectors.heat_table(compound, since=since) if compound else None,
            "ranking": _ranking(allowed, since) if compound is None else None,
            "sweeps": selectors.sweep_completion(compounds),
            # every red case, 50 a page, with the total (the list stopped at 50)
            "red_cases": Paginator(red.order_by("due_at", "pk"), 50).get_page(
                request.GET.get("page")
            ),
            "levels": Level.choices,
        },
    )


def _ranking(compounds, since) -> list[dict]:
    """One row per compound (at most 200): the region view's drill-down."""
    rows = []
    for c in compounds.order_by("code")[:200]:
        f = selectors.figures(compounds.filter(pk=c.pk), since=since)
        rows.append({"compound": c, "f": f})
    rows.sort(key=lambda r: (r["f"].building_rate is None, -(r["f"].building_rate or 0)))
    return rows


POLICY_FIELDS = [
    ("building_days", gettext_lazy("楼栋层级时限（天）")),
    ("compound_days", gettext_lazy("小区层级时限（天）")),
    ("community_days", gettext_lazy("社区层级时限（天）")),
    ("street_days", gettext_lazy("街道层级时限（天）")),
    ("followup_days", gettext_lazy("化解后几天回访")),
    ("reopen_days", gettext_lazy("化解后几天内可重新打开")),
]


@login_required
def policy(request):
    user = request.user
    configurable = [
        c
        for c in compounds_visible_to(user).order_by("code")[:200]
        if can(user, "disputes.configure", compound=c)
    ]
    if not configurable:
        raise PermissionDenied
    compound_id = _int(request.GET.get("compound") or request.POST.get("compound"))
    compound = configurable[0]
    if compound_id:
        # another tenant's compound is "not found", one the user sees but may not
        # configure is refused: never silently the user's own compound instead
        # (a POST for A would have changed the policy of the user's B)
        compound = get_or_404(compounds_visible_to(user), pk=compound_id)
        if compound not in configurable:
            raise PermissionDenied
    errors, saved = {}, False
    if request.method == "POST":
        data = {name: _int(request.POST.get(name)) for name, _label in POLICY_FIELDS}
        data = {k: (v if v is not None else -1) for k, v in data.items()}
        data["sweep_period"] = request.POST.get("sweep_period", "")
        try:
            services.policy_update(actor=user, compound=compound, data=data)
            saved = True
        except ValidationError as exc:
            errors = errors_of(exc)
    current = services.policy_for(compound)
    fields = [
        {
            "name": n,
            "label": label,
            "value": request.POST.get(n) if errors else getattr(current, n),
            "error": " ".join(errors.get(n, [])),
        }
        for n, label in POLICY_FIELDS
    ]
    return render(
        request,
        "disputes/policy.html",
        {
            "compound": compound,
            "compounds": configurable,
            "fields": fields,
            "policy": current,
            "errors": errors,
            "saved": saved,
        },
        status=422 if errors else 200,
    )
