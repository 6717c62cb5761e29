from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "wanjia.market"
    label = "market"
    verbose_name = _("菜篮子")

    def ready(self):
        from wanjia.core import search as kernel_search

        from . import search

        kernel_search.register("market", _("订单"), search.orders, order=40)
        from wanjia.core.audit import describe_actions

        describe_actions(
            {
                "market.bag.handed_over": _("交付菜袋"),
                "market.bag.packed": _("装袋"),
                "market.bag.unpacked": _("取消装袋"),
                "market.bundle.components_set": _("设置套餐内容"),
                "market.item.created": _("新增商品"),
                "market.market.created": _("开设菜篮子市场"),
                "market.market.updated": _("修改市场设置"),
                "market.offer.created": _("上架商品"),
                "market.offer.removed": _("下架商品"),
                "market.offer.restocked": _("补充库存"),
                "market.order.cancelled": _("取消订单"),
                "market.order.changed": _("修改订单"),
                "market.order.placed": _("下单"),
                "market.order.placed_on_behalf": _("代居民下单"),
                "market.payment.payment": _("登记收款"),
                "market.payment.refund": _("登记退款"),
                "market.purchase.sent": _("发出采购单"),
                "market.receiving.finished": _("完成验收"),
                "market.receiving.recorded": _("登记验收"),
                "market.reference.imported": _("导入参考价"),
                "market.reference.set": _("设置参考价"),
                "market.slot.added": _("新增自提时段"),
                "market.supplier.created": _("新增供应商"),
                "market.supply.cost_set": _("设置进价"),
                "market.window.closed": _("截单"),
                "market.window.created": _("新建接单窗口"),
                "market.window.opened": _("开始接单"),
            }
        )
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
            group="serve",
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
