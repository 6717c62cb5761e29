"""The supervision KPIs: a named subset of the registered figures (core.figures),
each shown with the figure's own note (口径), so a KPI and the module's figure
can never disagree. The composite index that ranks compounds is stated here and
on the ranking page."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from wanjia.core import figures

INDEX = "supervision.index"


@dataclass(frozen=True)
class Kpi:
    code: str  # the figure's key
    short: str  # lazy translation: the column head


KPIS = [
    Kpi("disputes.building_rate", _("不出楼栋")),
    Kpi("disputes.compound_rate", _("不出小区")),
    Kpi("feedback.index", _("满意度")),
    Kpi("tickets.finish_met", _("工单按时办结")),
    Kpi("patrol.completion", _("巡更完成")),
    Kpi("care.on_time", _("探访按时")),
    Kpi("delivery.on_time", _("配送按时")),
    Kpi("tickets.complaints_per_100", _("投诉/百户")),
    Kpi("party.building_cover", _("党员联楼")),
    Kpi("emergency.on_time", _("应急日报按时")),
]

INDEX_NOTE = _(
    "综合指数：各项已有数据的指标折算为0–100分后取平均。比例类指标（越高越好）= 比例×100；"
    "满意度指数直接计入；投诉每百户 = max(0, 100 − 20×投诉数)。没有数据的指标不计入。"
)


def kpis() -> list[tuple[Kpi, figures.Figure]]:
    """The KPIs whose figure is registered, with the figure (label, note, kind)."""
    known = {f.key: f for f in figures.registered()}
    return [(k, known[k.code]) for k in KPIS if k.code in known]


def points(code: str, value: float | None) -> float | None:
    """One KPI's value on the 0–100 scale of the composite index."""
    if value is None:
        return None
    if code == "feedback.index":
        return max(0.0, min(100.0, value))
    if code == "tickets.complaints_per_100":
        return max(0.0, 100.0 - 20.0 * value)
    return max(0.0, min(100.0, value * 100))


def index(values: dict[str, float | None]) -> float | None:
    """The composite index of one unit from its KPI values (see INDEX_NOTE)."""
    scored = [p for k in KPIS if (p := points(k.code, values.get(k.code))) is not None]
    return round(sum(scored) / len(scored), 1) if scored else None


def display(figure: figures.Figure | None, value: float | None) -> str:
    if value is None:
        return "—"
    if figure is not None and figure.kind == figures.RATIO:
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value)}"
