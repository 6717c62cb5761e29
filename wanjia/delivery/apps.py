from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "wanjia.delivery"
    label = "delivery"
    verbose_name = _("无接触配送")

    def ready(self):
        from wanjia.core.audit import describe_actions

        describe_actions(
            {
                "delivery.bag.delivered": _("送达菜袋"),
                "delivery.bag.failed": _("登记未送达"),
                "delivery.courier.added": _("新增配送员"),
                "delivery.courier.updated": _("修改配送员"),
                "delivery.plan.done": _("配送方案完成"),
                "delivery.plan.requested": _("请求规划配送路线"),
            }
        )
        from wanjia.core import figures, intents, panels, rateables
        from wanjia.core.jobs import register_kind
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES

        from . import services, tasks, today  # noqa: F401  tasks, today: the task and cards
        from .figures import on_time

        figures.register(
            "delivery",
            "delivery.on_time",
            _("配送按时率"),
            note=_(
                "期间内截止送达的菜袋中，在截止时间前送达的比例（未送达、未能安排的计为未按时）。"
            ),
            compute=on_time,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=25,
        )
        from .rateable import find_bag, recent_bags
        from .views import handoff

        rateables.register(
            "bag",
            _("菜篮子配送"),
            find=find_bag,
            recent=recent_bags,
            page_slot="market.resident_order",
        )

        # What the market's pages show of delivery, without importing it.
        intents.offer("delivery.bag_handoff", handoff.bag_handoff)
        intents.offer("delivery.courier_bag_url", handoff.courier_bag_url)
        intents.offer("delivery.bag_handed_at_market", services.delivery_handed_at_market)
        # "Where is my bag" on the resident's order page.
        panels.register(
            "market.resident_order", "delivery/_resident.html", handoff.resident_order_panel
        )

        register_kind(
            "delivery.plan",
            title=_("配送路线规划"),
            capability="delivery.plan",
            back=_plan_page,
            # the plan is stored in one transaction: a killed run left nothing
            rerun=True,
            on_abandoned=_plan_abandoned,
        )
        console_nav_link(
            _("配送"),
            "delivery_home",
            roles=CAPABILITIES["delivery.watch"]
            | CAPABILITIES["delivery.plan"]
            | CAPABILITIES["delivery.deliver"],
            order=55,
            group="serve",
            icon="services",
        )


def _plan_abandoned(job) -> None:
    from .services.planning import plan_abandoned

    plan_abandoned(job)


def _plan_page(job) -> str:
    from django.urls import reverse

    from .models import DeliveryPlan

    plan_id = DeliveryPlan.objects.filter(job=job).values_list("pk", flat=True).first()
    return reverse("delivery_plan", args=[plan_id]) if plan_id else reverse("delivery_home")
