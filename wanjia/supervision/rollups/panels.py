"""The regulator's home (``estates.gov_area``): every registered figure of the
area and of each unit one level down, for a month, read from the rollups — so
the page costs the same whatever the city's history (it used to compute the
last 30 days from the modules' tables on every visit)."""

from django.apps import apps
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from wanjia.core import figures
from wanjia.core.models import Compound, RegionKind
from wanjia.core.templatetags.wanjia_ui import figure_value

from . import access, selectors
from .models import Level, RollupRun
from .services import current_period, previous_period

LEVEL_OF_REGION = {
    RegionKind.CITY: Level.CITY,
    RegionKind.DISTRICT: Level.DISTRICT,
    RegionKind.STREET: Level.STREET,
}


def _units(node) -> tuple[str, list]:
    """The level below ``node`` and its units; a community is not rolled up,
    so under a street or a community the units are the compounds."""
    if node.kind == RegionKind.COMMUNITY:
        return Level.COMPOUND, list(Compound.objects.filter(community=node).order_by("name", "pk"))
    return selectors.area_units(node)


def _cells(values: dict, columns) -> str:
    """A row's value cells as HTML, joined here rather than looped over in the
    template: a city's ten districts times some forty figures were most of the
    regulator's home in template rendering alone (bench-city)."""
    return mark_safe(  # noqa: S308 (each value is escaped)
        "".join(
            f'<td class="num">{escape(figure_value(values.get(k), kind))}</td>'
            for k, kind in columns
        )
    )


def gov_area(request, node):
    if node is None or not access.covers(request.user, node):
        return None
    this = current_period()
    last = previous_period(this)
    period = last if request.GET.get("figures") == "last" else this
    level, units = _units(node)
    own_level = LEVEL_OF_REGION.get(node.kind)
    ids = [u.pk for u in units]
    values = selectors.table(period, level, ids)
    total = selectors.table(period, own_level, [node.pk]).get(node.pk, {}) if own_level else None
    figs = figures.registered()
    sections: dict[str, dict] = {}
    for f in figs:
        if f.app not in sections:
            try:
                label = apps.get_app_config(f.app).verbose_name
            except LookupError:
                label = f.app
            sections[f.app] = {"app": f.app, "label": label, "figures": []}
        sections[f.app]["figures"].append(f)
    for section in sections.values():
        columns = [(f.key, f.kind) for f in section["figures"]]
        section["rows"] = [{"name": u.name, "cells": _cells(values[u.pk], columns)} for u in units]
        section["total"] = None if total is None else _cells(total, columns)
    run = RollupRun.objects.filter(period=period).order_by("-started_at").first()
    return {
        "node": node,
        "period": period,
        "this_month": period == this,
        "unit_kind": Level(level).label,
        "sections": list(sections.values()),
        "computed_at": timezone.localtime(run.started_at) if run else None,
        "empty": not any(values.values()) and not total,
        "note": _("本月数据为月初至最近一次汇总（每天凌晨）的累计。"),
    }
