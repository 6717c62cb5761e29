"""Credit (信用评价): a score per property company and month, stored with every
item of evidence that moved it, and the authority's own records of good and
bad conduct (commendations, awards, violations)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class CreditScore(models.Model):
    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("统计期"), max_length=7)
    base = models.DecimalField(_("基础分"), max_digits=6, decimal_places=1)
    good = models.DecimalField(_("加分"), max_digits=6, decimal_places=1)
    bad = models.DecimalField(_("扣分"), max_digits=6, decimal_places=1)
    score = models.DecimalField(_("信用分"), max_digits=6, decimal_places=1)
    grade = models.CharField(_("等级"), max_length=3, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("名次"), null=True)
    red = models.BooleanField(_("红名单"), default=False)
    black = models.BooleanField(_("黑名单"), default=False)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("信用评分")
        verbose_name_plural = _("信用评分")
        constraints = [
            models.UniqueConstraint(fields=["company", "period"], name="sup_credit_once")
        ]
        indexes = [models.Index(fields=["period", "rank"], name="sup_credit_rank")]


class CreditItem(models.Model):
    """One piece of evidence in a score: its rule, its record, its points
    (signed: + good, − bad; a capped surplus shows as its own negative item)."""

    score = models.ForeignKey(CreditScore, on_delete=models.CASCADE, related_name="items")
    rule = models.CharField(_("规则"), max_length=80)
    kind = models.CharField(max_length=4)  # "good" / "bad"
    ref = models.CharField(max_length=120)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=1)
    label = models.CharField(_("事项"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    compound_id = models.PositiveIntegerField(null=True)
    happened_on = models.DateField(_("日期"))
    serious = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "-happened_on", "pk"]


class RecordKind(models.TextChoices):
    AWARD = "award", _("获奖")
    COMMENDATION = "commendation", _("通报表扬")
    VIOLATION = "violation", _("违规行为")
    SERIOUS = "serious", _("严重失信行为")


GOOD_KINDS = (RecordKind.AWARD, RecordKind.COMMENDATION)


class ConductRecord(models.Model):
    """What the authority itself records of a company: an award or a
    commendation (good conduct), a violation or a serious violation (bad; a
    serious one black-lists the company whatever its score)."""

    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=RecordKind.choices)
    title = models.CharField(_("事由"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=4, decimal_places=1)
    happened_on = models.DateField(_("日期"))
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-happened_on", "-pk"]
