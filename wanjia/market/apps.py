from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "wanjia.market"
    label = "market"
    verbose_name = _("菜篮子")

    def ready(self):
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES
        from wanjia.core.today import ServiceLink, resident_service

        from . import selectors, tasks, today  # noqa: F401  registers the cutoff job and today's cards

        console_nav_link(
            _("菜篮子"),
            "market_home",
            roles=CAPABILITIES["market.operate"]
            | CAPABILITIES["market.order_for_resident"]
            | CAPABILITIES["market.view_orders"],
            order=50,
            icon="services",
            allowed=selectors.can_open_market_home,
        )
        resident_service(
            ServiceLink(
                title=_("菜篮子"),
                url_name="market_h5_home",
                description=_("平价蔬菜，晚上下单，明早送到"),
                icon="heart",
            ),
            order=10,
        )
        resident_service(
            ServiceLink(
                title=_("我的菜篮子订单"),
                url_name="market_h5_orders",
                description=_("查看、修改或取消订单"),
                icon="audit",
            ),
            order=11,
        )
