"""Demo data for delivery: the demo market's eleven couriers (staff with the
courier duty across the compounds it serves, and the demo volunteer), and the
morning plan for the latest window with the first bags of the demo courier's
route already at the door, so the board, the run sheets and the resident's
"delivered at" all have something to show.

Idempotent: couriers are posted once; the window is planned once."""

from datetime import time, timedelta

from django.utils import timezone

from wanjia.core.models import User
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.market.models import Market, OrderWindow, WindowStatus

from . import services
from .codes import pickup_code
from .models import Courier, Delivery, DeliveryPlan, DeliveryStatus, Mode
from .services import eligible_staff

COURIERS = 11
# Mode of the n-th staff courier: the article's mix of tricycles and e-bikes, two on foot.
MODES = [Mode.TRICYCLE, Mode.EBIKE, Mode.TRICYCLE, Mode.EBIKE, Mode.FOOT] * 2
PLAN_SECONDS = 5
DELIVERED_STOPS = 3  # stops of the demo courier's route already done


def load(*, stdout) -> None:
    market = Market.objects.filter(compound__code=DEMO_COMPOUND_CODE).first()
    admin = User.objects.filter(username="company_admin").first()
    if market is None or admin is None:
        stdout.write("delivery demo: market demo missing, skipped")
        return
    if not market.couriers.exists():
        _post_couriers(market, admin)
    window = (
        OrderWindow.objects.filter(
            market=market, status__in=[WindowStatus.RECEIVED, WindowStatus.PACKED]
        )
        .order_by("-delivery_date", "-id")
        .first()
    )
    if window is None or DeliveryPlan.objects.filter(window=window).exists():
        stdout.write(f"delivery demo: {market.couriers.count()} couriers")
        return
    plan = _plan(window, admin)
    stdout.write(
        f"delivery demo: {market.couriers.count()} couriers, plan for «{window.title}»: "
        f"{plan.served_bags}/{plan.bags} bags by {timezone.localtime(plan.deadline_at):%H:%M}"
    )


def _post_couriers(market, admin) -> None:
    demo_courier = User.objects.filter(username="courier").first()
    staff = sorted(
        eligible_staff(market).select_related("user"),
        key=lambda s: (s.user_id != getattr(demo_courier, "pk", None), s.compound_id, s.pk),
    )
    for n, member in enumerate(staff[: COURIERS - 1]):
        services.courier_add(
            actor=admin,
            market=market,
            staff=member,
            mode=MODES[n % len(MODES)],
            shift_start=time(5, 30) if n % 3 else time(6, 0),
            shift_end=time(9, 0),
        )
    volunteer = User.objects.filter(username="volunteer").first()
    if volunteer is not None:
        services.courier_add(
            actor=admin,
            market=market,
            volunteer=volunteer,
            name=volunteer.get_full_name() or "志愿者",
            mode=Mode.FOOT,
            shift_start=time(6, 30),
            shift_end=time(8, 30),
        )


def _plan(window, admin) -> DeliveryPlan:
    """Plan synchronously (the demo loader runs before the job consumer does)
    and move the first stops of the demo courier's route to "delivered", at
    their planned times."""
    couriers = list(Courier.objects.filter(market=window.market, active=True))
    plan = services.plan_request(
        actor=admin, window=window, couriers=couriers, seconds=PLAN_SECONDS
    )
    services.plan_run(plan.pk)
    plan.refresh_from_db()
    route = plan.routes.filter(courier__user__username="courier").first() or plan.routes.first()
    if route is None:
        return plan
    for stop in route.stops.order_by("seq")[:DELIVERED_STOPS]:
        for delivery in stop.deliveries.select_related("order"):
            if delivery.order.packed_at is None:
                continue
            services.delivery_confirm(
                actor=route.courier.user or admin,
                delivery=delivery,
                method="code",
                code=pickup_code(delivery.order.code),
            )
            at = stop.eta + timedelta(minutes=2)
            Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERED).update(
                delivered_at=at
            )
            type(delivery.order).objects.filter(pk=delivery.order_id).update(handed_at=at)
    return plan
