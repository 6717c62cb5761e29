from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "wanjia.tickets"
    label = "tickets"
    verbose_name = _("报事报修")

    def ready(self):
        from wanjia.core import conduct as kernel_conduct
        from wanjia.core import figures, intents, rateables
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES
        from wanjia.core.today import ServiceLink, resident_service

        from . import conduct

        kernel_conduct.register(
            "tickets",
            "tickets.sla_missed",
            _("工单超时未办结"),
            kind=kernel_conduct.BAD,
            note=_(
                "完成时限落在当月且未按时完成的工单（撤回的不计），每家企业每月前5单不扣分，超出部分每单扣1分。"
            ),
            collect=conduct.sla_missed,
            order=20,
        )

        from . import access, selectors, services, tasks, today  # noqa: F401  tasks, today
        from .rateable import find_ticket, recent_tickets

        intents.offer("tickets.open", services.open_for_app)
        rateables.register("ticket", _("报事报修"), find=find_ticket, recent=recent_tickets)
        describe_actions(
            {
                "tickets.ticket.opened": _("提交报修"),
                "tickets.ticket.accepted": _("受理报修"),
                "tickets.ticket.assigned": _("报修派单"),
                "tickets.ticket.started": _("开始处理报修"),
                "tickets.ticket.done": _("报修处理完成"),
                "tickets.ticket.rated": _("评价报修"),
                "tickets.ticket.visited": _("报修回访"),
                "tickets.ticket.cancelled": _("撤回报修"),
                "tickets.ticket.followed": _("关注报修"),
                "tickets.ticket.escalated": _("报修超时上报经理"),
                "tickets.ticket.closed": _("报修自动关闭"),
                "tickets.category.saved": _("设置报修类别与时限"),
                "tickets.export": _("导出报修工单"),
            }
        )
        console_nav_link(
            _("报事报修"),
            "tickets_home",
            roles=CAPABILITIES["tickets.work"],
            order=44,
            group="serve",
            icon="flag",
            allowed=access.works_anywhere,
        )
        console_nav_link(
            _("我的工单"),
            "tickets_h5_work",
            roles=CAPABILITIES["tickets.work"],
            order=45,
            group="serve",
            icon="pin",
            allowed=access.works_anywhere,
        )
        console_nav_link(
            _("报修类别与时限"),
            "tickets_categories_home",
            roles=CAPABILITIES["tickets.categories"],
            order=46,
            group="serve",
            icon="edit",
            allowed=access.edits_categories_anywhere,
        )
        resident_service(
            ServiceLink(
                title=_("报事报修"),
                url_name="tickets_h5_list",
                description=_("家里或公共区域坏了，拍照报修，随时看进度"),
                icon="flag",
                allowed=access.has_household,
            ),
            order=30,
        )
        rows = [
            (
                "tickets.opened",
                _("报修工单数"),
                _("期间内提交的报修工单数（撤回的不计）。"),
                selectors.opened,
                selectors.opened_many,
                figures.COUNT,
                None,
            ),
            (
                "tickets.respond_met",
                _("报修按时响应率"),
                _("期间内提交的工单中，在类别响应时限内受理的比例；未受理且未到时限的不计。"),
                selectors.respond_rate,
                selectors.respond_rate_many,
                figures.RATIO,
                figures.HIGHER,
            ),
            (
                "tickets.finish_met",
                _("报修按时完成率"),
                _("期间内提交的工单中，在类别完成时限内首次完成的比例；未完成且未到时限的不计。"),
                selectors.finish_rate,
                selectors.finish_rate_many,
                figures.RATIO,
                figures.HIGHER,
            ),
            (
                "tickets.reopen_rate",
                _("报修返修率"),
                _("期间内提交且已完成的工单中，因居民不满意或回访而重新处理的比例。"),
                selectors.reopen_rate,
                selectors.reopen_rate_many,
                figures.RATIO,
                figures.LOWER,
            ),
            (
                "tickets.complaints_per_100",
                _("投诉每百户"),
                _("期间内提交的“投诉建议”类工单数（类别代码 complaint），每百户登记住户。"),
                selectors.complaints_per_100,
                None,
                figures.COUNT,
                figures.LOWER,
            ),
            (
                "tickets.avg_rating",
                _("报修平均评分"),
                _("期间内提交的工单中，居民评分（1–5 分）的平均值。"),
                selectors.avg_rating,
                selectors.avg_rating_many,
                figures.COUNT,
                figures.HIGHER,
            ),
        ]
        for code, name, *_rest in services.DEFAULTS:
            one, many = selectors.by_category(code)
            rows.append(
                (
                    f"tickets.category.{code}",
                    format_lazy(_("报修·{name}"), name=name),
                    format_lazy(
                        _("期间内提交的“{name}”类工单数（按类别代码统计，撤回的不计）。"), name=name
                    ),
                    one,
                    many,
                    figures.COUNT,
                    None,
                )
            )
        for order, (key, label, note, compute, many, kind, better) in enumerate(rows, start=40):
            figures.register(
                "tickets",
                key,
                label,
                note=note,
                compute=compute,
                compute_many=many,
                kind=kind,
                better=better,
                order=order,
            )
