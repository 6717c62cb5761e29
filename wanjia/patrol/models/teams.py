"""Teams and their rosters: members, roster shifts, leave and weekly wishes; outposts
and their staffed shifts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rounds import LAT, LNG, PERCENT


class TeamRole(models.TextChoices):
    GUARD = "guard", _("保安")
    VOLUNTEER = "volunteer", _("志愿者")


class Team(models.Model):
    """A patrol team of a compound, led by a party member (``leader``: a user
    who is a party member of the compound — checked by the service that sets
    it, not here), with guards and volunteers through ``TeamMember``."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("队名"), max_length=60)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("队长（党员）"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMember", related_name="patrol_teams"
    )

    class Meta:
        verbose_name = _("巡逻队")
        verbose_name_plural = _("巡逻队")
        ordering = ["compound_id", "name", "id"]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(
        _("身份"), max_length=10, choices=TeamRole.choices, default=TeamRole.GUARD
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="patrol_teammember_once")
        ]


class RosterShift(models.Model):
    """One person on one shift of one day: ``shift`` is the engine's key
    ("day", "evening", "night"...), ``starts_at``/``ends_at`` the actual times
    (a night shift ends the next morning). ``date`` is the local date the shift
    starts on."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    date = models.DateField(_("日期"))
    shift = models.CharField(_("班次"), max_length=20)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["date", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "date", "shift", "user"], name="patrol_rostershift_once"
            )
        ]


class Outpost(models.Model):
    """A post (岗哨) where someone stands during ``staffed_from``..``staffed_to``
    (local times; past midnight when ``to`` <= ``from``). Placed like a
    checkpoint on the plan (``x``/``y`` in per cent), optionally ``lat``/``lng``."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=60)
    x = models.FloatField(default=50, validators=PERCENT)
    y = models.FloatField(default=50, validators=PERCENT)
    lat = models.FloatField(null=True, blank=True, validators=LAT)
    lng = models.FloatField(null=True, blank=True, validators=LNG)
    staffed_from = models.TimeField(_("值守开始"), default="20:00")
    staffed_to = models.TimeField(_("值守结束"), default="06:00")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("岗哨")
        verbose_name_plural = _("岗哨")
        ordering = ["compound_id", "name", "id"]

    def __str__(self):
        return self.name


class OutpostShift(models.Model):
    """Someone at an outpost from ``starts_at`` to ``ends_at``: gaps in the
    staffed hours not covered by shifts are the "gaps in cover"."""

    outpost = models.ForeignKey(Outpost, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["outpost_id", "starts_at", "id"]


class Leave(models.Model):
    """A team member away from ``start`` to ``end`` (dates, both included): the
    roster engine gives them no shift starting on those dates."""

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
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["compound_id", "start", "id"]
        indexes = [models.Index(fields=["compound", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="patrol_leave_order"
            )
        ]


class ShiftWish(models.Model):
    """A team member's standing wish for the roster, every week: on ``weekday``
    (1 = Monday … 7 = Sunday) they would rather work ``shift`` (``wants``) or
    not (a shift key, or ``*`` for the whole day). The roster engine honours as
    many wishes as the hard rules allow; they never override cover or rest."""

    compound = models.ForeignKey(
        "core.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("小区")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("人员")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"))
    shift = models.CharField(_("班次"), max_length=20)
    wants = models.BooleanField(_("愿意上"), default=False)
    note = models.CharField(_("备注"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("排班意愿")
        verbose_name_plural = _("排班意愿")
        ordering = ["compound_id", "user_id", "weekday", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "user", "weekday", "shift"], name="patrol_wish_once"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=7), name="patrol_wish_weekday"
            ),
        ]
