"""Satisfaction (好差评): ratings of finished services, the unhappy loop that
follows a poor one, surveys and their anonymous tallies.

A rating names its household: the company must call the resident back. A
survey does not: each question's answers are kept only as counts per level
(``SurveyTally``), and whether a household has answered is a separate marker
(``SurveyMarker``) with no time and no link to the counts, so no page, export
or query can say who answered what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_HAPPY = 5, _("非常满意")
    HAPPY = 4, _("满意")
    FAIR = 3, _("基本满意")
    UNHAPPY = 2, _("不满意")
    VERY_UNHAPPY = 1, _("非常不满意")


UNHAPPY_AT_MOST = Level.UNHAPPY  # 不满意 or worse starts the loop
# the index's points per level (see selectors.FORMULA)
POINTS = {5: 100, 4: 80, 3: 60, 2: 20, 1: 0}


class Stage(models.TextChoices):
    CALL = "call", _("待回访")
    FIX = "fix", _("待整改")
    RERATE = "rerate", _("待居民复评")
    CLOSED = "closed", _("已闭环")


class Appeal(models.TextChoices):
    NONE = "", _("无申诉")
    PENDING = "pending", _("申诉待裁定")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


class Rating(models.Model):
    """One household's rating of one finished service, given once."""

    kind = models.CharField(_("服务类别"), max_length=20)
    subject_id = models.BigIntegerField()
    label = models.CharField(_("服务"), max_length=200)
    url = models.CharField(max_length=200, blank=True)
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("estates.Household", on_delete=models.CASCADE, related_name="+")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("服务完成时间"))
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"))
    # after the loop's fix the resident rates again; the index counts the latest
    first_level = models.PositiveSmallIntegerField(_("首次评价"), choices=Level.choices)
    rerated_at = models.DateTimeField(_("复评时间"), null=True, blank=True)
    rerate_comment = models.CharField(_("复评内容"), max_length=500, blank=True)
    # an appeal the regulator upheld takes the rating out of the index
    excluded = models.BooleanField(_("不计入指数"), default=False)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id", "household"], name="feedback_rate_once"
            )
        ]
        indexes = [models.Index(fields=["compound", "rated_at"])]

    @property
    def unhappy(self) -> bool:
        return self.level <= UNHAPPY_AT_MOST


class Loop(models.Model):
    """The unhappy loop of one rating: return call within 1 working day, fix
    within 15, the resident re-rates. Each overdue step is notified once
    (``*_overdue_at`` set by a conditional UPDATE)."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="loop")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices, default=Stage.CALL)
    opened_at = models.DateTimeField(_("发起时间"))
    call_due = models.DateTimeField(_("回访期限"))
    called_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    call_note = models.CharField(_("回访情况"), max_length=500, blank=True)
    fix_due = models.DateTimeField(_("整改期限"))
    fixed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    fix_note = models.CharField(_("整改情况"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("闭环时间"), null=True, blank=True)
    call_overdue_at = models.DateTimeField(null=True, blank=True)
    fix_overdue_at = models.DateTimeField(null=True, blank=True)
    appeal = models.CharField(
        _("申诉"), max_length=10, choices=Appeal.choices, default=Appeal.NONE, blank=True
    )
    appeal_reason = models.CharField(_("申诉理由"), max_length=500, blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    decision_note = models.CharField(_("裁定意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(fields=["stage", "call_due"]),
            models.Index(fields=["stage", "fix_due"]),
            models.Index(fields=["appeal"]),
        ]

    @property
    def open(self) -> bool:
        return self.stage != Stage.CLOSED


class LoopEvent(models.Model):
    """Every step of a loop as it happened (shown to the company and the regulator)."""

    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Survey(models.Model):
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("标题"), max_length=100)
    intro = models.CharField(_("说明"), max_length=500, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    target_rate = models.PositiveSmallIntegerField(_("目标回收率(%)"), default=30)
    households = models.PositiveIntegerField(_("应答户数"), default=0)  # at creation
    responses = models.PositiveIntegerField(_("已答户数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-starts_on", "-id"]


class SurveyQuestion(models.Model):
    """A question answered on the five levels."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("问题"), max_length=200)

    class Meta:
        ordering = ["order", "id"]


class SurveyTally(models.Model):
    """How many households gave ``level`` to a question: the only record of
    the answers (incremented with a conditional UPDATE, never a row per
    answer)."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="tallies")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "level"], name="feedback_tally_once")
        ]


class SurveyMarker(models.Model):
    """That a household has answered (so it answers once) — no time, no answers."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("estates.Household", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "household"], name="feedback_answer_once")
        ]
