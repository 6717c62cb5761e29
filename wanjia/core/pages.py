"""The three shells' home pages (console, resident H5, regulator), the audit log
and the inbox.

The H5 home's "my open things" are the user's today cards (``cards_for``): an app
that wants a resident to see an open order or case registers a provider that
returns cards for residents too."""

import re
from datetime import datetime, time, timedelta

import pygal
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pygal.style import Style

from wanjia.estates import selectors
from wanjia.estates.models import Compound, Region, RegionKind

from .context import RESIDENT_SIDE
from .figures import NOTES, Figures, figures_by_compound, total
from .models import AuditLog
from .roles import CAPABILITIES, STAFF_SIDE, Role
from .scoping import memberships_of, roles_of, scope_q
from .today import cards_for, resident_services
from .widgets import HtmlDateInput

CONSOLE_ROLES = STAFF_SIDE | {Role.REGULATOR}


def require_console(user) -> None:
    """Console pages are for staff and officials; residents have the H5."""
    if not (user.is_superuser or roles_of(user) & CONSOLE_ROLES):
        raise PermissionDenied


# ---- console -------------------------------------------------------------------


@login_required
def console_home(request):
    roles = roles_of(request.user)
    if roles and roles <= RESIDENT_SIDE and not request.user.is_superuser:
        return redirect("h5_home")
    return render(request, "console/home.html", {"cards": cards_for(request.user)})


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
            "notices": user.notifications.all()[:3],
            "cards": cards_for(user),
        },
    )


@login_required
def h5_household(request, pk: int):
    household = selectors.get_or_404(my_households(request.user), pk=pk)
    return render(request, "h5/household.html", {"tab": "me", "household": household})


@login_required
def h5_services(request):
    return render(request, "h5/services.html", {"tab": "services", "services": resident_services()})


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


def _rows(node: Region, compounds, figures: dict[int, Figures]) -> list[dict]:
    """One row per child region (or per compound, under a community)."""
    if node.kind == RegionKind.COMMUNITY:
        return [
            {"name": c.name, "compound": c, "figures": figures.get(c.pk, Figures())}
            for c in compounds.order_by("code")
        ]
    children = {r.pk: r for r in node.children.order_by("code")}
    per_child = {pk: Figures() for pk in children}
    for c in compounds.values("pk", "community__path"):
        rest = c["community__path"][len(node.path) :].split("/")[0]
        if rest.isdigit() and int(rest) in per_child:
            per_child[int(rest)].add(figures.get(c["pk"], Figures()))
    return [{"name": r.name, "region": r, "figures": per_child[pk]} for pk, r in children.items()]


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
    figures = figures_by_compound(compounds)
    rows = _rows(node, compounds, figures)
    return render(
        request,
        "gov/home.html",
        {
            "node": node,
            "crumbs": _breadcrumbs(node, roots),
            "kpi": total(figures),
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


# ---- audit log -------------------------------------------------------------------

AUDIT_ROLES = CAPABILITIES["audit.view"]


class AuditFilter(forms.Form):
    """Parses the audit page's query string; every field is optional."""

    action = forms.CharField(label=gettext_lazy("操作代码"), required=False, max_length=100)
    actor = forms.CharField(label=gettext_lazy("操作人"), required=False, max_length=150)
    compound = forms.TypedChoiceField(
        label=gettext_lazy("小区"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=gettext_lazy("开始日期"), required=False, widget=HtmlDateInput()
    )
    date_to = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=HtmlDateInput()
    )

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [("", _("全部小区"))] + [
            (c.pk, c.name) for c in compounds
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


def audit_entries(user):
    """Audit entries ``user`` may read: a company admin those of the company's
    compounds, a regulator those of compounds in the region."""
    q = scope_q(user, roles=AUDIT_ROLES, compound="compound_id")
    companies = [
        m.company_id
        for m in memberships_of(user)
        if m.role == Role.COMPANY_ADMIN and m.company_id is not None
    ]
    if companies:
        q |= Q(company_id__in=companies)
    return AuditLog.objects.filter(q).select_related("compound", "actor")


def _filtered(entries, data: dict):
    if data.get("action"):
        entries = entries.filter(action__icontains=data["action"].strip())
    if data.get("actor"):
        who = data["actor"].strip()
        entries = entries.filter(Q(actor_name__icontains=who) | Q(actor__username=who))
    if data.get("compound"):
        entries = entries.filter(compound_id=data["compound"])
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        entries = entries.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data.get("date_to"):
        end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
        entries = entries.filter(at__lt=end)
    return entries


@login_required
def audit_log(request):
    user = request.user
    if not (user.is_superuser or roles_of(user) & AUDIT_ROLES):
        raise PermissionDenied
    compounds = Compound.objects.filter(scope_q(user, roles=AUDIT_ROLES, compound="id"))
    form = AuditFilter(request.GET or None, compounds=compounds.order_by("code"))
    valid = form.is_valid() if form.is_bound else True
    entries = _filtered(audit_entries(user), form.cleaned_data if form.is_bound and valid else {})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    regulator_only = roles_of(user) <= {Role.REGULATOR} and not user.is_superuser
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "shell": "gov/base.html" if regulator_only else "console/base.html",
        },
        status=200 if valid else 400,
    )


# ---- inbox -----------------------------------------------------------------------


@login_required
def inbox(request):
    items = request.user.notifications.all()[:100]
    template = "h5/inbox.html" if request.GET.get("shell") == "h5" else "console/inbox.html"
    return render(request, template, {"items": items, "tab": "inbox"})
