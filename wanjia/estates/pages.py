"""The registry's shell pages: the resident H5's home, household and "me" tabs
(they list the user's households) and the regulator's drill-down home (it counts
households and residents region by region). URL names and templates are those
the shells have always used; the kernel keeps the console home, the services tab,
the audit log and the inbox."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from wanjia.core.models import Region, RegionKind
from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of, roles_of, scope_q
from wanjia.core.today import cards_for

from . import selectors
from .figures import NOTES, Figures, tallied_by_child, tallied_by_compound, total

# ---- resident H5 ---------------------------------------------------------------


def my_households(user):
    """The households the user lives in (their resident memberships), nothing more."""
    return (
        selectors.households_visible_to(user)
        .filter(
            scope_q(
                user,
                roles={Role.RESIDENT},
                compound="compound_id",
                building="building_id",
                household="id",
            )
        )
        .select_related("compound", "compound__community")
        .prefetch_related("residents")
    )


@login_required
def h5_home(request):
    user = request.user
    return render(
        request,
        "h5/home.html",
        {
            "tab": "home",
            "households": list(my_households(user)),
            # a volunteer without a household is not missing one: no hint for them
            "household_hint": Role.RESIDENT in roles_of(user) or not roles_of(user),
            "notices": user.notifications.all()[:3],
            "cards": cards_for(user),
        },
    )


@login_required
def h5_household(request, pk: int):
    household = selectors.get_or_404(my_households(request.user), pk=pk)
    return render(request, "h5/household.html", {"tab": "me", "household": household})


@login_required
def h5_me(request):
    return render(
        request,
        "h5/me.html",
        {"tab": "me", "households": list(my_households(request.user))},
    )


# ---- regulator -------------------------------------------------------------------


def _regulator_roots(user) -> list[Region]:
    if user.is_superuser:
        return list(Region.objects.filter(parent=None))
    return [
        m.region
        for m in memberships_of(user)
        if m.role == Role.REGULATOR and m.region_id is not None
    ]


def _region_node(request, roots: list[Region]) -> Region:
    """The region asked for in ``?region=``, if it lies under one of ``roots``."""
    raw = request.GET.get("region", "")
    if not raw:
        return roots[0]
    if not raw.isdigit():
        raise Http404(_(selectors.NOT_FOUND))
    node = Region.objects.filter(pk=int(raw)).first()
    if node is None or not any(node.path.startswith(r.path) for r in roots):
        raise Http404(_(selectors.NOT_FOUND))
    return node


def _breadcrumbs(node: Region, roots: list[Region]) -> list[Region]:
    ids = [int(x) for x in node.path.strip("/").split("/")]
    chain = list(Region.objects.filter(pk__in=ids).order_by("path"))
    top = max((r for r in roots if node.path.startswith(r.path)), key=lambda r: len(r.path))
    return [r for r in chain if r.path.startswith(top.path)]


def region_crumbs(user, compound) -> list[Region]:
    """A regulator's way back up from a compound page to the region pages they
    drilled down from (their region ... the compound's community); [] for others."""
    path = compound.community.path
    roots = [r for r in _regulator_roots(user) if path.startswith(r.path)]
    return _breadcrumbs(compound.community, roots) if roots else []


def _rows(node: Region, compounds) -> tuple[list[dict], Figures]:
    """One row per child region (or per compound, under a community) and the
    area's total, from the stored registry tallies."""
    if node.kind == RegionKind.COMMUNITY:
        figures = tallied_by_compound(compounds)
        rows = [
            {"name": c.name, "compound": c, "figures": figures.get(c.pk, Figures())}
            for c in compounds.order_by("code")
        ]
        return rows, total(figures)
    children = {r.pk: r for r in node.children.order_by("code")}
    per_child, area = tallied_by_child(compounds, node)
    rows = [
        {"name": r.name, "region": r, "figures": per_child.get(pk, Figures())}
        for pk, r in children.items()
    ]
    return rows, area


CHART_WIDTH, CHART_LABEL, CHART_ROW = 480, 150, 34


def _chart(rows: list[dict], title: str) -> str:
    """A horizontal bar chart of the rows' elderly living alone, as inline SVG
    built here: one bar a row, in the table's order, with its name and value.
    (pygal drew it in 13 ms for one bar and 19 ms for ten, most of the
    regulator's home at city size — bench-city; this takes well under one.)"""
    if not rows:
        return ""
    values = [r["figures"].elderly_alone for r in rows]
    top = max(values) or 1
    span = CHART_WIDTH - CHART_LABEL - 60  # room for the value after the bar
    height = CHART_ROW * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        '<g font-family="&quot;PingFang SC&quot;, &quot;Noto Sans CJK SC&quot;, '
        '&quot;Microsoft YaHei&quot;, sans-serif" font-size="15">'
    ]
    for n, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = 5 + n * CHART_ROW
        bar = round(span * value / top, 1)
        name = escape(row["name"])
        short = name if len(row["name"]) <= 9 else escape(row["name"][:8] + "…")
        parts.append(
            f'<text x="{CHART_LABEL - 8}" y="{y + 22}" text-anchor="end" fill="#333">'
            f"{short}</text>"
            f'<rect x="{CHART_LABEL}" y="{y + 4}" width="{bar}" height="{CHART_ROW - 8}"'
            f' fill="#C8161D" rx="2"><title>{name}: {value:,}</title></rect>'
            f'<text x="{CHART_LABEL + bar + 6}" y="{y + 22}" fill="#333">{value:,}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


@login_required
def gov_home(request):
    user = request.user
    if Role.REGULATOR not in roles_of(user) and not user.is_superuser:
        raise PermissionDenied
    roots = _regulator_roots(user)
    if not roots:
        raise PermissionDenied
    node = _region_node(request, roots)
    compounds = (
        selectors.compounds_visible_to(user)
        .filter(scope_q(user, roles={Role.REGULATOR}, compound="id"))
        .filter(community__path__startswith=node.path)
    )
    rows, area = _rows(node, compounds)
    return render(
        request,
        "gov/home.html",
        {
            "node": node,
            "crumbs": _breadcrumbs(node, roots),
            "kpi": area,
            "rows": rows,
            "notes": NOTES,
            "chart": _chart(rows, _("独居老人（人）")),
            "child_kind": _child_kind(node),
        },
    )


def _child_kind(node: Region) -> str:
    return {
        RegionKind.CITY: _("区"),
        RegionKind.DISTRICT: _("街道"),
        RegionKind.STREET: _("社区"),
        RegionKind.COMMUNITY: _("小区"),
    }[node.kind]
