"""Registry pages in the console: compounds, buildings, households, residents,
staff and the resident finder (a page of the console search).

Every object is fetched through the estates selectors, narrowed to the user's
console roles: a user who is a resident somewhere and staff elsewhere sees only
the staff side here, and a resident sees nothing of these pages (403)."""

from functools import wraps
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from wanjia.core import search as kernel_search
from wanjia.core.auth import client_ip
from wanjia.core.pages import require_console
from wanjia.core.paging import CappedPaginator
from wanjia.core.scoping import can

from . import selectors, services
from .figures import NOTES
from .forms import CompoundFilter, ResidentForm
from .models import Duty
from .pages import region_crumbs

SEARCH_LIMIT = 50


def _console(view):
    """Login, then the console-role check (403 for residents and volunteers)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        require_console(request.user)
        return view(request, *args, **kwargs)

    return wrapped


# ---- compounds -------------------------------------------------------------------------


@_console
def compound_list(request):
    """Compounds the user may see, filtered by the query string; 30 a page."""
    compounds = selectors.console_compounds(request.user)
    form = CompoundFilter(request.GET or None, companies=selectors.companies_of(compounds))
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    region = selectors.region_or_none(data.get("region"))
    compounds = selectors.compounds_filtered(
        compounds,
        q=data.get("q"),
        kind=data.get("kind"),
        company=data.get("company"),
        region=region,
    )
    page = Paginator(compounds, 30).get_page(request.GET.get("page"))
    figures = selectors.compound_figures(c.pk for c in page)
    rows = [(c, figures[c.pk]) for c in page]
    return render(
        request,
        "estates/compound_list.html",
        {"form": form, "page": page, "rows": rows, "notes": NOTES, "region": region},
        status=200 if valid else 400,
    )


@_console
def compound_detail(request, pk: int):
    user = request.user
    compound = selectors.get_or_404(selectors.console_compounds(user), pk=pk)
    figures = selectors.compound_figures([pk])[pk]
    buildings = selectors.compound_buildings(user, compound)
    per_building = selectors.building_figures(buildings)
    return render(
        request,
        "estates/compound_detail.html",
        {
            "compound": compound,
            "figures": figures,
            "buildings": [(b, per_building[b.pk]) for b in buildings],
            "regions": region_crumbs(user, compound),
            "notes": NOTES,
            "can_import": can(user, "estates.import", compound=compound),
            "can_export": can(user, "estates.export", compound=compound),
        },
    )


@_console
def compound_staff(request, pk: int):
    """The compound's staff, their duties and the 党员 badge; ``?duty=`` filters."""
    compound = selectors.get_or_404(selectors.console_compounds(request.user), pk=pk)
    duty = request.GET.get("duty", "")
    staff = selectors.compound_staff(compound, duty=duty)
    return render(
        request,
        "estates/compound_staff.html",
        {"compound": compound, "staff": staff, "duty": duty, "duties": Duty.choices},
    )


# ---- buildings and households -----------------------------------------------------------


def _grid(households) -> list[dict]:
    """Units side by side, each with its floors from the top down."""
    units = []
    for unit, in_unit in groupby(households, key=lambda h: h.unit):
        rows = sorted(in_unit, key=lambda h: (-h.floor, h.room))
        floors = [
            {"floor": floor, "households": list(hs)}
            for floor, hs in groupby(rows, key=lambda h: h.floor)
        ]
        units.append({"unit": unit, "floors": floors})
    return units


@_console
def building_detail(request, pk: int):
    user = request.user
    building = selectors.get_or_404(selectors.console_buildings(user), pk=pk)
    households = selectors.building_households(user, building)
    figures = selectors.one_building_figures(user, building)
    return render(
        request,
        "estates/building_detail.html",
        {"building": building, "units": _grid(households), "figures": figures, "notes": NOTES},
    )


@_console
def household_detail(request, pk: int):
    user = request.user
    household = selectors.get_or_404(selectors.console_households(user), pk=pk)
    where = {"compound": household.compound, "building_id": household.building_id}
    return render(
        request,
        "estates/household_detail.html",
        {
            "household": household,
            "residents": selectors.household_residents(household),
            "can_reveal_phone": can(user, "pii.reveal_phone", **where),
            "can_reveal_id": can(user, "pii.reveal_id", **where),
            "can_edit": can(user, "estates.edit", compound=household.compound),
        },
    )


# ---- residents ------------------------------------------------------------------------


@_console
@require_POST
def resident_reveal(request, pk: int, field: str):
    """The clear value of a phone or ID number, for roles allowed to see it; the
    service audits each reveal. Answers an htmx fragment swapped in place."""
    resident = selectors.get_or_404(selectors.console_residents(request.user), pk=pk)
    try:
        value = services.resident_reveal(
            actor=request.user, resident=resident, field=field, ip=client_ip(request)
        )
    except PermissionDenied:
        return render(
            request, "estates/_reveal.html", {"error": _("您没有查看该信息的权限。")}, status=403
        )
    except ValidationError as e:
        return render(request, "estates/_reveal.html", {"error": e.messages[0]}, status=400)
    return render(request, "estates/_reveal.html", {"value": value, "field": field})


