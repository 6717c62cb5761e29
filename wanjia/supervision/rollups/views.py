"""Supervision figures: the authority's KPI page (drill-down from its region),
the compound ranking, and a company's or compound's own KPIs in the console.
Every number comes from the rollups."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from wanjia.core import sheets
from wanjia.core.errors import Invalid
from wanjia.core.models import Region
from wanjia.core.scoping import NOT_FOUND, get_or_404

from . import access, kpis, selectors
from .models import Level
from .services import current_period, parse_period

COMPANIES_PER_PAGE = 20
LEVEL_OF_REGION = {"city": Level.CITY, "district": Level.DISTRICT, "street": Level.STREET}


def _period(request) -> tuple[str, str]:
    """The asked month (or this one) and the field error to show, if any."""
    raw = request.GET.get("period", "")
    if not raw:
        return current_period(), ""
    try:
        return parse_period(raw), ""
    except Invalid as exc:
        return current_period(), exc.errors["period"][0]


def _area(request):
    """The region the page looks at: ``?area=`` within the user's, else the widest."""
    user = request.user
    if not access.supervises(user):
        raise PermissionDenied
    raw = request.GET.get("area", "")
    if raw.isdigit():
        region = get_or_404(Region.objects.all(), pk=int(raw))
        if not access.covers(user, region):  # another area: as if it did not exist
            raise Http404(_(NOT_FOUND))
        return region
    regions = access.regions_of(user)
    if regions:
        return regions[0]
    return Region.objects.filter(parent__isnull=True).order_by("pk").first()


def _crumbs(region: Region) -> list[Region]:
    ids = [int(p) for p in region.path.strip("/").split("/") if p]
    found = Region.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def _rows(period, level, units, name=lambda u: u.name) -> list[dict]:
    values = selectors.table(period, level, [u.pk for u in units])
    defs = kpis.kpis()
    return [
        {
            "unit": u,
            "name": name(u),
            "index": values[u.pk].get(kpis.INDEX),
            "cells": [kpis.display(f, values[u.pk].get(k.code)) for k, f in defs],
            "raw": [values[u.pk].get(k.code) for k, _f in defs],
        }
        for u in units
    ]


@login_required
def kpi_page(request):
    region = _area(request)
    period, period_error = _period(request)
    own_level = LEVEL_OF_REGION.get(region.kind, Level.STREET)
    child_level, units = selectors.area_units(region)
    own = _rows(period, own_level, [region])[0]
    rows = _rows(period, child_level, units)
    defs = kpis.kpis()
    if request.GET.get("format") == "xlsx":
        companies = _rows(period, Level.COMPANY, selectors.area_companies(region))
        head = [_("单位"), _("综合指数")] + [str(f.label) for _k, f in defs]
        body = [[own["name"], own["index"], *own["raw"]]]
        body += [[r["name"], r["index"], *r["raw"]] for r in rows]
        body += [[f"{r['name']}（{_('物业企业')}）", r["index"], *r["raw"]] for r in companies]
        return sheets.xlsx_response(_("监管指标"), [head, *body], f"kpis-{period}.xlsx")
    # a city has a hundred companies or more: a page of them at a time, so the
    # page costs the same whatever the city's size (the export has them all)
    try:
        page = Paginator(selectors.area_companies(region), COMPANIES_PER_PAGE).page(
            _page_number(request)
        )
    except EmptyPage:
        raise Http404(_("没有这一页。")) from None
    companies = _rows(period, Level.COMPANY, page.object_list)
    return render(
        request,
        "supervision/rollups/kpis.html",
        {
            "region": region,
            "crumbs": _crumbs(region),
            "period": period,
            "period_error": period_error,
            "has_data": selectors.has_period(period),
            "defs": defs,
            "own": own,
            "rows": rows,
            "child_level": child_level,
            "companies": companies,
            "companies_page": page,
            "index_note": kpis.INDEX_NOTE,
        },
    )


def _page_number(request) -> int:
    """``?page=``: a positive whole number, else the first page."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**9 else 1


@login_required
def ranking(request):
    region = _area(request)
    period, period_error = _period(request)
    if request.GET.get("format") == "xlsx":
        # the export: every compound of the area (slower on a big city; that is fine)
        rows = selectors.compound_ranking(period, region)
        head = [_("名次"), _("小区"), _("物业企业"), _("综合指数"), _("较上期")]
        body = [
            [
                r["rank"],
                r["name"],
                r["company"],
                r["value"],
                r["move"] if r["move"] is not None else "",
            ]
            for r in rows
        ]
        return sheets.xlsx_response(_("小区排名"), [head, *body], f"ranking-{period}.xlsx")
    try:
        found = selectors.ranking_page(period, region, _page_number(request))
    except EmptyPage:
        raise Http404(_("没有这一页。")) from None
    return render(
        request,
        "supervision/rollups/ranking.html",
        {
            "region": region,
            "crumbs": _crumbs(region),
            "period": period,
            "period_error": period_error,
            "page": found["page"],
            "rows": found["rows"],
            "top_rows": found["top"],
            "bottom_rows": found["bottom"],
            "top": {r["compound_id"] for r in found["top"]},
            "bottom": {r["compound_id"] for r in found["bottom"]},
            "index_note": kpis.INDEX_NOTE,
        },
    )


@login_required
def my_kpis(request):
    """A company admin's or a compound manager's own compounds (console shell)."""
    compounds = list(access.compounds_of(request.user).select_related("company").order_by("name"))
    if not compounds:
        raise PermissionDenied
    period, period_error = _period(request)
    rows = _rows(period, Level.COMPOUND, compounds)
    return render(
        request,
        "supervision/rollups/mine.html",
        {
            "period": period,
            "period_error": period_error,
            "defs": kpis.kpis(),
            "rows": rows,
            "index_note": kpis.INDEX_NOTE,
        },
    )
