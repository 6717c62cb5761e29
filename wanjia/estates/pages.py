"""The registry's shell pages: the resident H5's home, household and "me" tabs
(they list the user's households) and the regulator's drill-down home (it counts
households and residents region by region). URL names and templates are those
the shells have always used; the kernel keeps the console home, the services tab,
the audit log and the inbox."""

import re

import pygal
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from wanjia.core.models import Region, RegionKind
from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of, roles_of, scope_q
from wanjia.core.today import cards_for

from . import selectors
from .figures import NOTES, Figures, tallied_by_community, tallied_by_compound, total

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
    per_child = {pk: Figures() for pk in children}
    area = Figures()
    for path, figures in tallied_by_community(compounds).values():
        area.add(figures)
        head = path[len(node.path) :].split("/")[0]
        if head.isdigit() and int(head) in per_child:
            per_child[int(head)].add(figures)
    rows = [{"name": r.name, "region": r, "figures": per_child[pk]} for pk, r in children.items()]
    return rows, area


def _chart(rows: list[dict], title: str) -> str:
    """A small horizontal bar chart as inline SVG; pygal's own script is removed."""
    if not rows:
        return ""
    style = Style(
        colors=("#C8161D",),
        background="transparent",
        plot_background="transparent",
        font_family='"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
        label_font_size=15,
        major_label_font_size=15,
        value_font_size=15,
        value_colors=("#fff",),
    )
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=480,
        height=max(140, 34 * len(rows) + 50),
        style=style,
        show_y_guides=False,
    )
    rows = rows[::-1]  # pygal draws the first bar at the bottom; keep the table's order
    chart.x_labels = [r["name"] for r in rows]
    chart.add(title, [r["figures"].elderly_alone for r in rows])
    svg = chart.render(is_unicode=True)
    return mark_safe(re.sub(r"<script\b.*?</script>", "", svg, flags=re.S))  # noqa: S308


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
