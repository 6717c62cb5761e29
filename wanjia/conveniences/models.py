"""Convenience services (便民服务): what a compound offers its residents for
booking (haircuts by the quarter hour, a weekly mask handout, seats on the
station shuttle, print jobs, anything else), the slots each is booked in, the
bookings (with a waitlist) and the suspensions that fair use imposes.

Capacity lives on the slot (``capacity`` and ``booked``) and only ever moves
by a conditional UPDATE (``booked < capacity``): nothing is overbooked, on any
database, whatever the concurrency. One household holds at most one live
booking per slot (a partial unique constraint). Every row carries its compound
so that ``scope_q`` filters it."""

from datetime import time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SLOT = "slot", _("预约时段（如理发）")
    QUOTA = "quota", _("限量领取（如口罩）")
    TRIP = "trip", _("班车座位")
    PRINT = "print", _("打印")
    CUSTOM = "custom", _("其他")


class Service(models.Model):
    """One service of a compound. ``resources`` lists who or what serves in
    parallel, one a line (the barbers: each gets its own slots); ``quota`` is
    what one household takes in a period (10 masks); ``station`` and
    ``pickup_gate`` describe a trip; ``cutoff_minutes`` is how long before a
    slot starts that booking, changing and cancelling close."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    price = models.DecimalField(_("价格（元）"), max_digits=8, decimal_places=2, default=0)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    resources = models.TextField(_("服务人员/设备（每行一个）"), blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("每个时段（分钟）"), default=15)
    quota = models.PositiveSmallIntegerField(_("每户每期数量"), default=1)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    station = models.CharField(_("目的站"), max_length=60, blank=True)
    pickup_gate = models.CharField(_("上车地点"), max_length=60, blank=True)
    cutoff_minutes = models.PositiveIntegerField(_("截止提前（分钟）"), default=60)
    waitlist = models.BooleanField(_("满员后可排队候补"), default=True)
    active = models.BooleanField(_("开放预约"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("便民服务")
        verbose_name_plural = _("便民服务")
        ordering = ["compound_id", "kind", "name", "id"]

    def __str__(self):
        return self.name

    @property
    def free(self) -> bool:
        return not self.price

    @property
    def resource_list(self) -> list[str]:
        return [r.strip() for r in (self.resources or "").splitlines() if r.strip()]


class Slot(models.Model):
    """What is booked: a barber's quarter hour, a week's handout, a trip's
    seats, a day's print queue. ``closes_at`` is when booking, changing and
    cancelling stop (the cut-off); ``booked`` counts live bookings and never
    passes ``capacity``."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="slots")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    resource = models.CharField(_("服务人员/设备"), max_length=40, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    booked = models.PositiveIntegerField(_("已约"), default=0)

    class Meta:
        verbose_name = _("时段")
        verbose_name_plural = _("时段")
        ordering = ["starts_at", "resource", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="conv_slot_never_overbooked"
            ),
            models.UniqueConstraint(
                fields=["service", "starts_at", "resource"], name="conv_slot_once"
            ),
        ]
        indexes = [models.Index(fields=["compound", "starts_at"])]

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def when(self) -> str:
        """The slot as a person reads it: "12-05 09:15" for a time slot, the days
        "11-30–12-06" for a week's handout (its midnight start is no time to come)."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if end - start >= timedelta(days=1):
            last = end - timedelta(microseconds=1) if end.time() == time(0) else end
            return f"{start:%m-%d}–{last:%m-%d}"
        return f"{start:%m-%d %H:%M}"


class Status(models.TextChoices):
    BOOKED = "booked", _("已预约")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已到场")
    NO_SHOW = "no_show", _("爽约")


LIVE = (Status.BOOKED, Status.WAITLISTED)


class Booking(models.Model):
    """A household's booking of a slot (or its place on the waitlist). A
    print job carries its file and goes queued → printed (``printed_at``) →
    handed over (``attended``)."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="bookings")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        "estates.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("住户")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("预约人"),
    )
    on_behalf = models.BooleanField(_("工作人员代约"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="conveniences/print/%Y/%m/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=120, blank=True)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    created_at = models.DateTimeField(_("预约时间"))
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    printed_at = models.DateTimeField(_("打印时间"), null=True, blank=True)
    marked_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "household"],
                condition=Q(status__in=["booked", "waitlisted"]),
                name="conv_one_live_booking_per_household",
            )
        ]
        indexes = [
            models.Index(fields=["compound", "status"]),
            models.Index(fields=["household", "status"]),
            models.Index(fields=["slot", "status", "id"]),
        ]


class Suspension(models.Model):
    """Booking suspended for a household (three no-shows within three
    months): from ``starts_at`` to ``ends_at`` unless a manager lifts it."""

    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        "estates.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("住户")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    reason = models.CharField(_("原因"), max_length=300)
    no_shows = models.JSONField(default=list, blank=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.CharField(_("解除原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("暂停预约")
        verbose_name_plural = _("暂停预约")
        ordering = ["-starts_at", "id"]
        indexes = [models.Index(fields=["household", "ends_at"])]
