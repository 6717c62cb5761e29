"""Rounds: checkpoints on the compound plan, routes and their schedules, the runs
generated from them with a due time per stop, the guards' check-ins (with integrity
flags that inform, never block) and the incidents found on a round."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


LAT = [MinValueValidator(-90), MaxValueValidator(90)]


LNG = [MinValueValidator(-180), MaxValueValidator(180)]


class CheckpointKind(models.TextChoices):
    GATE = "gate", _("大门")
    PERIMETER = "perimeter", _("围墙")
    GARAGE = "garage", _("车库")
    OUTPOST = "outpost", _("岗哨")
    RIVERSIDE = "riverside", _("河边低洼处")
    CUSTOM = "custom", _("其他")


class Checkpoint(models.Model):
    """A place a guard scans. ``x``/``y`` place it on the compound plan (per cent
    of the plan's width and height, 0..100, origin top left); ``lat``/``lng``
    are optional and only needed for the "outside the radius" flag."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(
        _("类型"), max_length=12, choices=CheckpointKind.choices, default=CheckpointKind.CUSTOM
    )
    x = models.FloatField(_("平面图横向位置（%）"), default=50, validators=PERCENT)
    y = models.FloatField(_("平面图纵向位置（%）"), default=50, validators=PERCENT)
    lat = models.FloatField(_("纬度"), null=True, blank=True, validators=LAT)
    lng = models.FloatField(_("经度"), null=True, blank=True, validators=LNG)
    radius_m = models.PositiveIntegerField(
        _("签到半径（米）"), default=30, validators=[MinValueValidator(5), MaxValueValidator(1000)]
    )
    active = models.BooleanField(_("启用"), default=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("巡更点")
        verbose_name_plural = _("巡更点")
        ordering = ["compound_id", "name", "id"]

    def __str__(self):
        return self.name


class Route(models.Model):
    """An ordered list of checkpoints (through ``RouteStop``). On a strict route
    a check-in out of order is flagged; on a free one any order is fine."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("路线名称"), max_length=60)
    strict_order = models.BooleanField(_("须按顺序巡查"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    checkpoints = models.ManyToManyField(
        Checkpoint, through="RouteStop", related_name="routes", verbose_name=_("巡更点")
    )

    class Meta:
        verbose_name = _("巡逻路线")
        verbose_name_plural = _("巡逻路线")
        ordering = ["compound_id", "name", "id"]

    def __str__(self):
        return self.name


class RouteStop(models.Model):
    """The ``order``-th checkpoint of a route, ``minutes`` after the previous one
    (after the round's start for the first)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("顺序"))
    minutes = models.PositiveSmallIntegerField(
        _("距上一点（分钟）"), default=5, validators=[MaxValueValidator(240)]
    )

    class Meta:
        ordering = ["route_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="patrol_routestop_order")
        ]


class Schedule(models.Model):
    """Rounds of ``route`` every ``every_minutes`` from ``start`` to ``end``
    (local time; an ``end`` at or before ``start`` runs past midnight) on the
    ISO ``weekdays`` ("1234567": Monday is 1) of the night's first evening."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="schedules")
    every_minutes = models.PositiveSmallIntegerField(
        _("间隔（分钟）"), default=120, validators=[MinValueValidator(15), MaxValueValidator(1440)]
    )
    start = models.TimeField(_("开始时间"), default="22:00")
    end = models.TimeField(_("结束时间"), default="06:00")
    weekdays = models.CharField(_("星期"), max_length=7, default="1234567")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("巡逻排程")
        verbose_name_plural = _("巡逻排程")


class RunStatus(models.TextChoices):
    PLANNED = "planned", _("待巡")
    IN_PROGRESS = "in_progress", _("巡逻中")
    DONE = "done", _("已完成")
    PARTIAL = "partial", _("有漏点")


class Run(models.Model):
    """One round of a route starting at ``starts_at``, generated ahead from a
    schedule (unique per route and start: generating twice makes nothing)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="runs")
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.SET_NULL)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("最后到点时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.PLANNED
    )

    class Meta:
        verbose_name = _("巡逻轮次")
        verbose_name_plural = _("巡逻轮次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "starts_at"], name="patrol_run_route_start")
        ]
        indexes = [models.Index(fields=["compound", "starts_at"])]


