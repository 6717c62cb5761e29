from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "wanjia.patrol"
    label = "patrol"
    verbose_name = _("夜间巡逻")

    def ready(self):
        from django.conf import settings

        from wanjia.core import figures, retention
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES

        from . import access, selectors, tasks, today  # noqa: F401  tasks, today: jobs and cards

        # Check-ins are the city's largest table; their months live on in the
        # rollups. Past retention they are archived (core.retention); a stop of
        # an archived month then shows no check-in (the archive holds it).
        retention.register(
            "patrol.checkins",
            "patrol.CheckIn",
            field="received_at",
            months=lambda: settings.EVENT_RETENTION_MONTHS,
            note="WANJIA_EVENT_RETENTION_MONTHS",
        )

        describe_actions(
            {
                "patrol.checkpoint.created": _("添加巡更点"),
                "patrol.checkpoint.updated": _("修改巡更点"),
                "patrol.checkpoint.retired": _("停用巡更点"),
                "patrol.route.created": _("添加巡逻路线"),
                "patrol.schedule.set": _("设置巡逻排程"),
                "patrol.checkin.recorded": _("巡更签到"),
                "patrol.checkin.refused": _("巡更签到被拒（二维码无效）"),
                "patrol.incident.reported": _("上报巡逻发现"),
                "patrol.incident.handed": _("巡逻发现转为纠纷案件"),
            }
        )
        console_nav_link(
            _("夜间巡逻"),
            "patrol_home",
            roles=CAPABILITIES["patrol.view"] | CAPABILITIES["patrol.manage"],
            order=60,
            group="govern",
            icon="lock",
            allowed=access.views_anywhere,
        )
        console_nav_link(
            _("今晚巡逻"),
            "patrol_h5_round",
            roles=CAPABILITIES["patrol.patrol"],
            order=61,
            group="govern",
            icon="pin",
            allowed=access.patrols_anywhere,
        )
        figures.register(
            "patrol",
            "patrol.completion",
            _("巡更完成率"),
            note=_("期间内各夜排定的巡更点中，按时段签到的比例（漏点不计）。"),
            compute=selectors.completion,
            compute_many=selectors.completion_many,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=60,
        )
        from .services import rosters

        rosters.ready()  # the roster job kind and its audit words
        from .services import teams

        teams.ready()  # the team pages' audit words

        from . import evidence

        evidence.register()  # outposts and the monthly evidence: figures, audit phrases