def _form_response(request, form, context: dict, valid_status: int = 200):
    """The form again with its errors: only the form for htmx, the page otherwise."""
    status = valid_status if not form.errors and not form.contact_errors else 422
    if request.htmx:
        return render(request, "estates/_resident_form.html", context, status=status)
    return render(
        request, "estates/resident_form.html", context, status=400 if status == 422 else status
    )


def _saved(request, household_id: int):
    messages.success(request, _("已保存。"))
    url = reverse("household_detail", args=[household_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@_console
def resident_new(request, pk: int):
    user = request.user
    household = selectors.get_or_404(selectors.console_households(user), pk=pk)
    if not can(user, "estates.edit", compound=household.compound):
        raise PermissionDenied
    form = ResidentForm(request.POST or None)
    context = {"form": form, "household": household, "resident": None}
    if request.method != "POST":
        return render(request, "estates/resident_form.html", context)
    if form.is_valid():
        try:
            services.resident_create(
                actor=user, household=household, data=form.service_data(), ip=client_ip(request)
            )
            return _saved(request, household.pk)
        except ValidationError as e:
            form.add_service_errors(e)
    return _form_response(request, form, context)


@_console
def resident_edit(request, pk: int):
    user = request.user
    resident = selectors.get_or_404(selectors.console_residents(user), pk=pk)
    if not can(user, "estates.edit", compound=resident.compound):
        raise PermissionDenied
    form = ResidentForm(
        request.POST or None, resident=resident, initial=ResidentForm.initial_for(resident)
    )
    context = {"form": form, "household": resident.household, "resident": resident}
    if request.method != "POST":
        return render(request, "estates/resident_form.html", context)
    if form.is_valid():
        try:
            services.resident_update(
                actor=user, resident=resident, data=form.service_data(), ip=client_ip(request)
            )
            return _saved(request, resident.household_id)
        except ValidationError as e:
            form.add_service_errors(e)
    return _form_response(request, form, context)


@_console
def resident_search(request):
    """The resident finder, the registry's page of the console search
    (``/console/find/estates/``, registered with ``core.search``): name, pinyin,
    initials ("zw"), phone tail or room, a flag and a region; live results via htmx."""
    q = request.GET.get("q", "").strip()[:50]
    flag = request.GET.get("flag", "")
    region = selectors.region_or_none(request.GET.get("region"))
    searched = bool(q) or flag in selectors.RESIDENT_FLAGS or region is not None
    residents = selectors.residents_flagged(
        selectors.console_residents(request.user), flag=flag, region=region
    )
    try:
        results = selectors.residents_in_finder_order(
            services.resident_search_run(
                actor=request.user,
                queryset=residents,
                q=q,
                ip=client_ip(request),
            )
        )
    except services.SearchRateLimited as exc:
        return _search_refused(request, q, flag, region, exc.message)
    # every match, SEARCH_LIMIT a page, with the total (the list stopped at 50)
    page = (
        CappedPaginator(results, SEARCH_LIMIT).get_page(request.GET.get("page"))
        if searched
        else None
    )
    context = {
        "q": q,
        "flag": flag,
        "region": region,
        "flags": _flag_labels(),
        "searched": searched,
        "results": page.object_list if page else [],
        "page": page,
        "total": page.paginator.count if page else 0,
        "limit": SEARCH_LIMIT,
        "search_tabs": kernel_search.tabs("estates"),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "estates/_search_results.html", context)
    return render(request, "estates/search.html", context)


def resident_search_moved(request):
    """The finder's old address (/console/search/, its own menu entry until it
    joined the console search): the same query at its new place."""
    url = reverse("console_search_in", args=["estates"])
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)


def _search_refused(request, q, flag, region, message: str):
    context = {
        "q": q,
        "flag": flag,
        "region": region,
        "flags": _flag_labels(),
        "searched": False,
        "refused": message,
        "results": [],
        "total": 0,
        "limit": SEARCH_LIMIT,
        "search_tabs": kernel_search.tabs("estates"),
    }
    partial = request.htmx and request.htmx.target == "results"
    template = "estates/_search_results.html" if partial else "estates/search.html"
    return render(request, template, context, status=429)


def _flag_labels() -> list[tuple[str, str]]:
    return [
        ("", _("全部居民")),
        ("elderly_alone", _("独居老人")),
        ("alone_no_contact", _("独居老人未登记紧急联系人")),
        ("no_phone", _("未登记手机号")),
        ("party", _("居民党员")),
    ]
