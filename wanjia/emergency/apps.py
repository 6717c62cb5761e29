from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "wanjia.emergency"
    label = "emergency"
    verbose_name = _("应急指挥")

    def ready(self):
        from wanjia.core import banners, evidence, figures, intents
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES

        from . import access, selectors, services, tasks, today, wall  # noqa: F401
        from . import evidence as nominable
        from .banner import emergency_banners
        from .services import events

        events.ready()
        describe_actions(
            {
                "emergency.event.opened": _("启动应急事件"),
                "emergency.event.closed": _("结束应急事件"),
                "emergency.item.done": _("完成应急清单项"),
                "emergency.report.sent": _("报送应急日报"),
                "emergency.report.updated": _("更新应急日报"),
                "emergency.roll.answered": _("应急点名应答"),
                "emergency.directive.issued": _("发布应急指令"),
                "emergency.directive.acked": _("确认应急指令"),
                "emergency.material.requested": _("上报应急物资需求"),
                "emergency.stock.set": _("修改物资储备"),
                "emergency.material.available": _("确认企业有货"),
                "emergency.material.allocated": _("调拨应急物资"),
                "emergency.material.delivered": _("确认物资送达"),
                "emergency.after.saved": _("保存复盘报告"),
                "emergency.after.submitted": _("提交复盘报告"),
                "emergency.after.accepted": _("验收复盘报告"),
                "emergency.after.returned": _("退回复盘报告"),
                "emergency.summary.saved": _("保存全市复盘总结"),
                "emergency.after.exported": _("导出复盘报告"),
                "emergency.nomination.made": _("推荐应急先进"),
            }
        )
        console_nav_link(
            _("应急指挥"),
            "emergency_home",
            roles=CAPABILITIES["emergency.command"] | CAPABILITIES["emergency.respond"],
            order=5,
            group="govern",
            icon="flag",
            allowed=access.anywhere,
        )
        banners.register(emergency_banners)
        # the work after an event, as records supervision nominates exemplary cases from
        evidence.register(
            "emergency.nomination",
            _("应急先进推荐"),
            find=nominable.find_nomination,
            recent=nominable.recent_nominations,
        )
        evidence.register(
            "emergency.after_action",
            _("应急复盘报告"),
            find=nominable.find_report,
            recent=nominable.recent_reports,
        )
        # what a missed daily report costs the company's credit (supervision reads it)
        from wanjia.core import conduct as kernel_conduct

        from . import conduct

        kernel_conduct.register(
            "emergency",
            "emergency.report_missed",
            _("应急日报未报或迟报"),
            kind=kernel_conduct.BAD,
            note=_(
                "应急事件期间，受影响小区过了当天截止时间仍未报送日报的每天扣2分，迟报的每天扣1分。"
            ),
            collect=conduct.reports_missed,
            order=40,
        )
        # the kernel question other modules ask: which emergencies cover a compound
        intents.offer("emergency.active_for", services.active_for)
        # the authority's wall screen: the open events a user may see, with counts
        intents.offer("emergency.open_events", wall.open_events)
        intents.offer("emergency.affected_compounds", wall.affected_compounds)
        figures.register(
            "emergency",
            "emergency.reports",
            _("应急日报"),
            note=_("期间内各小区报送的应急日报份数（同一小区同一天只计一份）。"),
            compute=selectors.reports_sent,
            kind=figures.COUNT,
            better=figures.HIGHER,
            order=90,
        )
        figures.register(
            "emergency",
            "emergency.reports_late",
            _("迟报的应急日报"),
            note=_("期间内在当天截止时间之后才报送的应急日报份数。"),
            compute=selectors.reports_late,
            kind=figures.COUNT,
            better=figures.LOWER,
            order=91,
        )
        figures.register(
            "emergency",
            "emergency.on_time",
            _("应急日报按时率"),
            note=_("期间内各小区报送的应急日报中，在当天截止时间前报送的比例。"),
            compute=selectors.reports_on_time,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=93,
        )
        figures.register(
            "emergency",
            "emergency.items_done",
            _("完成的应急清单项"),
            note=_("期间内各小区拍照确认完成的应急清单项数（按完成时间）。"),
            compute=selectors.items_done,
            kind=figures.COUNT,
            better=figures.HIGHER,
            order=92,
        )
