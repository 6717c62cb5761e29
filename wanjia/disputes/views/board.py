"""Console pages of disputes: the board of cases and intake of a new case."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.errors import errors_of
from wanjia.core.roles import Role
from wanjia.core.scoping import can, roles_of
from wanjia.estates.selectors import buildings_visible_to, compounds_visible_to, get_or_404
from wanjia.party.selectors import badge_user_ids

from .. import selectors, services
from ..models import Category, Risk
from .case import _int

# ---------------------------------------------------------------- board and intake


def _is_staff_side(user) -> bool:
    return bool(roles_of(user) - {Role.RESIDENT, Role.VOLUNTEER}) or user.is_superuser


def _filtered(request, qs):
    """Filters stay in the URL: compound, category, risk."""
    f = {k: request.GET.get(k, "") for k in ("compound", "category", "risk", "building")}
    qs = selectors.board_filtered(
        qs,
        compound=_int(f["compound"]),
        building=_int(f["building"]),
        category=f["category"],
        risk=f["risk"],
    )
    return qs, f


MINE_ON_BOARD = 20


@login_required
def board(request):
    """Today's disputes for the user: their own work first, then the board of
    open cases by level with the time each has left."""
    user = request.user
    if not _is_staff_side(user):
        return redirect("disputes_h5_list")
    qs, filters = _filtered(request, selectors.cases_visible_to(user))
    columns = selectors.board(selectors.with_parties(qs))
    my_cases = selectors.my_cases(user)
    mine = list(my_cases[:MINE_ON_BOARD])
    settled = selectors.recently_settled(qs)
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
            "mine_total": my_cases.count() if len(mine) == MINE_ON_BOARD else len(mine),
            "followups": list(selectors.followups_due(user)[:20]),
            "settled": settled,
            "sweeps": list(selectors.my_sweeps(user)),
            "badge_ids": badge_user_ids(people),
            "filters": filters,
            "compounds": selectors.compounds_by_code(user),
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


@login_required
def mine(request):
    """Every open case waiting on the user, paged (the board shows the first
    few with the total and a link here)."""
    user = request.user
    if not _is_staff_side(user):
        return redirect("disputes_h5_list")
    page = Paginator(selectors.my_cases(user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "disputes/mine.html",
        {"page": page, "badge_ids": badge_user_ids([c.mediator_id for c in page])},
    )


def _intake_choices(user, compound=None) -> dict:
    return {
        "compounds": selectors.compounds_by_code(user),
        "buildings": selectors.intake_buildings(user, compound),
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
        building = selectors.building_or_none(user, _int(request.POST.get("building")))
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
    households = selectors.households_in(compound, ids)
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
    building = selectors.building_or_none(request.user, _int(request.GET.get("building")))
    return render(
        request,
        "disputes/_party_selects.html",
        {"households": _households(building), "selected": [None, None]},
    )


def _households(building):
    return selectors.building_households(building)
