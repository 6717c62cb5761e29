"""Models of the supervision app's exemplary area (imported by supervision/models.py).

An exemplary case (先进典型) is nominated from a record another module holds
(``source_key``, read through the kernel's evidence registry: a thanks wall
entry, a mediation, an emergency nomination), reviewed by the authority,
selected and published to the public page. The record's own label and link
are kept for the authority; the public page shows only what the nomination
states for publishing (title, people as named, citation, photos)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["CasePhoto", "CaseStatus", "ExemplaryCase"]


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回补充")
    REJECTED = "rejected", _("未入选")
    SELECTED = "selected", _("已入选")
    PUBLISHED = "published", _("已发布")


class ExemplaryCase(models.Model):
    source_kind = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    source_key = models.CharField(max_length=80)
    source_label = models.CharField(_("事迹来源"), max_length=300)
    source_url = models.CharField(max_length=300, blank=True)
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    happened_on = models.DateField(_("事迹日期"))
    title = models.CharField(_("标题"), max_length=60)
    people = models.CharField(_("先进个人或集体"), max_length=100)
    citation = models.TextField(_("事迹"), max_length=3000)
    status = models.CharField(
        _("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    by_regulator = models.BooleanField(default=False)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    selected_at = models.DateTimeField(_("入选时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-nominated_at", "-id"]
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型")
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["company", "selected_at"]),
        ]
        constraints = [
            # one live nomination per record: a rejected one may be nominated again
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(status="rejected"),
                name="exemplary_source_once",
            )
        ]

    def __str__(self):
        return self.title


class CasePhoto(models.Model):
    case = models.ForeignKey(ExemplaryCase, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="exemplary/%Y/%m/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
