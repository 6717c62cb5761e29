"""The party layer (党建引领): branches, members, the buildings and households each
member answers for (党员联户), vanguard and shock teams, activities.

A member is a resident or a staff member of a compound; the login user, when
there is one, is reached through that record, so nothing here needs syncing when
a resident is later given an account."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    """A party branch (党支部). Usually one per compound; small compounds often
    share one, hence the many-to-many."""

    name = models.CharField(_("支部名称"), max_length=100)
    compounds = models.ManyToManyField(
        "core.Compound", related_name="party_branches", verbose_name=_("所辖小区")
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class BranchRole(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    COMMITTEE = "committee", _("支委委员")
    MEMBER = "member", _("党员")


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    TRANSFERRED = "transferred", _("已转出")


ACTIVE_STATUSES = (MemberStatus.FULL, MemberStatus.PROBATIONARY)


class Member(models.Model):
    """A party member in a branch, linked to exactly one resident or staff record."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="members", verbose_name=_("党支部")
    )
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    resident = models.ForeignKey(
        "estates.Resident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="party_memberships",
        verbose_name=_("居民"),
    )
    staff = models.ForeignKey(
        "estates.StaffMember",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="party_memberships",
        verbose_name=_("员工"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(
        _("支部职务"), max_length=12, choices=BranchRole.choices, default=BranchRole.MEMBER
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    # 亮身份: the member chooses whether the badge shows on their work elsewhere
    show_badge = models.BooleanField(_("亮明党员身份"), default=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["compound_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(resident__isnull=False, staff__isnull=True)
                    | models.Q(resident__isnull=True, staff__isnull=False)
                ),
                name="party_member_one_person",
            ),
            models.UniqueConstraint(
                fields=["branch", "resident"], name="party_member_unique_resident"
            ),
            models.UniqueConstraint(fields=["branch", "staff"], name="party_member_unique_staff"),
        ]

    def __str__(self):
        return self.name

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def user(self):
        person = self.resident or self.staff
        return person.user if person is not None else None

    @property
    def kind_label(self) -> str:
        return str(_("居民")) if self.resident_id else str(_("员工"))


class Responsibility(models.Model):
    """党员联户: a member answers for a whole building or for one household."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="responsibilities")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey(
        "core.Building",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="party_responsibilities",
        verbose_name=_("楼栋"),
    )
    household = models.ForeignKey(
        "estates.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="party_responsibilities",
        verbose_name=_("住户"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("联户责任")
        verbose_name_plural = _("联户责任")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(building__isnull=False, household__isnull=True)
                    | models.Q(building__isnull=True, household__isnull=False)
                ),
                name="party_responsibility_one_target",
            ),
            models.UniqueConstraint(
                fields=["member", "building"], name="party_responsibility_unique_building"
            ),
            models.UniqueConstraint(
                fields=["member", "household"], name="party_responsibility_unique_household"
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.building or self.household}"


class TeamKind(models.TextChoices):
    VANGUARD = "vanguard", _("党员先锋队")
    SHOCK = "shock", _("党员突击队")


class Campaign(models.TextChoices):
    EPIDEMIC_SUPPLY = "epidemic_supply", _("战疫保供")
    FLOOD_WATCH = "flood_watch", _("防汛值守")
    NIGHT_PATROL = "night_patrol", _("夜间巡逻")
    CARE = "care", _("关爱走访")
    OTHER = "other", _("其他")


class Team(models.Model):
    """A vanguard or shock team (先锋队、突击队) raised for a campaign."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="teams")
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=TeamKind.choices)
    campaign = models.CharField(_("任务"), max_length=20, choices=Campaign.choices)
    leader = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("队长"),
    )
    duty = models.CharField(_("职责"), max_length=200, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    members = models.ManyToManyField(Member, through="TeamMember", related_name="teams")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党员队伍")
        verbose_name_plural = _("党员队伍")
        ordering = ["-starts_on", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="team_memberships")
    duty = models.CharField(_("分工"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "member"], name="party_team_member_unique")
        ]


class ActivityKind(models.TextChoices):
    THEME_DAY = "theme_day", _("主题党日")
    SERVICE_DAY = "service_day", _("志愿服务日")
    STUDY = "study", _("学习教育")
    OTHER = "other", _("其他")


class Activity(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="activities")
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=ActivityKind.choices)
    held_at = models.DateTimeField(_("活动时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    description = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党建活动")
        verbose_name_plural = _("党建活动")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendance")
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="party_attendance_unique"),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0), name="party_attendance_hours_nonneg"
            ),
        ]
