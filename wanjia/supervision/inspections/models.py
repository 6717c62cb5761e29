"""Models of the supervision app's inspections area (imported by supervision/models.py).

Checklist templates belong to the authority (a region). Editing a template's
items bumps its ``version``; an inspection copies the items it uses into its
own ``InspectionResult`` rows, so a finished inspection keeps them whatever the
template becomes. Findings carry photos (re-encoded JPEGs, served through the
gate). A finding may give a rectification notice with a deadline; the company
answers with evidence, the authority accepts or rejects. Notices to companies
(通知) carry one recipient row per company: read receipt, reply, reminder."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ChecklistTemplate",
    "ChecklistEntry",
    "Inspection",
    "InspectionResult",
    "Finding",
    "FindingPhoto",
    "Rectification",
    "RectificationEvidence",
    "EvidencePhoto",
    "CompanyNotice",
    "NoticeRecipient",
]


class ChecklistTemplate(models.Model):
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("主管区域")
    )
    name = models.CharField(_("检查表名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")

    def __str__(self):
        return self.name


class ChecklistEntry(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="entries"
    )
    category = models.CharField(_("类别"), max_length=50)
    text = models.CharField(_("检查项"), max_length=200)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    UNDERWAY = "underway", _("进行中")
    FINISHED = "finished", _("已完成")


class Inspection(models.Model):
    compound = models.ForeignKey(
        "core.Compound", on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    company = models.ForeignKey(
        "core.Company", null=True, on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    template_version = models.PositiveIntegerField(default=1)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    planned_on = models.DateField(_("计划日期"))
    status = models.CharField(
        max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(_("检查结论"), blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]

    @property
    def ref(self):
        return f"JC-{self.pk:05d}"


class Outcome(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    sort = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=50)
    text = models.CharField(max_length=200)
    outcome = models.CharField(max_length=4, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sort", "id"]


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    result = models.ForeignKey(
        InspectionResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    compound = models.ForeignKey("core.Compound", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("问题描述"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    photo = models.FileField(upload_to="supervision/findings/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)


class RectStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已通过")


class Rectification(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="rectifications")
    compound = models.ForeignKey("core.Compound", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(
        "core.Company", null=True, on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.CharField(_("整改要求"), max_length=500)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(max_length=10, choices=RectStatus.choices, default=RectStatus.OPEN)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    # claimed once by the sweep (conditional UPDATE): the notice went overdue
    overdue_at = models.DateTimeField(null=True, blank=True)
    overdue_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["deadline", "id"]

    @property
    def ref(self):
        return f"ZG-{self.pk:05d}"


class RectificationEvidence(models.Model):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence"
    )
    text = models.CharField(_("整改说明"), max_length=1000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decision = models.CharField(max_length=10, blank=True)  # "", accepted, rejected
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]


class EvidencePhoto(models.Model):
    evidence = models.ForeignKey(
        RectificationEvidence, on_delete=models.CASCADE, related_name="photos"
    )
    photo = models.FileField(upload_to="supervision/evidence/%Y/%m/")


class CompanyNotice(models.Model):
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    attachment = models.FileField(upload_to="supervision/notices/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=100, blank=True)
    reply_by = models.DateTimeField(_("回复期限"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]


class NoticeRecipient(models.Model):
    notice = models.ForeignKey(CompanyNotice, on_delete=models.CASCADE, related_name="recipients")
    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_text = models.TextField(blank=True)
    reply_file = models.FileField(upload_to="supervision/replies/%Y/%m/", blank=True)
    reply_file_name = models.CharField(max_length=100, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "company"], name="sup_notice_one_per_company")
        ]
