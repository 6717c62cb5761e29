from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "wanjia.party"
    label = "party"
    verbose_name = _("党建引领")

    def ready(self):
        from wanjia.core.audit import describe_actions

        describe_actions(
            {
                "party.activity.created": _("新建党建活动"),
                "party.attendance.recorded": _("登记活动出席"),
                "party.branch.created": _("新建党支部"),
                "party.member.added": _("新增党员"),
                "party.member.updated": _("修改党员信息"),
                "party.responsibility.assigned": _("指定党员联户"),
                "party.responsibility.removed": _("取消党员联户"),
                "party.team.created": _("新建先锋队"),
                "party.team.joined": _("加入先锋队"),
            }
        )
        from wanjia.core import figures
        from wanjia.core import panels as kernel_panels
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES

        from . import panels, today  # noqa: F401  today: registers today's cards
        from .figures import building_cover

        figures.register(
            "party",
            "party.building_cover",
            _("党员联系楼栋覆盖率"),
            note=_("有在册党员负责联系整栋楼的楼栋数，占全部楼栋的比例（按现状统计）。"),
            compute=building_cover,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=20,
        )

        kernel_panels.register(
            "estates.household", "party/_household_panel.html", panels.household_panel, order=20
        )

        console_nav_link(
            _("党建"),
            "party_home",
            roles=CAPABILITIES["party.view"],
            order=35,
            group="community",
            icon="flag",
        )
        from wanjia.core import intents

        intents.offer("party.vanguard_people", vanguard_people)


def vanguard_people(compound) -> list[dict]:
    """The members of the compound's vanguard and shock teams still serving,
    for another app's roll call: ``[{"source", "name", "user_id"}]``."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import TeamMember

    today = timezone.localdate()
    rows = (
        TeamMember.objects.filter(team__compound=compound, team__starts_on__lte=today)
        .filter(Q(team__ends_on__isnull=True) | Q(team__ends_on__gte=today))
        .select_related("member__resident", "member__staff")
    )
    out = {}
    for tm in rows:
        m = tm.member
        person = m.resident or m.staff
        out[m.pk] = {
            "source": f"party.member:{m.pk}",
            "name": m.name,
            "user_id": getattr(person, "user_id", None),
        }
    return list(out.values())
