from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConveniencesConfig(AppConfig):
    name = "wanjia.conveniences"
    label = "conveniences"
    verbose_name = _("便民服务")

    def ready(self):
        from wanjia.core import figures, rateables
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES
        from wanjia.core.today import ServiceLink, resident_service

        from . import access, selectors, today  # noqa: F401  today: the cards
        from .rateable import find_booking, recent_bookings

        rateables.register("booking", _("便民服务"), find=find_booking, recent=recent_bookings)

        describe_actions(
            {
                "conveniences.service.created": _("新建便民服务"),
                "conveniences.service.updated": _("修改便民服务"),
                "conveniences.slots.generated": _("生成便民服务时段"),
                "conveniences.booking.created": _("预约便民服务"),
                "conveniences.booking.on_behalf": _("为居民代约便民服务"),
                "conveniences.booking.cancelled": _("取消便民服务预约"),
                "conveniences.booking.promoted": _("候补转为正式预约"),
                "conveniences.booking.attended": _("登记到场"),
                "conveniences.booking.no_show": _("登记爽约"),
                "conveniences.print.printed": _("打印完成"),
                "conveniences.print.downloaded": _("下载打印文件"),
                "conveniences.roster.exported": _("导出便民服务预约名单"),
                "conveniences.suspension.started": _("暂停住户预约"),
                "conveniences.suspension.lifted": _("解除暂停预约"),
            }
        )
        console_nav_link(
            _("便民服务"),
            "conv_home",
            roles=CAPABILITIES["conveniences.serve"],
            order=70,
            group="serve",
            icon="services",
            allowed=access.serves_anywhere,
        )
        resident_service(
            ServiceLink(
                title=_("便民服务"),
                url_name="conv_h5_home",
                description=_("理发、口罩、班车、打印，在线预约"),
                icon="services",
                allowed=access.books_anywhere,
            ),
            order=20,
        )
        figures.register(
            "conveniences",
            "conveniences.bookings",
            _("便民服务预约数"),
            note=_("期间内开始的时段上的有效预约（已预约、已到场、爽约；不含取消与候补）。"),
            compute=selectors.bookings,
            compute_many=selectors.bookings_many,
            kind=figures.COUNT,
            order=70,
        )
        figures.register(
            "conveniences",
            "conveniences.no_show_rate",
            _("便民服务爽约率"),
            note=_(
                "期间内开始的时段中，工作人员登记为爽约的预约占已登记（到场或爽约）预约的比例。"
            ),
            compute=selectors.no_show_rate,
            compute_many=selectors.no_show_rate_many,
            kind=figures.RATIO,
            better=figures.LOWER,
            order=71,
        )
