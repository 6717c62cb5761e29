from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "wanjia.feedback"
    label = "feedback"
    verbose_name = _("好差评")

    def ready(self):
        from wanjia.core import conduct as kernel_conduct
        from wanjia.core import figures, intents
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES
        from wanjia.core.today import ServiceLink, resident_service

        from . import access, conduct, selectors, services, tasks, today  # noqa: F401  tasks, today

        kernel_conduct.register(
            "feedback",
            "feedback.complaint_substantiated",
            _("投诉经核实成立"),
            kind=kernel_conduct.BAD,
            note=_(
                "企业对差评提出申诉、监管部门裁定驳回（投诉成立）的，按裁定日期计入当月，每件扣2分。"
            ),
            collect=conduct.complaints_substantiated,
            order=10,
        )
        kernel_conduct.register(
            "feedback",
            "feedback.loop_unclosed",
            _("差评整改未闭环"),
            kind=kernel_conduct.BAD,
            note=_("整改期限落在当月、到期未完成整改的差评（申诉成立的不计），每件扣1分。"),
            collect=conduct.loops_unclosed,
            order=30,
        )

        intents.offer("feedback.record_rating", services.rating_record)
        # "rate this" on the resident's own page of each service that has one
        # (feedback is installed after the apps that register rateables)
        from functools import partial

        from wanjia.core import panels as kernel_panels
        from wanjia.core import rateables

        from .panels import rate_panel

        for rateable in rateables.kinds().values():
            if rateable.page_slot:
                kernel_panels.register(
                    rateable.page_slot,
                    "feedback/_rate_panel.html",
                    partial(rate_panel, rateable.kind),
                    order=20,
                )

        describe_actions(
            {
                "feedback.rating.given": _("评价服务"),
                "feedback.rating.rerated": _("整改后复评"),
                "feedback.loop.called": _("差评回访"),
                "feedback.loop.fixed": _("差评整改完成"),
                "feedback.loop.overdue": _("差评处置逾期"),
                "feedback.loop.appealed": _("对评价提出申诉"),
                "feedback.loop.decided": _("裁定评价申诉"),
                "feedback.survey.created": _("发起满意度调查"),
                "feedback.export": _("导出满意度汇总"),
            }
        )
        console_nav_link(
            _("好差评"),
            "feedback_home",
            roles=CAPABILITIES["feedback.view"],
            order=70,
            group="rate",
            icon="check",
            allowed=access.views_anywhere,
        )
        console_nav_link(
            _("满意度指数"),
            "feedback_index",
            roles=CAPABILITIES["feedback.view"],
            order=71,
            group="rate",
            icon="chart",
            allowed=access.views_anywhere,
        )
        console_nav_link(
            _("评价申诉裁定"),
            "feedback_appeals",
            roles=CAPABILITIES["feedback.decide"],
            order=72,
            group="rate",
            icon="flag",
            allowed=access.decides_anywhere,
        )
        resident_service(
            ServiceLink(
                _("我的评价"),
                "feedback_h5",
                _("给办过的事打分，参加小区满意度调查"),
                allowed=access.rates_anywhere,
            ),
            order=70,
        )
        figures.register(
            "feedback",
            "feedback.index",
            _("满意度指数"),
            note=selectors.FORMULA,
            compute=selectors.index_figure,
            compute_many=selectors.index_figure_many,
            kind=figures.COUNT,
            better=figures.HIGHER,
            order=70,
        )
        figures.register(
            "feedback",
            "feedback.call_on_time",
            _("差评1个工作日内回访率"),
            note=_("期间内发起的差评整改中，在1个工作日内完成回访的比例。"),
            compute=selectors.call_on_time,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=71,
        )
        figures.register(
            "feedback",
            "feedback.unhappy_open",
            _("未闭环差评"),
            note=_("截至期末仍未闭环（待回访、待整改或待复评）的差评数。"),
            compute=selectors.unhappy_open_figure,
            kind=figures.COUNT,
            better=figures.LOWER,
            order=72,
        )
