"""Repair and report tickets (报事报修): a resident (or staff for a resident, or
another app through the ``tickets.open`` intent) reports a fault in their own
unit or a common area; the ticket runs submitted → accepted → assigned → in
progress → done → return visit (回访) → closed, against the targets of its
category (respond within N minutes, finish within N hours), with a warning
before a target is missed and an escalation to the manager when it is.

Every row carries its compound (and household, when it is a unit's fault) so
that ``scope_q`` filters it. The targets are copied onto the ticket when it is
opened: a category edited later does not move an open ticket's clock."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A company's ticket category with its targets (the SLA). ``duty`` is the
    staff duty (``estates.Duty``) whose holders take its tickets when they are
    assigned automatically; empty: a manager assigns by hand."""

    company = models.ForeignKey(
        "core.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("物业企业")
    )
    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=30)
    urgent = models.BooleanField(_("紧急"), default=False)
    respond_minutes = models.PositiveIntegerField(
        _("响应时限（分钟）"), validators=[MinValueValidator(5), MaxValueValidator(10080)]
    )
    finish_hours = models.PositiveIntegerField(
        _("完成时限（小时）"), validators=[MinValueValidator(1), MaxValueValidator(2160)]
    )
    duty = models.CharField(_("派单职责"), max_length=20, blank=True)
    sort = models.PositiveSmallIntegerField(default=50)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("报修类别")
        verbose_name_plural = _("报修类别")
        ordering = ["company_id", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="tickets_category_code")
        ]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    DONE = "done", _("已完成")
    RETURN_VISIT = "return_visit", _("待回访")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已撤回")


OPEN = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)
WORKING = (Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)


class Place(models.TextChoices):
    UNIT = "unit", _("自家")
    COMMON = "common", _("公共区域")


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民报修")
    STAFF = "staff", _("工作人员代报")
    PATROL = "patrol", _("巡逻发现")
    CARE = "care", _("关爱探访")
    OTHER = "other", _("其他")


class Ticket(models.Model):
    """One report. ``respond_by``/``finish_by`` are the category's targets from
    ``created_at`` and never move; ``fix_by`` is the deadline a return visit sets
    after an unhappy rating (the work then runs against it). The ``*_warned_at``
    and ``*_escalated_at`` stamps are set once each by the sweep (a conditional
    UPDATE on the stamp being empty), so each notice goes out once."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        "core.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    household = models.ForeignKey(
        "estates.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("住户"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("类别")
    )
    place_kind = models.CharField(_("位置"), max_length=8, choices=Place.choices)
    place = models.CharField(_("具体位置"), max_length=100, blank=True)
    fault_key = models.CharField(max_length=160, blank=True, db_index=True)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("问题描述"), max_length=2000)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.RESIDENT
    )
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.SUBMITTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人"),
    )
    created_at = models.DateTimeField(_("提交时间"))
    day = models.DateField()  # local date of created_at (the household's daily limit)
    respond_by = models.DateTimeField(_("响应时限"))
    finish_by = models.DateTimeField(_("完成时限"))
    fix_by = models.DateTimeField(_("整改时限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始处理"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    first_done_at = models.DateTimeField(null=True, blank=True)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    visit_note = models.CharField(_("回访记录"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    respond_warned_at = models.DateTimeField(null=True, blank=True)
    respond_escalated_at = models.DateTimeField(null=True, blank=True)
    finish_warned_at = models.DateTimeField(null=True, blank=True)
    finish_escalated_at = models.DateTimeField(null=True, blank=True)
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="followed_tickets", blank=True
    )

    class Meta:
        verbose_name = _("报修工单")
        verbose_name_plural = _("报修工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["compound", "status"]),
            # the queue, newest first a page at a time: without it the planner
            # joined every ticket of the compound to the city's buildings
            # before sorting (bench-city: 6 ms at 100 k households, more at 1 M)
            models.Index(fields=["compound", "created_at", "id"], name="tickets_queue_newest"),
            models.Index(fields=["household", "day"]),
            models.Index(fields=["status", "respond_by"]),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def due_by(self):
        """The deadline the work runs against now."""
        return self.fix_by or self.finish_by

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class TicketPhoto(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="tickets/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Event(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    ACCEPTED = "accepted", _("受理")
    ASSIGNED = "assigned", _("派单")
    STARTED = "started", _("开始处理")
    DONE = "done", _("完成")
    RATED = "rated", _("评价")
    VISITED = "visited", _("回访")
    REOPENED = "reopened", _("重新处理")
    CLOSED = "closed", _("关闭")
    CANCELLED = "cancelled", _("撤回")
    WARNED = "warned", _("超时预警")
    ESCALATED = "escalated", _("超时上报经理")


class TicketEvent(models.Model):
    """The ticket's clock: each step with its time (and who)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Event.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]


class DailyCount(models.Model):
    """Tickets a household opened on a local day: raised by a conditional
    UPDATE ``… WHERE count < limit``, so concurrent reports never pass it."""

    household = models.ForeignKey("estates.Household", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "day"], name="tickets_daily_once")
        ]
