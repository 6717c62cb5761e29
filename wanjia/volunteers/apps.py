from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "wanjia.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self):
        from wanjia.core import evidence, figures, intents
        from wanjia.core import panels as kernel_panels
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES
        from wanjia.core.today import ServiceLink, resident_service

        from . import access, panels, selectors, services, tasks, today  # noqa: F401
        from .evidence import find_thanks, recent_thanks

        # a thanks on the wall, as a record supervision nominates exemplary cases from
        evidence.register("volunteers.thanks", _("感谢墙"), find=find_thanks, recent=recent_thanks)

        describe_actions(
            {
                "volunteers.applied": _("申请成为志愿者"),
                "volunteers.approved": _("通过志愿者申请"),
                "volunteers.declined": _("未通过志愿者申请"),
                "volunteers.team.set": _("调整志愿服务队"),
                "volunteers.task.posted": _("发布志愿任务"),
                "volunteers.task.cancelled": _("取消志愿任务"),
                "volunteers.signed_up": _("报名志愿任务"),
                "volunteers.withdrew": _("退出志愿任务"),
                "volunteers.checked_in": _("志愿任务签到"),
                "volunteers.checked_out": _("志愿任务签退"),
                "volunteers.auto_closed": _("超时自动签退"),
                "volunteers.hours.confirmed": _("确认志愿服务时长"),
                "volunteers.certificate.issued": _("开具志愿服务证明"),
                "volunteers.ledger.exported": _("导出志愿服务时长"),
                "volunteers.thanks.created": _("在感谢墙致谢"),
                "volunteers.thanks.shown": _("感谢上墙"),
                "volunteers.thanks.hidden": _("隐藏感谢"),
            }
        )
        console_nav_link(
            _("志愿服务"),
            "volunteers_home",
            roles=CAPABILITIES["volunteers.post"] | CAPABILITIES["volunteers.manage"],
            order=70,
            group="community",
            icon="users",
            allowed=access.posts_anywhere,
        )
        resident_service(
            ServiceLink(
                title=_("志愿服务"),
                url_name="volunteers_h5",
                description=_("报名分拣、配送、巡逻、关爱任务，记录服务时长"),
                icon="heart",
                allowed=access.h5_anywhere,
            ),
            order=40,
        )
        resident_service(
            ServiceLink(
                title=_("感谢墙"),
                url_name="volunteers_h5_wall",
                description=_("感谢帮助过您的工作人员、党员和志愿者"),
                icon="flag",
                allowed=access.thanks_anywhere,
            ),
            order=41,
        )
        intents.offer("volunteers.post_task", services.post_task_intent)
        intents.offer("volunteers.thanks_count", panels.thanks_count)
        intents.offer("volunteers.source_summary", panels.hours_of_source)
        kernel_panels.register(
            "market.window", "volunteers/_market_window.html", panels.market_window, order=50
        )
        # patrol rounds and care visits ask the same way (source "patrol.run:<id>",
        # "care.person:<id>"); the confirmed hours show back on their pages
        kernel_panels.register("patrol.run", "volunteers/_ask_panel.html", panels.patrol_run)
        kernel_panels.register("care.person", "volunteers/_ask_panel.html", panels.care_person)
        figures.register(
            "volunteers",
            "volunteers.active",
            _("活跃志愿者"),
            note=_("期间内有经确认的志愿服务时长的志愿者人数（按服务日期）。"),
            compute=selectors.active_volunteers,
            compute_many=selectors.active_volunteers_many,
            kind=figures.COUNT,
            better=figures.HIGHER,
            order=70,
        )
        figures.register(
            "volunteers",
            "volunteers.hours",
            _("志愿服务时长"),
            note=_("期间内经任务负责人确认的志愿服务小时数（按服务日期）；未确认的签到不计。"),
            compute=selectors.hours,
            compute_many=selectors.hours_many,
            kind=figures.HOURS,
            better=figures.HIGHER,
            order=71,
        )
        intents.offer("volunteers.active_people", active_people)


def active_people(compound) -> list[dict]:
    """The compound's approved volunteers, for another app's roll call:
    ``[{"source", "name", "user_id"}]``."""
    from .models import AppStatus, Volunteer

    return [
        {"source": f"volunteers.volunteer:{pk}", "name": name, "user_id": user_id}
        for pk, name, user_id in Volunteer.objects.filter(
            compound=compound, status=AppStatus.APPROVED
        ).values_list("pk", "name", "user_id")
    ]
