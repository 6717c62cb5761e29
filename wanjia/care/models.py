"""Care (关爱): the people on a compound's care list, their absences, the
visits made to them each day and the escalation chain that follows a door that
did not open or a visit nobody recorded.

Health notes and emergency contacts are encrypted at rest (the kernel's
``EncryptedTextField``, the registry's own): a database dump holds neither in
clear. Every row carries its compound so that ``scope_q`` filters it."""

import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wanjia.core.fields import EncryptedTextField


class Reason(models.TextChoices):
    ALONE = "alone", _("独居老人")
    DISABILITY = "disability", _("残疾")
    CHRONIC = "chronic", _("慢性病")
    DISCHARGED = "discharged", _("近期出院")
    QUARANTINED = "quarantined", _("居家隔离")


class Level(models.TextChoices):
    DAILY = "daily", _("每日探访")
    WEEKLY = "weekly", _("每周探访")
    MONTHLY = "monthly", _("每月探访")
    CUSTOM = "custom", _("自定义间隔")


LEVEL_DAYS = {Level.DAILY: 1, Level.WEEKLY: 7, Level.MONTHLY: 30}


class CarePerson(models.Model):
    """A resident on the care list. ``started_on`` anchors the rhythm: a
    weekly person is due on ``started_on`` and every 7th day after it.
    ``emergency_contacts`` is a JSON list of ``{"name", "phone"}``, stored
    encrypted (read it through ``contacts``)."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    resident = models.OneToOneField(
        "estates.Resident",
        on_delete=models.CASCADE,
        related_name="care",
        verbose_name=_("居民"),
    )
    reason = models.CharField(_("关爱原因"), max_length=12, choices=Reason.choices)
    level = models.CharField(
        _("探访频次"), max_length=8, choices=Level.choices, default=Level.DAILY
    )
    custom_days = models.PositiveSmallIntegerField(
        _("自定义间隔（天）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    started_on = models.DateField(_("纳入日期"))
    caretakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="care_people", blank=True, verbose_name=_("探访人")
    )
    primary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("主要探访人"),
    )
    health_notes = EncryptedTextField(_("健康情况"), blank=True)
    emergency_contacts = EncryptedTextField(_("紧急联系人"), blank=True)
    what_to_look_for = models.CharField(_("探访留意事项"), max_length=300, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("关爱对象")
        verbose_name_plural = _("关爱对象")
        ordering = ["compound_id", "id"]

    def __str__(self):
        return self.resident.name

    @property
    def interval_days(self) -> int:
        if self.level == Level.CUSTOM:
            return self.custom_days or 1
        return LEVEL_DAYS[self.level]

    @property
    def contacts(self) -> list[dict]:
        try:
            data = json.loads(self.emergency_contacts or "[]")
        except ValueError:
            return []
        return [c for c in data if isinstance(c, dict)]

    def set_contacts(self, contacts: list[dict]) -> None:
        self.emergency_contacts = json.dumps(
            [{k: c[k] for k in ("name", "phone", "relation") if c.get(k)} for c in contacts],
            ensure_ascii=False,
        )


class Absence(models.Model):
    """The person is away (in hospital until…, with family) from ``starts_on``
    to ``ends_on`` inclusive: no visits are made on those days."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("暂停探访")
        verbose_name_plural = _("暂停探访")
        ordering = ["person_id", "starts_on"]


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("上门")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")


class VisitStatus(models.TextChoices):
    PENDING = "pending", _("待探访")
    DONE = "done", _("已记录")
    MISSED = "missed", _("逾期未记录")


class Outcome(models.TextChoices):
    WELL = "well", _("平安")
    NEEDS_HELP = "needs_help", _("需要帮助")
    NO_ANSWER = "no_answer", _("无人应答")
    AWAY = "away", _("不在家（已知）")


