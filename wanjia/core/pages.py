"""The kernel's pages: the console home, the resident H5's services tab, the audit
log and the inbox. The H5 home and the regulator's home show the registry's
households and figures, so they live in wanjia.estates.pages.

The H5 home's "my open things" are the user's today cards (``cards_for``): an app
that wants a resident to see an open order or case registers a provider that
returns cards for residents too."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import retention
from .access import permissions
from .context import RESIDENT_SIDE
from .models import AuditLog, Compound
from .paging import CappedPaginator
from .roles import CAPABILITIES, STAFF_SIDE, Role
from .scoping import can_anywhere, memberships_of, roles_of, scope_q
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


@login_required
def h5_services(request):
    return render(
        request,
        "h5/services.html",
        {"tab": "services", "services": resident_services(request.user)},
    )


# ---- audit log -------------------------------------------------------------------

AUDIT_ROLES = CAPABILITIES["audit.view"]


COMPOUND_CHOICES = 200  # more compounds than this: typed, not picked


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

    def __init__(self, *args, compounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        compounds = compounds if compounds is not None else Compound.objects.none()
        self.compounds = compounds
        listed = list(compounds.order_by("code")[: COMPOUND_CHOICES + 1])
        if len(listed) <= COMPOUND_CHOICES:
            self.fields["compound"].choices = [("", _("全部小区"))] + [
                (c.pk, c.name) for c in listed
            ]
        else:
            # a city's two thousand compounds are no drop-down (and rendering
            # one was most of this page at city size, bench-city): the
            # compound's code or exact name instead
            self.fields["compound"] = forms.CharField(
                label=gettext_lazy("小区（编码或名称）"), required=False, max_length=100
            )

    def clean_compound(self):
        value = self.cleaned_data.get("compound")
        if not isinstance(value, str) or not value.strip():
            return value  # a choice already checked against the list, or none
        text = value.strip()
        found = self.compounds.filter(Q(code=text) | Q(name=text)).order_by("code").first()
        if found is None:
            raise forms.ValidationError(_("没有这个小区：请填写您所管辖小区的编码或名称。"))
        return found.pk

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
    form = AuditFilter(request.GET or None, compounds=compounds)
    valid = form.is_valid() if form.is_bound else True
    entries = _filtered(audit_entries(user), form.cleaned_data if form.is_bound and valid else {})
    page = CappedPaginator(entries, 50).get_page(request.GET.get("page"))
    regulator_only = roles_of(user) <= {Role.REGULATOR} and not user.is_superuser
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "shell": "gov/base.html" if regulator_only else "console/base.html",
            # months before this one are in the archive (core.retention)
            "archived_before": retention.due_before(retention.table("audit")),
        },
        status=200 if valid else 400,
    )


# ---- roles x actions -------------------------------------------------------------


def access_rows() -> list[dict]:
    """The permission registry as table rows, grouped by app in the order the
    apps are installed: ``{"app", "name", "label", "held": [bool per Role]}``."""
    from django.apps import apps

    order = {cfg.label: i for i, cfg in enumerate(apps.get_app_configs())}
    names = {cfg.label: cfg.verbose_name for cfg in apps.get_app_configs()}
    perms = sorted(permissions(), key=lambda p: order.get(p.app, len(order)))
    return [
        {
            "app": names.get(p.app, p.app),
            "name": p.name,
            "label": p.label,
            "held": [role in p.roles for role in Role.values],
        }
        for p in perms
    ]


@login_required
def access_table(request):
    """Who may do what: every declared permission against every role, read from
    the registry the checks themselves use (so the table cannot drift)."""
    user = request.user
    if not (user.is_superuser or can_anywhere(user, "access.view")):
        raise PermissionDenied
    regulator_only = roles_of(user) <= {Role.REGULATOR} and not user.is_superuser
    return render(
        request,
        "core/access.html",
        {
            "roles": Role.choices,
            "rows": access_rows(),
            "shell": "gov/base.html" if regulator_only else "console/base.html",
        },
    )


# ---- inbox -----------------------------------------------------------------------


@login_required
def inbox(request):
    items = request.user.notifications.all()[:100]
    template = "h5/inbox.html" if request.GET.get("shell") == "h5" else "console/inbox.html"
    return render(request, template, {"items": items, "tab": "inbox"})
