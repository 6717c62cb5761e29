"""Dispute screening and tiered mediation (矛盾纠纷排查化解).

A case starts as low as it can (the building) and climbs building → compound →
community → street when its mediator escalates it or its level's time limit runs
out. The headline figures (小事不出楼栋、大事不出小区) are read from
``resolved_level``, the level a case stood at when it was resolved."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NOISE = "noise", _("噪音扰民")
    LEAK = "leak", _("漏水渗水")
    PARKING = "parking", _("停车纠纷")
    PETS = "pets", _("宠物饲养")
    RENOVATION = "renovation", _("装修施工")
    SHARED_SPACE = "shared_space", _("公共空间占用")
    FEES = "fees", _("物业费用")
    SERVICE = "service", _("服务质量")
    OTHER = "other", _("其他")


class Risk(models.TextChoices):
    BLUE = "blue", _("蓝色（一般）")
    YELLOW = "yellow", _("黄色（较大）")
    RED = "red", _("红色（重大）")


class Level(models.TextChoices):
    BUILDING = "building", _("楼栋")
    COMPOUND = "compound", _("小区")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")


LEVEL_ORDER = [Level.BUILDING, Level.COMPOUND, Level.COMMUNITY, Level.STREET]


def next_level(level: str) -> str | None:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None


class Status(models.TextChoices):
    PENDING = "pending", _("待调解")
    MEDIATING = "mediating", _("调解中")
    RESOLVED = "resolved", _("已化解")  # waiting for the follow-up visit
    CLOSED = "closed", _("已回访")


OPEN_STATUSES = (Status.PENDING, Status.MEDIATING)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Source(models.TextChoices):
    LEADER = "leader", _("楼栋长登记")
    STAFF = "staff", _("工作人员登记")
    RESIDENT = "resident", _("居民上报")
    SWEEP = "sweep", _("排查发现")


class SweepPeriod(models.TextChoices):
    WEEK = "week", _("每周")
    MONTH = "month", _("每月")


class Policy(models.Model):
    """Per-compound time limits. A compound without a row uses the defaults."""

    compound = models.OneToOneField(
        "core.Compound", on_delete=models.CASCADE, related_name="dispute_policy"
    )
    building_days = models.PositiveSmallIntegerField(_("楼栋层级时限(天)"), default=3)
    compound_days = models.PositiveSmallIntegerField(_("小区层级时限(天)"), default=7)
    community_days = models.PositiveSmallIntegerField(_("社区层级时限(天)"), default=15)
    street_days = models.PositiveSmallIntegerField(_("街道层级时限(天)"), default=30)
    followup_days = models.PositiveSmallIntegerField(_("化解后回访(天)"), default=7)
    reopen_days = models.PositiveSmallIntegerField(_("可重新打开期限(天)"), default=30)
    sweep_period = models.CharField(
        _("排查周期"), max_length=5, choices=SweepPeriod.choices, default=SweepPeriod.MONTH
    )

    class Meta:
        verbose_name = _("调解时限设置")
        verbose_name_plural = _("调解时限设置")

    def days_for(self, level: str) -> int:
        return getattr(self, f"{level}_days")


class Sweep(models.Model):
    """常态化排查: one building's screening for one period."""

    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "core.Building", on_delete=models.CASCADE, related_name="dispute_sweeps"
    )
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_nothing = models.BooleanField(_("未发现矛盾"), default=False)
    note = models.CharField(_("排查说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("排查")
        verbose_name_plural = _("排查")
        ordering = ["-period_start", "building_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "period_start"], name="disputes_sweep_unique_period"
            )
        ]
        indexes = [models.Index(fields=["compound", "period_start"])]

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def late(self) -> bool:
        return not self.done and self.period_end < timezone.localdate()


class Case(models.Model):
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="dispute_cases"
    )
    building = models.ForeignKey(
        "core.Building",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispute_cases",
        verbose_name=_("楼栋"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    summary = models.TextField(_("情况描述"), max_length=2000)
    risk = models.CharField(_("风险等级"), max_length=6, choices=Risk.choices, default=Risk.BLUE)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    sweep = models.ForeignKey(
        Sweep, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediated_cases",
        verbose_name=_("调解人"),
    )
    opened_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    level_since = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("本层级期限"))
    # how many level time limits this case has run past (each one escalated it)
    timeouts = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    resolved_level = models.CharField(
        _("化解层级"), max_length=10, choices=Level.choices, blank=True
    )
    resolution = models.TextField(_("化解结果"), blank=True)
    agreement = models.TextField(_("调解协议内容"), blank=True)
    followup_due = models.DateField(_("回访日期"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    followup_note = models.TextField(_("回访情况"), blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["compound", "status", "level"]),
            models.Index(fields=["compound", "resolved_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def number(self) -> str:
        """The number printed on the agreement: 〔year〕compound 调字第 id 号."""
        return f"〔{timezone.localtime(self.opened_at).year}〕{self.compound.code}调字第{self.pk}号"


class CaseParty(models.Model):
    """One side of a dispute: a household, or the property company."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    household = models.ForeignKey(
        "estates.Household", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    company = models.ForeignKey(
        "core.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("当事方"), max_length=100)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("当事方")
        verbose_name_plural = _("当事方")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(household__isnull=False, company__isnull=True)
                    | models.Q(household__isnull=True, company__isnull=False)
                ),
                name="disputes_party_one_side",
            ),
            models.UniqueConstraint(
                fields=["case", "household"], name="disputes_party_unique_household"
            ),
            models.UniqueConstraint(
                fields=["case", "company"], name="disputes_party_unique_company"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="disputes_party_satisfaction_1_5",
            ),
        ]

    def __str__(self):
        return self.label


class Session(models.Model):
    """A mediation session. Its notes are for the mediators only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    level = models.CharField(max_length=10, choices=Level.choices)
    held_at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = models.CharField(_("参加人员"), max_length=300, blank=True)
    notes = models.TextField(_("调解记录"), max_length=5000)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_at", "id"]


class EventKind(models.TextChoices):
    OPENED = "opened", _("登记")
    ESCALATED = "escalated", _("上报上一级")
    TIMED_OUT = "timed_out", _("超时自动上报")
    SESSION = "session", _("调解")
    RESOLVED = "resolved", _("化解")
    RATED = "rated", _("评价")
    FOLLOWED_UP = "followed_up", _("回访")
    REOPENED = "reopened", _("重新打开")


class CaseEvent(models.Model):
    """The case's timeline, shown to everyone who may see the case (no notes here)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    to_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
