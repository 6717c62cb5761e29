"""Models of the supervision app's credit area (imported by supervision/models.py).

A company's credit for a period (a month, "YYYY-MM") is computed by a job from
the conduct rules every module registers (``wanjia.core.conduct``) and stored:
``CreditScore`` with its ``CreditItem`` rows, one per piece of evidence, so that
pages and the API read stored scores and every point names its record."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanjia.core.models import Company, Compound

__all__ = [
    "Award",
    "CreditItem",
    "CreditScore",
    "CreditSettings",
    "Grade",
    "Objection",
    "ObjectionKind",
    "ObjectionStatus",
]


class Grade(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class CreditSettings(models.Model):
    """The city's scoring settings: one row (``current()``), edited by the
    authority, every change audited."""

    base = models.PositiveSmallIntegerField(_("基础分"), default=80)
    good_cap = models.PositiveSmallIntegerField(_("加分上限"), default=40)
    aaa_from = models.PositiveSmallIntegerField(_("AAA 级起点"), default=90)
    aa_from = models.PositiveSmallIntegerField(_("AA 级起点"), default=80)
    a_from = models.PositiveSmallIntegerField(_("A 级起点"), default=70)
    b_from = models.PositiveSmallIntegerField(_("B 级起点"), default=60)
    award_points = models.PositiveSmallIntegerField(_("每项表彰加分"), default=5)
    decide_days = models.PositiveSmallIntegerField(_("异议办理时限（天）"), default=10)
    restore_days = models.PositiveSmallIntegerField(_("整改后恢复分值的观察期（天）"), default=30)
    # per-rule points and thresholds, by rule code: {"tickets.sla_missed": {"points": 1, "threshold": 5}}
    rule_params = models.JSONField(_("各规则分值与阈值"), default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("信用评分设置")

    @classmethod
    def current(cls) -> "CreditSettings":
        found = cls.objects.order_by("pk").first()
        if found is None:
            found, _created = cls.objects.get_or_create(pk=1)
        return found

    def grade_of(self, score: float) -> str:
        for grade, floor in (
            (Grade.AAA, self.aaa_from),
            (Grade.AA, self.aa_from),
            (Grade.A, self.a_from),
            (Grade.B, self.b_from),
        ):
            if score >= floor:
                return grade
        return Grade.C


class Award(models.Model):
    """An award or commendation the authority records for a company: good
    conduct (rule ``supervision.award``)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="credit_awards")
    title = models.CharField(_("表彰名称"), max_length=100)
    issuer = models.CharField(_("颁发单位"), max_length=100)
    awarded_on = models.DateField(_("表彰日期"))
    points = models.PositiveSmallIntegerField(_("加分"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        verbose_name = _("表彰")


class CreditScore(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="credit_scores")
    period = models.CharField(_("期间"), max_length=7)  # "YYYY-MM"
    base = models.FloatField(_("基础分"))
    good = models.FloatField(_("加分"))
    bad = models.FloatField(_("扣分"))
    score = models.FloatField(_("信用分"))
    grade = models.CharField(_("等级"), max_length=3, choices=Grade.choices)
    good_cap = models.FloatField(_("加分上限"))
    red = models.BooleanField(_("红名单"), default=False)
    black = models.BooleanField(_("黑名单"), default=False)
    open_deductions = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "period"], name="credit_score_once")
        ]
        indexes = [models.Index(fields=["period", "-score"])]
        verbose_name = _("信用分")


class CreditItem(models.Model):
    """One piece of evidence in a score. ``points`` is what the evidence is
    worth; ``counted`` what it adds to the score (0 once an objection is
    upheld or points are restored; a good item beyond the cap counts in part)."""

    score = models.ForeignKey(CreditScore, on_delete=models.CASCADE, related_name="items")
    rule = models.CharField(max_length=80)
    kind = models.CharField(max_length=4)  # conduct.GOOD / BAD
    serious = models.BooleanField(default=False)
    ref = models.CharField(max_length=120)
    points = models.FloatField()
    counted = models.FloatField()
    label = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    compound = models.ForeignKey(Compound, null=True, on_delete=models.SET_NULL, related_name="+")
    happened_on = models.DateField()
    why_not = models.CharField(max_length=20, blank=True)  # "", "objection", "restored", "cap"

    class Meta:
        ordering = ["kind", "happened_on", "pk"]


class ObjectionKind(models.TextChoices):
    CONTEST = "contest", _("异议")
    REPAIR = "repair", _("信用修复")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("已采纳")
    REJECTED = "rejected", _("已驳回")


class Objection(models.Model):
    """A company contests a deduction (``contest``: upheld, the item stops
    counting) or shows a fault rectified (``repair``: accepted, its points come
    back once ``restores_on`` is reached)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="credit_objections")
    kind = models.CharField(
        _("类型"), max_length=8, choices=ObjectionKind.choices, default=ObjectionKind.CONTEST
    )
    period = models.CharField(_("期间"), max_length=7)
    rule = models.CharField(max_length=80)
    ref = models.CharField(max_length=120)
    item_label = models.CharField(max_length=300)
    points = models.FloatField()
    text = models.TextField(_("理由"))
    file = models.FileField(_("附件"), upload_to="supervision/objections/", blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lodged_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("裁定意见"), blank=True)
    restores_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-lodged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "ref", "kind"],
                condition=models.Q(status="pending"),
                name="credit_objection_one_pending",
            )
        ]

    @property
    def overdue(self) -> bool:
        return self.status == ObjectionStatus.PENDING and timezone.now() > self.due_at
