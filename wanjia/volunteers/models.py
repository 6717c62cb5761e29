"""Volunteers (志愿服务) and the thanks wall (感谢墙).

A resident applies in a compound; the compound approves (which grants the
volunteer role there) or declines with a reason. Approved volunteers join
teams (sorting, delivery, patrol, care, emergency), each with a leader.
Staff or other modules post tasks with a number of places; a sign-up takes a
place by one conditional UPDATE (``taken < places``), so concurrent sign-ups
never overfill a task. A volunteer checks in and out on the phone; a check-in
left open for 12 hours is closed by the sweep and flagged. Only hours the
task's owner confirms enter the ledger (``HoursEntry``); the star level and
the certificate read the ledger alone.

Every row carries its compound so that ``scope_q`` filters it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamKind(models.TextChoices):
    SORTING = "sorting", _("分拣队")
    DELIVERY = "delivery", _("配送队")
    PATROL = "patrol", _("巡逻队")
    CARE = "care", _("关爱队")
    EMERGENCY = "emergency", _("应急队")


class AppStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    DECLINED = "declined", _("未通过")


class Volunteer(models.Model):
    """One person's application and, once approved, their volunteer record in
    one compound. ``user`` is empty for volunteers registered without a login
    (the demo's many); ``resident`` is empty for a volunteer who does not
    live in the compound."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_records",
    )
    resident = models.ForeignKey(
        "estates.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    languages = models.CharField(_("会说的语言或方言"), max_length=100, blank=True)
    can_lift = models.BooleanField(_("能搬重物"), default=False)
    can_drive = models.BooleanField(_("会开车"), default=False)
    can_help_phone = models.BooleanField(_("能帮别人用手机"), default=False)
    wants = models.CharField(_("想参加的队伍"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AppStatus.choices, default=AppStatus.PENDING
    )
    decline_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("申请时间"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["compound_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "user"],
                condition=models.Q(user__isnull=False),
                name="volunteer_one_per_user_compound",
            )
        ]
        indexes = [models.Index(fields=["compound", "status"])]

    def __str__(self):
        return self.name


class Team(models.Model):
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    kind = models.CharField(_("队伍"), max_length=10, choices=TeamKind.choices)
    leader = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("队长"),
    )
    members = models.ManyToManyField(Volunteer, related_name="teams", blank=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["compound_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "kind"], name="volunteer_team_per_kind")
        ]

    def __str__(self):
        return self.get_kind_display()


class Task(models.Model):
    """A shift with ``places`` places; ``taken`` counts live sign-ups and is
    changed only by conditional UPDATEs. ``source`` names what asked for it
    (``market.window:12``) when another module posted it."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=TeamKind.choices)
    title = models.CharField(_("任务名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=100)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    places = models.PositiveIntegerField(_("名额"))
    taken = models.PositiveIntegerField(_("已报名"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责人"),
    )
    source = models.CharField(_("来源"), max_length=60, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿任务")
        verbose_name_plural = _("志愿任务")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["compound", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("places")), name="volunteer_task_not_over"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def left(self) -> int:
        return max(self.places - self.taken, 0)

    @property
    def planned_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignupStatus(models.TextChoices):
    SIGNED = "signed", _("已报名")
    WITHDRAWN = "withdrawn", _("已退出")


class Signup(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=SignupStatus.choices, default=SignupStatus.SIGNED
    )
    signed_at = models.DateTimeField(_("报名时间"))
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    auto_closed = models.BooleanField(_("超时自动签退"), default=False)
    minutes = models.PositiveIntegerField(_("确认时长（分钟）"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["task_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "volunteer"], name="volunteer_signup_once")
        ]

    @property
    def worked_minutes(self) -> int | None:
        if self.checked_in_at is None or self.checked_out_at is None:
            return None
        return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)


class HoursEntry(models.Model):
    """One line of a volunteer's ledger: confirmed minutes of one sign-up."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    signup = models.OneToOneField(
        Signup, null=True, blank=True, on_delete=models.SET_NULL, related_name="entry"
    )
    minutes = models.PositiveIntegerField(_("分钟"))
    day = models.DateField(_("服务日期"))
    what = models.CharField(_("服务内容"), max_length=100)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("服务时长")
        verbose_name_plural = _("服务时长")
        ordering = ["volunteer_id", "day", "id"]
        indexes = [models.Index(fields=["compound", "day"])]


class Certificate(models.Model):
    """A service certificate (志愿服务证明) as issued: the hours at issue."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="certificates")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("编号"), max_length=30, unique=True)
    minutes = models.PositiveIntegerField(_("累计时长（分钟）"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    issued_at = models.DateTimeField(_("开具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at", "-id"]


class ThanksTarget(models.TextChoices):
    STAFF = "staff", _("工作人员")
    PARTY = "party", _("党员")
    VOLUNTEER = "volunteer", _("志愿者")


class ThanksStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    SHOWN = "shown", _("已上墙")
    HIDDEN = "hidden", _("已隐藏")


class Thanks(models.Model):
    """A resident's thanks to a named person for something specific. It shows
    on the wall once the compound approves it; ``target_kind``/``target_id``
    name the person's record (a staff member, a party member, a volunteer)."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(_("署名"), max_length=50)
    target_kind = models.CharField(_("感谢对象类别"), max_length=10, choices=ThanksTarget.choices)
    target_id = models.PositiveBigIntegerField()
    target_name = models.CharField(_("感谢对象"), max_length=50)
    text = models.CharField(_("感谢的事"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=ThanksStatus.choices, default=ThanksStatus.PENDING
    )
    created_at = models.DateTimeField()
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("感谢")
        verbose_name_plural = _("感谢")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["compound", "status"]),
            models.Index(fields=["target_kind", "target_id"]),
        ]