class Visit(models.Model):
    """One day's visit to one person, due by the compound's cut-off. The
    outcome is recorded once (a conditional UPDATE on ``status=pending``)."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="visits")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "core.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(_("日期"))
    due_by = models.DateTimeField(_("截止时间"))
    caretaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("探访人"),
    )
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(
        _("状态"), max_length=8, choices=VisitStatus.choices, default=VisitStatus.PENDING
    )
    outcome = models.CharField(
        _("结果"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("探访")
        verbose_name_plural = _("探访")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "date"], name="care_visit_once_a_day")
        ]
        indexes = [
            models.Index(fields=["compound", "date"]),
            models.Index(fields=["caretaker", "date"]),
            models.Index(fields=["status", "due_by"]),
        ]


class Step(models.IntegerChoices):
    RETRY = 1, _("再次上门/致电")
    CONTACTS = 2, _("联系紧急联系人")
    MANAGER = 3, _("项目经理介入")
    COMMUNITY = 4, _("社区介入")
    POLICE = 5, _("联系民警开门")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    RESOLVED = "resolved", _("已解除")


class Result(models.TextChoices):
    SAFE = "safe", _("本人平安")
    HOSPITAL = "hospital", _("已送医")
    OTHER = "other", _("其他")


class Escalation(models.Model):
    """The chain opened for one visit (a door that did not open, or a visit not
    recorded by the cut-off). ``step`` is the current step, ``owner`` who holds
    it and ``due_at`` when the next step fires (by ``escalations_sweep``,
    through a conditional UPDATE on the step: each step fires once).
    ``history`` lists the steps fired: ``{"step", "at", "owner"}``."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="escalation")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(_("步骤"), choices=Step.choices, default=Step.RETRY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责人"),
    )
    opened_at = models.DateTimeField(_("发起时间"))
    due_at = models.DateTimeField(_("到期时间"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=EscalationStatus.choices,
        default=EscalationStatus.OPEN,
    )
    result = models.CharField(
        _("结果"), max_length=10, choices=Result.choices, blank=True, default=""
    )
    note = models.CharField(_("处理说明"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unrecorded = models.BooleanField(_("逾期未记录"), default=False)
    history = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("升级处置")
        verbose_name_plural = _("升级处置")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]


class CareSettings(models.Model):
    """A compound's escalation timings, in minutes after the chain opens: the
    retry (step 1) runs until ``contacts_after``, the emergency contacts until
    ``manager_after``, the manager until ``community_after``, the community
    until ``police_after``. ``cutoff`` is the local time by which a day's visit
    must be recorded. A compound without a row uses the defaults."""

    compound = models.OneToOneField(
        "core.Compound", on_delete=models.CASCADE, related_name="care_settings"
    )
    contacts_after = models.PositiveSmallIntegerField(
        _("再次探访时限（分钟）"), default=60, validators=[MinValueValidator(5)]
    )
    manager_after = models.PositiveSmallIntegerField(
        _("经理介入（分钟）"), default=120, validators=[MinValueValidator(10)]
    )
    community_after = models.PositiveSmallIntegerField(
        _("社区介入（分钟）"), default=360, validators=[MinValueValidator(15)]
    )
    police_after = models.PositiveSmallIntegerField(
        _("联系民警（分钟）"), default=480, validators=[MinValueValidator(20)]
    )
    cutoff = models.TimeField(_("当日记录截止时间"), default="20:00")
    duty_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("值班人员")
    )

    class Meta:
        verbose_name = _("关爱设置")
        verbose_name_plural = _("关爱设置")


# ---- 24-hour duty (值班) -------------------------------------------------------------------


class DutyShift(models.Model):
    """One person on one duty shift of one day (``shift``: "day" 08:00–20:00,
    "night" 20:00–08:00 next morning, see ``services.duty``). ``date`` is the
    local date the shift starts on; ``starts_at``/``ends_at`` the actual times."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    date = models.DateField(_("日期"))
    shift = models.CharField(_("班次"), max_length=20)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("人员")
    )

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班")
        ordering = ["date", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "date", "shift", "user"], name="care_dutyshift_once"
            )
        ]
        indexes = [models.Index(fields=["compound", "starts_at"])]


class DutyLeave(models.Model):
    """A duty member away from ``start`` to ``end`` (both included): the next
    duty roster built gives them no shift starting on those dates."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("人员")
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    note = models.CharField(_("备注"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("值班请假")
        verbose_name_plural = _("值班请假")
        ordering = ["compound_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="care_dutyleave_order"
            )
        ]


class Handover(models.Model):
    """The note the outgoing person on duty leaves for the next shift (交班):
    what is open, who to watch. The incoming person acknowledges it (接班)
    once; until then it shows as unacknowledged on the duty board."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    date = models.DateField(_("交班日期"))
    shift = models.CharField(_("交班班次"), max_length=20)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("交班人"),
    )
    text = models.TextField(_("交班内容"), max_length=1000)
    created_at = models.DateTimeField(_("交班时间"))
    acknowledged_at = models.DateTimeField(_("接班确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("接班人"),
    )

    class Meta:
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["compound", "acknowledged_at"])]


# ---- needs-help follow-ups ----------------------------------------------------------------


class FollowUpKind(models.TextChoices):
    REPAIR = "repair", _("报修")
    SERVICE = "service", _("预约服务")
    REFERRAL = "referral", _("转介")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("跟进中")
    CLOSED = "closed", _("已办结")


class FollowUp(models.Model):
    """What a "needs help" visit opened: a repair (a ticket when the tickets app
    offers ``tickets.open``; its id kept in ``ticket_id``), a service booking or
    a referral (``referral_to``: 社区卫生站, 民政…), with an owner and a due
    time, closed with a note. ``overdue_notified_at``: the overdue notice went
    out (once)."""

    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="followups")
    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(_("跟进类型"), max_length=10, choices=FollowUpKind.choices)
    referral_to = models.CharField(_("转介至"), max_length=60, blank=True)
    description = models.CharField(_("需要的帮助"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责人"),
    )
    due_at = models.DateTimeField(_("办结期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    ticket_id = models.PositiveBigIntegerField(_("工单号"), null=True, blank=True)
    created_at = models.DateTimeField(_("发起时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_note = models.CharField(_("办结说明"), max_length=300, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶跟进")
        verbose_name_plural = _("帮扶跟进")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["compound", "status", "due_at"])]
