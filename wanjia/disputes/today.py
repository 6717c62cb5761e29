"""Today's-work cards of disputes: the building leader's sweeps and cases, the
compound's open cases by level, red cases for the compound and the regulator."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.roles import Role
from wanjia.core.scoping import roles_of
from wanjia.core.today import Card, today_provider

from . import access, selectors
from .models import Level, Risk
from .templatetags.disputes_ui import time_left

ROWS = 5


def _case_rows(cases) -> list[tuple[str, str]]:
    rows = []
    for c in cases[:ROWS]:
        where = c.building.name if c.building_id else c.compound.name
        when = (
            _("回访日 %(d)s") % {"d": c.followup_due.strftime("%m-%d")}
            if c.followup_due and not c.is_open
            else time_left(c)["text"]
        )
        label = f"{c.get_category_display()} · {where} · {when}"
        rows.append((label, reverse("disputes_case", args=[c.pk])))
    return rows


@today_provider(order=30)
def my_disputes(user) -> list[Card]:
    """Cases waiting on me, follow-ups due, this period's sweeps (leaders)."""
    cards = []
    mine = list(selectors.my_cases(user).select_related("building", "compound")[:50])
    now = timezone.now()
    if mine or Role.BUILDING_LEADER in roles_of(user):
        late = sum(1 for c in mine if c.due_at < now)
        cards.append(
            Card(
                title=_("我的调解"),
                count=len(mine),
                url=reverse("disputes_home"),
                detail=_("%(n)s 件已超时，系统将自动上报上一级") % {"n": late}
                if late
                else _("化解在楼栋：小事不出楼栋"),
                status="overdue" if late else ("due" if mine else "done"),
                items=_case_rows(mine),
            )
        )
    followups = list(selectors.followups_due(user)[:20])
    if followups:
        cards.append(
            Card(
                title=_("待回访"),
                count=len(followups),
                url=reverse("disputes_home"),
                detail=_("化解后回访当事人，确认协议履行"),
                status="due",
                items=_case_rows(followups),
            )
        )
    if Role.BUILDING_LEADER in roles_of(user):
        cards.append(_sweep_card(user))
    return cards


def _sweep_card(user) -> Card:
    sweeps = list(selectors.my_sweeps(user))
    todo = [s for s in sweeps if not s.done]
    late = [s for s in todo if s.period_end < timezone.localdate()]
    return Card(
        title=_("本期矛盾排查"),
        count=len(todo),
        url=reverse("disputes_sweeps"),
        detail=_("%(done)s / %(all)s 栋已完成")
        % {"done": len(sweeps) - len(todo), "all": len(sweeps)},
        status="overdue" if late else ("due" if todo else "done"),
        items=[
            (
                f"{s.building.name} · {s.period_start:%m-%d}–{s.period_end:%m-%d}",
                reverse("disputes_sweeps"),
            )
            for s in todo[:ROWS]
        ],
    )


@today_provider(order=31)
def compound_disputes(user) -> list[Card]:
    """The secretary's and manager's board in one card, plus open red cases."""
    if not (roles_of(user) & access.COMPOUND_MEDIATORS) and not user.is_superuser:
        return []
    from wanjia.core.scoping import scope_q

    open_qs = selectors.open_cases(selectors.cases_visible_to(user)).filter(
        scope_q(user, roles=access.COMPOUND_MEDIATORS, compound="compound_id")
    )
    by_level = dict.fromkeys(Level.values, 0)
    for level in open_qs.values_list("level", flat=True):
        by_level[level] += 1
    late = open_qs.filter(due_at__lt=timezone.now()).count()
    red = open_qs.filter(risk=Risk.RED).select_related("building", "compound").order_by("due_at")
    red_n = red.count()
    cards = [
        Card(
            title=_("待化解矛盾纠纷"),
            count=sum(by_level.values()),
            url=reverse("disputes_home"),
            detail=" · ".join(f"{Level(lv).label} {n}" for lv, n in by_level.items())
            + (_("（%(n)s 件超时）") % {"n": late} if late else ""),
            status="overdue" if late else ("due" if any(by_level.values()) else "done"),
        )
    ]
    if red_n:
        cards.append(
            Card(
                title=_("红色风险纠纷"),
                count=red_n,
                url=reverse("disputes_home") + "?risk=red",
                detail=_("重大风险，小区党支部牵头调处并报社区"),
                status="overdue",
                items=_case_rows(red),
            )
        )
    return cards


@today_provider(order=32)
def regulator_disputes(user) -> list[Card]:
    if Role.REGULATOR not in roles_of(user):
        return []
    compounds = selectors.figure_compounds(user)
    building_rate, compound_rate = selectors.resolution_rates(
        compounds, since=timezone.localdate().replace(day=1)
    )
    red = selectors.open_cases(selectors.cases_visible_to(user)).filter(risk=Risk.RED)
    red = red.select_related("building", "compound").order_by("due_at")
    from wanjia.party.templatetags.party_ui import pct

    return [
        Card(
            title=_("辖区红色风险纠纷"),
            count=red.count(),
            url=reverse("disputes_figures"),
            detail=_("本月小事不出楼栋 %(b)s，大事不出小区 %(c)s")
            % {"b": pct(building_rate), "c": pct(compound_rate)},
            status="overdue" if red.exists() else "done",
            items=_case_rows(red),
        )
    ]
