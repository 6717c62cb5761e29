"""Contactless delivery (无接触配送): the market's couriers, the plans made for a
window's door orders, each courier's route with its stops, and one delivery
row per bag that the courier closes at the door.

A plan is a snapshot: re-planning (a courier falls ill at 06:50) makes a new
plan for the bags not yet handed over and makes it the window's current one;
the old plan keeps what was delivered under it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    FOOT = "foot", _("步行")
    TRICYCLE = "tricycle", _("三轮车")
    EBIKE = "ebike", _("电动车")


# Defaults a manager can change per courier: km/h on the estate's paths, bags per trip.
MODE_DEFAULTS = {Mode.FOOT: (4.5, 6), Mode.TRICYCLE: (9.0, 30), Mode.EBIKE: (15.0, 12)}


class Courier(models.Model):
    """Somebody who carries bags for one market: a staff member with the
    courier duty, or a resident volunteer. ``user`` is the account that sees
    the run sheet and confirms hand-offs on its phone."""

    market = models.ForeignKey("market.Market", on_delete=models.CASCADE, related_name="couriers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courier_posts",
    )
    staff = models.ForeignKey(
        "estates.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_volunteer = models.BooleanField(_("志愿者"), default=False)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices, default=Mode.TRICYCLE)
    speed_kmh = models.DecimalField(_("速度（公里/小时）"), max_digits=4, decimal_places=1)
    capacity = models.PositiveSmallIntegerField(_("每趟袋数"))
    shift_start = models.TimeField(_("上岗时间"), default="06:00")
    shift_end = models.TimeField(_("下岗时间"), default="09:00")
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("配送员")
        verbose_name_plural = _("配送员")
        ordering = ["market_id", "-active", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "user"],
                condition=Q(user__isnull=False),
                name="delivery_courier_one_post_per_market",
            ),
            models.UniqueConstraint(
                fields=["market", "staff"],
                condition=Q(staff__isnull=False),
                name="delivery_courier_staff_once_per_market",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="delivery_courier_cap"),
            models.CheckConstraint(condition=Q(speed_kmh__gt=0), name="delivery_courier_speed"),
            models.CheckConstraint(
                condition=Q(shift_end__gt=F("shift_start")), name="delivery_courier_shift"
            ),
        ]

    def __str__(self):
        return self.name


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class DeliveryPlan(models.Model):
    """One planning run for a window's door orders. ``current`` marks the plan
    couriers work from (at most one per window)."""

    window = models.ForeignKey(
        "market.OrderWindow", on_delete=models.CASCADE, related_name="delivery_plans"
    )
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.PROTECT, related_name="+"
    )  # the market's own compound: who plans is scoped by it
    job = models.OneToOneField(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.QUEUED
    )
    current = models.BooleanField(_("当前方案"), default=False)
    start_at = models.DateTimeField(_("出发时间"))
    deadline_at = models.DateTimeField(_("送达截止"))
    seconds = models.PositiveSmallIntegerField(_("计算时长（秒）"), default=10)
    seed = models.PositiveIntegerField(default=1)
    detour = models.DecimalField(_("绕行系数"), max_digits=3, decimal_places=2, default=1.3)
    base_s = models.PositiveSmallIntegerField(_("每户交接（秒）"), default=45)
    per_floor_s = models.PositiveSmallIntegerField(_("无电梯每层（秒）"), default=20)
    load_s = models.PositiveSmallIntegerField(_("每趟装车（秒）"), default=180)
    couriers = models.ManyToManyField(Courier, related_name="+", verbose_name=_("配送员"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the solver found (filled when status is done)
    solver = models.CharField(max_length=30, blank=True)
    runtime_s = models.FloatField(default=0)
    bags = models.PositiveIntegerField(_("袋数"), default=0)
    served_bags = models.PositiveIntegerField(_("可按时送达"), default=0)
    distance_m = models.FloatField(_("总里程（米）"), default=0)
    finish_at = models.DateTimeField(_("预计完成"), null=True, blank=True)
    suggestion = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("配送方案")
        verbose_name_plural = _("配送方案")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"], condition=Q(current=True), name="delivery_one_current_plan"
            ),
            models.CheckConstraint(
                condition=Q(deadline_at__gt=F("start_at")), name="delivery_plan_deadline_after"
            ),
        ]

    def __str__(self):
        return f"{self.window} #{self.pk}"

    @property
    def unserved_bags(self) -> int:
        return self.bags - self.served_bags


class Route(models.Model):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="routes")
    courier = models.ForeignKey(Courier, on_delete=models.PROTECT, related_name="routes")
    seq = models.PositiveSmallIntegerField(default=0)
    distance_m = models.FloatField(default=0)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    trips = models.PositiveSmallIntegerField(default=1)
    loads = models.JSONField(default=list)  # bags per trip

    class Meta:
        verbose_name = _("配送路线")
        verbose_name_plural = _("配送路线")
        ordering = ["plan_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "courier"], name="delivery_route_unique")
        ]


class Stop(models.Model):
    """Bags for one unit (单元) carried in one go. ``route`` is null for a stop
    nobody can reach in time; ``reason`` then says why, in the planner's words."""

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="stops")
    route = models.ForeignKey(
        Route, null=True, blank=True, on_delete=models.CASCADE, related_name="stops"
    )
    seq = models.PositiveSmallIntegerField(default=0)
    trip = models.PositiveSmallIntegerField(default=0)
    building = models.ForeignKey("core.Building", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("estates.Unit", on_delete=models.PROTECT, related_name="+")
    bags = models.PositiveSmallIntegerField(default=1)
    service_s = models.PositiveIntegerField(default=0)
    eta = models.DateTimeField(_("预计到达"), null=True, blank=True)
    reason_code = models.CharField(max_length=20, blank=True)
    reason = models.CharField(_("未能安排的原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("配送站点")
        verbose_name_plural = _("配送站点")
        ordering = ["plan_id", "route_id", "seq", "id"]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("未送达")
    UNSERVED = "unserved", _("未能安排")


class Method(models.TextChoices):
    QR = "qr", _("扫袋上二维码")
    CODE = "code", _("住户取货码")
    MARKET = "market", _("在市场交付")


class FailReason(models.TextChoices):
    NOBODY = "nobody", _("无人应答，住户不便放门口")
    ACCESS = "access", _("楼栋进不去（门禁/封控）")
    ADDRESS = "address", _("地址不对")
    DAMAGED = "damaged", _("菜袋破损")
    REFUSED = "refused", _("住户拒收")
    OTHER = "other", _("其他")


class Delivery(models.Model):
    """One bag (one household's order) in one plan."""

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="deliveries")
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="deliveries")
    order = models.ForeignKey("market.Order", on_delete=models.PROTECT, related_name="deliveries")
    compound = models.ForeignKey("core.Compound", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(_("确认方式"), max_length=10, choices=Method.choices, blank=True)
    photo = models.ImageField(_("照片"), upload_to="delivery/%Y/%m/%d/", blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    fail_reason = models.CharField(
        _("未送达原因"), max_length=10, choices=FailReason.choices, blank=True
    )
    fail_note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("配送记录")
        verbose_name_plural = _("配送记录")
        ordering = ["plan_id", "stop_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="delivery_one_per_plan_order"),
        ]
        indexes = [models.Index(fields=["order", "status"])]
