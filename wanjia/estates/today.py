"""The registry's "today's work" cards: what a manager, a building leader and a
regulator should look at first in the registry. Other apps register more cards
with ``@today_provider``; this module is imported from ``EstatesConfig.ready``."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.roles import Role
from wanjia.core.scoping import roles_of, scope_q
from wanjia.core.today import Card, today_provider

from . import selectors
from .figures import elderly_alone_q, tallied_by_compound, tallied_total
from .models import Resident

MANAGERS = {Role.COMPANY_ADMIN, Role.COMPOUND_MANAGER, Role.PARTY_SECRETARY}
ROWS = 5


def _todo(count: int) -> str:
    """Amber while something is left to do, green once nothing is."""
    return "due" if count else "done"


def _resident_rows(residents) -> list[tuple[str, str]]:
    return [
        (
            f"{r.name} · {r.compound.name} {r.household.label}",
            reverse("household_detail", args=[r.household_id]),
        )
        for r in residents[:ROWS]
    ]


def _search_url(flag: str) -> str:
    return f"{reverse('console_search_in', args=['estates'])}?flag={flag}"


@today_provider(order=10)
def registry_for_managers(user) -> list[Card]:
    if not (roles_of(user) & MANAGERS) and not user.is_superuser:
        return []
    compounds = selectors.compounds_visible_to(user).filter(
        scope_q(user, roles=MANAGERS, compound="id")
    )
    # the stored tallies (estates.figures), as on the regulator's home: a
    # company admin's or a whole city's compounds cost a few hundred rows,
    # not a count of every resident on each visit to the workbench
    summary = tallied_total(compounds)
    first = list(compounds.order_by("code")[:ROWS])
    figures = tallied_by_compound(compounds.filter(pk__in=[c.pk for c in first]))
    rows = [
        (
            _("%(name)s · %(households)s 户 · %(residents)s 人")
            % {
                "name": c.name,
                "households": figures[c.pk].households,
                "residents": figures[c.pk].residents,
            },
            reverse("compound_detail", args=[c.pk]),
        )
        for c in first
    ]
    residents = Resident.objects.filter(compound__in=compounds.values("pk")).select_related(
        "household", "household__unit", "household__building", "compound"
    )
    alone = residents.filter(elderly_alone_q(), emergency_contacts=[]).order_by("compound", "id")
    no_phone = residents.filter(phone="").order_by("compound", "id")
    alone_n, no_phone_n = alone.count(), no_phone.count()
    return [
        Card(
            title=_("我的小区"),
            count=summary.compounds,
            url=reverse("compound_list"),
            detail=_("共 %(households)s 户、%(residents)s 人，独居老人 %(alone)s 人")
            % {
                "households": summary.households,
                "residents": summary.residents,
                "alone": summary.elderly_alone,
            },
            items=rows,
        ),
        Card(
            title=_("独居老人未登记紧急联系人"),
            count=alone_n,
            url=_search_url("alone_no_contact"),
            detail=_("请尽快补登紧急联系人，出现情况时能找到家人。")
            if alone_n
            else _("独居老人都已登记紧急联系人。"),
            status=_todo(alone_n),
            items=_resident_rows(alone),
        ),
        Card(
            title=_("居民未登记手机号"),
            count=no_phone_n,
            url=_search_url("no_phone"),
            detail=_("没有手机号的居民收不到通知。") if no_phone_n else _("居民都已登记手机号。"),
            status=_todo(no_phone_n),
            items=_resident_rows(no_phone),
        ),
    ]


@today_provider(order=11)
def registry_for_building_leaders(user) -> list[Card]:
    if Role.BUILDING_LEADER not in roles_of(user):
        return []
    buildings = selectors.buildings_visible_to(user, with_counts=True).filter(
        scope_q(user, roles={Role.BUILDING_LEADER}, compound="compound_id", building="id")
    )
    buildings = list(buildings)
    elderly = (
        Resident.objects.filter(elderly_alone_q(), building__in=[b.pk for b in buildings])
        .select_related("household", "household__unit", "household__building", "compound")
        .order_by("building", "household", "id")
    )
    elderly_n = elderly.count()
    return [
        Card(
            title=_("我的楼栋"),
            count=sum(b.household_count for b in buildings),
            url=reverse("building_detail", args=[buildings[0].pk]) if buildings else "",
            detail=_("%(buildings)s 栋楼，%(households)s 户、%(residents)s 人")
            % {
                "buildings": len(buildings),
                "households": sum(b.household_count for b in buildings),
                "residents": sum(b.resident_count for b in buildings),
            },
            items=[(str(b), reverse("building_detail", args=[b.pk])) for b in buildings[:ROWS]],
        ),
        Card(
            title=_("楼栋独居老人"),
            count=elderly_n,
            url=_search_url("elderly_alone"),
            detail=_("多走动、多问候：他们是楼栋里最需要照看的人。")
            if elderly_n
            else _("本楼栋暂无登记的独居老人。"),
            items=_resident_rows(elderly),
        ),
    ]


@today_provider(order=12)
def registry_for_regulators(user) -> list[Card]:
    if Role.REGULATOR not in roles_of(user):
        return []
    compounds = selectors.compounds_visible_to(user).filter(
        scope_q(user, roles={Role.REGULATOR}, compound="id")
    )
    summary = tallied_total(compounds)
    return [
        Card(
            title=_("辖区小区"),
            count=summary.compounds,
            url=reverse("gov_home"),
            detail=_("%(companies)s 家物业企业，%(households)s 户、%(residents)s 人")
            % {
                "companies": summary.companies,
                "households": summary.households,
                "residents": summary.residents,
            },
        ),
        Card(
            title=_("辖区独居老人"),
            count=summary.elderly_alone,
            url=reverse("gov_home"),
            detail=_("居民党员 %(party)s 人，可结对关爱。") % {"party": summary.party_residents},
        ),
    ]
