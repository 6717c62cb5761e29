"""Scoped reads of the inspections area. The authority sees its area's
records, a company admin its company's, a compound manager its compound's;
anything else is missing (404)."""

from django.db.models import F, Q
from django.utils import timezone

from wanjia.core.models import Company
from wanjia.core.roles import R
from wanjia.core.scoping import get_or_404, scope_q

from . import access
from .models import (
    ChecklistTemplate,
    CompanyNotice,
    EvidencePhoto,
    Finding,
    FindingPhoto,
    Inspection,
    NoticeRecipient,
    Rectification,
    RectStatus,
)

SIDES = (R.REGULATOR, R.COMPANY_ADMIN, R.COMPOUND_MANAGER)


def _q(user, path="compound_id"):
    """Every membership over the compound: who may only see, or not even
    that, is then refused by the page's own check (403), not hidden."""
    return scope_q(user, compound=path)


def templates(user):
    q = Q(pk__in=[])
    for region in access.regions(user):
        q |= Q(region__path__startswith=region.path)
    return ChecklistTemplate.objects.filter(q)


def template_or_404(user, pk):
    return get_or_404(templates(user), pk=pk)


def inspections(user):
    return Inspection.objects.filter(_q(user)).select_related("compound", "company", "inspector")


def inspection_or_404(user, pk):
    return get_or_404(inspections(user), pk=pk)


def findings(user):
    return (
        Finding.objects.filter(_q(user))
        .select_related("inspection", "compound")
        .prefetch_related("photos", "rectifications")
    )


def finding_or_404(user, pk):
    return get_or_404(findings(user), pk=pk)


def finding_photo_or_404(user, pk):
    return get_or_404(FindingPhoto.objects.filter(_q(user, "finding__compound_id")), pk=pk)


def evidence_photo_or_404(user, pk):
    return get_or_404(
        EvidencePhoto.objects.filter(_q(user, "evidence__rectification__compound_id")), pk=pk
    )


def rectifications(user, *, status: str = ""):
    """Overdue first, then by deadline."""
    qs = Rectification.objects.filter(_q(user)).select_related("compound", "company", "finding")
    if status == "overdue":
        qs = qs.filter(status=RectStatus.OPEN, overdue_at__isnull=False)
    elif status in RectStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", F("overdue_at").desc(nulls_last=True), "deadline", "id")


def rectification_or_404(user, pk):
    return get_or_404(
        rectifications(user).prefetch_related("evidence__photos", "finding__photos"), pk=pk
    )


def notices_sent(user):
    q = Q(pk__in=[])
    for region in access.regions(user):
        q |= Q(region__path__startswith=region.path)
    return CompanyNotice.objects.filter(q)


def notice_sent_or_404(user, pk):
    return get_or_404(notices_sent(user), pk=pk)


def receipts(user):
    """The notices a company admin or compound manager receives."""
    return NoticeRecipient.objects.filter(company_id__in=access.company_ids(user)).select_related(
        "notice", "company"
    )


def receipt_or_404(user, pk):
    return get_or_404(receipts(user), pk=pk)


def receipt_file_or_404(user, pk):
    """A reply's file: its company, or the authority that sent the notice."""
    q = Q(company_id__in=access.company_ids(user))
    for region in access.regions(user):
        q |= Q(notice__region__path__startswith=region.path)
    return get_or_404(NoticeRecipient.objects.filter(q), pk=pk)


def notice_file_or_404(user, pk):
    q = Q(recipients__company_id__in=access.company_ids(user))
    for region in access.regions(user):
        q |= Q(region__path__startswith=region.path)
    return get_or_404(CompanyNotice.objects.filter(q).distinct(), pk=pk)


def companies_in_area(user):
    q = Q(pk__in=[])
    for region in access.regions(user):
        q |= Q(compounds__community__path__startswith=region.path)
        q |= Q(region__path__startswith=region.path)
    return Company.objects.filter(q).distinct().order_by("name")


def tracking(notice):
    """Who has read, replied, is overdue: one row per company."""
    now = timezone.now()
    rows = []
    for r in notice.recipients.select_related("company", "read_by", "replied_by"):
        overdue = bool(notice.reply_by and not r.replied_at and now > notice.reply_by)
        rows.append({"r": r, "overdue": overdue})
    return rows