class RunStop(models.Model):
    """A checkpoint due at ``due_at`` in a run. ``checkin`` is set by the first
    check-in that counts for it; ``missed`` once it is overdue past the grace,
    and ``alerted_at`` when the leader and manager were told (once)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="stops")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    checkin = models.ForeignKey(
        "CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missed = models.BooleanField(default=False)
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "order"]
        indexes = [models.Index(fields=["checkpoint", "due_at"])]


class Flag(models.TextChoices):
    OUTSIDE_RADIUS = "outside_radius", _("不在签到范围内")
    IMPOSSIBLE_SPEED = "impossible_speed", _("两点间速度不合常理")
    CLOCK_OFF = "clock_off", _("手机时间偏差过大")
    OUT_OF_ORDER = "out_of_order", _("未按顺序巡查")
    SHARED_DEVICE = "shared_device", _("同一手机多人签到")
    NO_RUN = "no_run", _("不在排定轮次内")


class CheckIn(models.Model):
    """One scan of a checkpoint by a guard. ``scanned_at`` is the phone's clock
    (a queued offline scan arrives later), ``received_at`` the server's.
    ``key`` is the phone's idempotency key: one record per user and key.
    ``flags`` is a list of ``Flag`` values."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="checkins")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    run_stop = models.ForeignKey(
        RunStop, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(_("设备"), max_length=64, blank=True)
    scanned_at = models.DateTimeField(_("扫码时间"))
    received_at = models.DateTimeField(_("收到时间"))
    lat = models.FloatField(null=True, blank=True, validators=LAT)
    lng = models.FloatField(null=True, blank=True, validators=LNG)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    photo = models.ImageField(_("照片"), upload_to="patrol/%Y/%m/%d/", blank=True)
    key = models.CharField(max_length=100)
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["scanned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="patrol_checkin_key")]
        indexes = [
            models.Index(fields=["user", "scanned_at"]),
            models.Index(fields=["device_id", "scanned_at"]),
            # the nightly retention job finds the months past retention by it
            models.Index(fields=["received_at"], name="patrol_checkin_received"),
        ]


class IncidentCategory(models.TextChoices):
    SAFETY = "safety", _("安全隐患")
    FIRE = "fire", _("消防")
    WATER = "water", _("积水/汛情")
    FACILITY = "facility", _("设施损坏")
    STRANGER = "stranger", _("可疑人员")
    NOISE = "noise", _("噪音扰民")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    LOW = "low", _("一般")
    MEDIUM = "medium", _("较重")
    HIGH = "high", _("紧急")


class HandedTo(models.TextChoices):
    NONE = "", _("未转交")
    DISPUTE = "dispute", _("矛盾纠纷")
    REPAIR = "repair", _("报修")


class Incident(models.Model):
    """Something found on a round. ``handed_to``/``handed_ref`` record that it
    became a dispute case or a repair ticket (the other app's id, as text:
    no foreign key across apps)."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("类别"), max_length=12, choices=IncidentCategory.choices)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=Severity.choices, default=Severity.LOW
    )
    place = models.CharField(_("地点"), max_length=100, blank=True)
    note = models.CharField(_("情况说明"), max_length=500)
    photo = models.ImageField(_("照片"), upload_to="patrol/incidents/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("发现时间"))
    handed_to = models.CharField(
        _("转交"), max_length=10, choices=HandedTo.choices, default="", blank=True
    )
    handed_ref = models.CharField(_("转交单号"), max_length=40, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("巡逻发现")
        verbose_name_plural = _("巡逻发现")
        ordering = ["-created_at", "-id"]
