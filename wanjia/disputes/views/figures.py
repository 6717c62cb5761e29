"""Console pages of disputes: the figures and the per-compound time limits."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from wanjia.core.errors import errors_of
from wanjia.core.roles import Role
from wanjia.core.scoping import can, roles_of
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from .. import selectors, services
from ..models import Level, Risk
from .case import _int

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
    shown = list(compounds.order_by("code")[:200])
    by_id = selectors.figures_by_compound(
        compounds.filter(pk__in=[c.pk for c in shown]), since=since
    )
    rows = [{"compound": c, "f": by_id[c.pk]} for c in shown]
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
