"""Every write of the inspections area: keyword-only, ``actor=``, atomic,
audited. State steps are conditional UPDATEs on the state they leave, so a
double click or two workers change a record once."""

from datetime import date, datetime, timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Membership
from wanjia.core.notify import notify
from wanjia.core.roles import R
from wanjia.core.uploads import clean_file

from . import access
from .models import (
    ChecklistEntry,
    ChecklistTemplate,
    CompanyNotice,
    EvidencePhoto,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionResult,
    InspectionStatus,
    NoticeRecipient,
    Outcome,
    Rectification,
    RectificationEvidence,
    RectStatus,
)

PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_EDGE = 1600
PHOTOS_MAX = 6
REMIND_BEFORE = timedelta(hours=24)


# ---------------------------------------------------------------- files
def clean_photo(upload, field="photos") -> ContentFile:
    """An uploaded photo re-encoded as a JPEG (no EXIF, at most 1600 px): what
    is not an image is refused, whatever its name says."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise Invalid({field: [_("照片不能超过 12 MB。")]})
    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid({field: [_("照片无法识别，请上传 JPG 或 PNG 图片。")]}) from None
    return ContentFile(out.getvalue())


def _photos(uploads, field="photos") -> list[ContentFile]:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > PHOTOS_MAX:
        raise Invalid({field: [_("最多上传 %(n)d 张照片。") % {"n": PHOTOS_MAX}]})
    return [clean_photo(u, field) for u in uploads]


def _text(value, field, *, limit, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid({field: [_("请填写此项。")]})
    if len(value) > limit:
        raise Invalid({field: [_("不能超过 %(n)d 个字。") % {"n": limit}]})
    return value


def _people(company_id, compound_id=None):
    """Who answers for a company (its admins) and, given a compound, its manager."""
    from django.db.models import Q

    q = Q(role=R.COMPANY_ADMIN, company_id=company_id)
    if compound_id:
        q |= Q(role=R.COMPOUND_MANAGER, compound_id=compound_id)
    else:
        q |= Q(role=R.COMPOUND_MANAGER, compound__company_id=company_id)
    return [m.user for m in Membership.objects.filter(q).select_related("user")]


# ---------------------------------------------------------------- checklists
def _entries(entries) -> list[tuple[str, str]]:
    clean = []
    for category, text in entries or []:
        category, text = (category or "").strip(), (text or "").strip()
        if not text:
            continue
        if len(text) > 200 or len(category) > 50:
            raise Invalid({"entries": [_("检查项不能超过 200 个字，类别不能超过 50 个字。")]})
        clean.append((category or _("其他"), text))
    if not clean:
        raise Invalid({"entries": [_("请至少填写一个检查项。")]})
    return clean


def template_save(*, actor, name, entries, region=None, template=None) -> ChecklistTemplate:
    """Create a checklist, or edit one: new items make a new version; a
    started inspection keeps the items it copied."""
    regions = access.regions(actor)
    if not regions:
        raise Forbidden
    name = _text(name, "name", limit=100)
    clean = _entries(entries)
    with transaction.atomic():
        if template is None:
            template = ChecklistTemplate.objects.create(region=region or regions[0], name=name)
            action = "supervision.checklist.created"
        else:
            current = list(template.entries.order_by("sort").values_list("category", "text"))
            if name == template.name and current == [(str(c), str(t)) for c, t in clean]:
                return template  # saved unchanged: no new version, nothing written
            template.name = name
            template.version += 1
            template.save(update_fields=["name", "version"])
            template.entries.all().delete()
            action = "supervision.checklist.edited"
        ChecklistEntry.objects.bulk_create(
            ChecklistEntry(template=template, category=c, text=t, sort=i)
            for i, (c, t) in enumerate(clean)
        )
        audit(actor=actor, action=action, obj=template, detail={"version": template.version})
    return template


# ---------------------------------------------------------------- inspections
def inspection_plan(*, actor, compound, template, planned_on) -> Inspection:
    if not access.may_inspect(actor, compound):
        raise Forbidden
    if not isinstance(planned_on, date):
        raise Invalid({"planned_on": [_("请选择日期。")]})
    if not template.active:
        raise Invalid({"template": [_("该检查表已停用。")]})
    with transaction.atomic():
        ins = Inspection.objects.create(
            compound=compound,
            company_id=compound.company_id,
            template=template,
            template_version=template.version,
            inspector=actor,
            planned_on=planned_on,
        )
        audit(actor=actor, action="supervision.inspection.planned", obj=ins)
    return ins


def inspection_start(*, actor, inspection) -> Inspection:
    """Under way: the template's items of today are copied into the inspection."""
    if not access.may_inspect(actor, inspection.compound):
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        if not Inspection.objects.filter(pk=inspection.pk, status=InspectionStatus.PLANNED).update(
            status=InspectionStatus.UNDERWAY, started_at=now
        ):
            raise Conflict(_("该检查已经开始。"))
        template = inspection.template
        InspectionResult.objects.bulk_create(
            InspectionResult(inspection=inspection, sort=e.sort, category=e.category, text=e.text)
            for e in template.entries.all()
        )
        Inspection.objects.filter(pk=inspection.pk).update(template_version=template.version)
        audit(actor=actor, action="supervision.inspection.started", obj=inspection)
    inspection.refresh_from_db()
    return inspection


def _underway(inspection):
    if inspection.status != InspectionStatus.UNDERWAY:
        raise Conflict(_("只有进行中的检查可以填写。"))


def result_record(*, actor, result, outcome, note="") -> InspectionResult:
    inspection = result.inspection
    if not access.may_inspect(actor, inspection.compound):
        raise Forbidden
    _underway(inspection)
    if outcome not in Outcome.values:
        raise Invalid({"outcome": [_("请选择合格、不合格或不适用。")]})
    note = _text(note, "note", limit=300, required=outcome == Outcome.FAIL)
    with transaction.atomic():
        InspectionResult.objects.filter(pk=result.pk).update(outcome=outcome, note=note)
        audit(
            actor=actor,
            action="supervision.inspection.item",
            obj=inspection,
            detail={"item": result.pk, "outcome": outcome},
        )
    result.refresh_from_db()
    return result


def finding_add(*, actor, inspection, text, photos=(), result=None) -> Finding:
    if not access.may_inspect(actor, inspection.compound):
        raise Forbidden
    _underway(inspection)
    text = _text(text, "text", limit=500)
    contents = _photos(photos)
    if result is not None and result.inspection_id != inspection.pk:
        raise Invalid({"result": [_("检查项不属于本次检查。")]})
    with transaction.atomic():
        finding = Finding.objects.create(
            inspection=inspection,
            compound=inspection.compound,
            result=result,
            text=text,
            created_by=actor,
        )
        for i, content in enumerate(contents):
            p = FindingPhoto(finding=finding)
            p.photo.save(f"finding-{finding.pk}-{i}.jpg", content, save=True)
        audit(actor=actor, action="supervision.finding.added", obj=finding)
    return finding


def inspection_finish(*, actor, inspection, summary="") -> Inspection:
    if not access.may_inspect(actor, inspection.compound):
        raise Forbidden
    _underway(inspection)
    summary = _text(summary, "summary", limit=2000, required=False)
    left = inspection.results.filter(outcome="").count()
    if left:
        raise Invalid({"summary": [_("还有 %(n)d 个检查项未填写。") % {"n": left}]})
    with transaction.atomic():
        if not Inspection.objects.filter(pk=inspection.pk, status=InspectionStatus.UNDERWAY).update(
            status=InspectionStatus.FINISHED, finished_at=timezone.now(), summary=summary
        ):
            raise Conflict(_("该检查已经结束。"))
        audit(actor=actor, action="supervision.inspection.finished", obj=inspection)
    inspection.refresh_from_db()
    return inspection


# ---------------------------------------------------------------- rectification
def rectification_issue(*, actor, finding, requirement, deadline) -> Rectification:
    compound = finding.compound
    if not access.may_inspect(actor, compound):
        raise Forbidden
    requirement = _text(requirement, "requirement", limit=500)
    if not isinstance(deadline, date):
        raise Invalid({"deadline": [_("请选择整改期限。")]})
    if deadline < timezone.localdate():
        raise Invalid({"deadline": [_("整改期限不能早于今天。")]})
    with transaction.atomic():
        rect = Rectification.objects.create(
            finding=finding,
            compound=compound,
            company_id=compound.company_id,
            requirement=requirement,
            deadline=deadline,
            issued_by=actor,
            issued_at=timezone.now(),
        )
        audit(actor=actor, action="supervision.rectification.issued", obj=rect)
        ref, name = rect.ref, compound.name
        notify(
            recipients=_people(compound.company_id, compound.pk),
            title=lambda: _("整改通知 %(ref)s：%(c)s") % {"ref": ref, "c": name},
            body=lambda: _("请于 %(d)s 前完成整改并上传整改材料。") % {"d": deadline.isoformat()},
            link=reverse("sup_rect_detail", args=[rect.pk]),
            kind="supervision.rectification",
        )
    return rect


def evidence_submit(*, actor, rectification, text, photos=()) -> RectificationEvidence:
    rect = rectification
    if not access.may_rectify(actor, rect.compound):
        raise Forbidden
    text = _text(text, "text", limit=1000)
    contents = _photos(photos)
    if not contents:
        raise Invalid({"photos": [_("请至少上传一张整改后的照片。")]})
    now = timezone.now()
    with transaction.atomic():
        if not Rectification.objects.filter(pk=rect.pk, status=RectStatus.OPEN).update(
            status=RectStatus.SUBMITTED
        ):
            raise Conflict(_("该整改通知当前不能提交材料。"))
        ev = RectificationEvidence.objects.create(
            rectification=rect, text=text, submitted_by=actor, submitted_at=now
        )
        for i, content in enumerate(contents):
            p = EvidencePhoto(evidence=ev)
            p.photo.save(f"evidence-{ev.pk}-{i}.jpg", content, save=True)
        audit(actor=actor, action="supervision.rectification.submitted", obj=rect)
        ref = rect.ref
        notify(
            recipients=[rect.issued_by],
            title=lambda: _("整改材料待验收：%(ref)s") % {"ref": ref},
            link=reverse("sup_rect_detail", args=[rect.pk]),
            kind="supervision.rectification",
        )
    rect.refresh_from_db()
    return ev


def rectification_decide(
    *, actor, rectification, accept: bool, reason="", deadline=None
) -> Rectification:
    """Accept, or reject with a reason: the notice reopens (with a new deadline
    when one is set)."""
    rect = rectification
    if not access.may_inspect(actor, rect.compound):
        raise Forbidden
    if not accept:
        reason = _text(reason, "reason", limit=300)
        if deadline is not None and deadline < timezone.localdate():
            raise Invalid({"deadline": [_("整改期限不能早于今天。")]})
    now = timezone.now()
    with transaction.atomic():
        fields = {"decided_at": now}
        if accept:
            fields.update(status=RectStatus.ACCEPTED, reject_reason="")
        else:
            fields.update(status=RectStatus.OPEN, reject_reason=reason)
            if deadline is not None:
                fields["deadline"] = deadline
        if not Rectification.objects.filter(pk=rect.pk, status=RectStatus.SUBMITTED).update(
            **fields
        ):
            raise Conflict(_("该整改通知没有待验收的材料。"))
        RectificationEvidence.objects.filter(rectification=rect, decision="").update(
            decision="accepted" if accept else "rejected", reason=reason
        )
        audit(
            actor=actor,
            action="supervision.rectification.accepted"
            if accept
            else "supervision.rectification.rejected",
            obj=rect,
            detail={"reason": reason} if reason else {},
        )
        ref = rect.ref
        notify(
            recipients=_people(rect.company_id, rect.compound_id),
            title=(lambda: _("整改已通过验收：%(ref)s") % {"ref": ref})
            if accept
            else (lambda: _("整改未通过验收：%(ref)s") % {"ref": ref}),
            body=reason,
            link=reverse("sup_rect_detail", args=[rect.pk]),
            kind="supervision.rectification",
        )
    rect.refresh_from_db()
    return rect


def rectification_sweep(now: datetime | None = None) -> int:
    """Mark each open notice past its deadline overdue, once: the row is
    claimed by a conditional UPDATE, so concurrent sweeps notify once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    marked = 0
    due = Rectification.objects.filter(
        status=RectStatus.OPEN, overdue_at__isnull=True, deadline__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            if not Rectification.objects.filter(
                pk=pk, status=RectStatus.OPEN, overdue_at__isnull=True
            ).update(overdue_at=now, overdue_on=today):
                continue
            rect = Rectification.objects.select_related("compound").get(pk=pk)
            audit(actor=None, action="supervision.rectification.overdue", obj=rect)
            ref, name = rect.ref, rect.compound.name
            notify(
                recipients=[*_people(rect.company_id, rect.compound_id), rect.issued_by],
                title=lambda ref=ref, name=name: (
                    _("整改通知 %(ref)s 已逾期（%(c)s）") % {"ref": ref, "c": name}
                ),
                body=gettext_lazy("逾期整改将按信用评价规则扣分。"),
                link=reverse("sup_rect_detail", args=[pk]),
                kind="supervision.rectification",
            )
            marked += 1
    return marked


# ---------------------------------------------------------------- notices
def notice_send(
    *, actor, title, body, company_ids=None, attachment=None, reply_by=None
) -> CompanyNotice:
    """Send to the chosen companies of the authority's area (all of them when
    ``company_ids`` is None)."""
    from .selectors import companies_in_area

    regions = access.regions(actor)
    if not regions:
        raise Forbidden
    title = _text(title, "title", limit=100)
    body = _text(body, "body", limit=5000)
    area = companies_in_area(actor)
    if company_ids is None:
        companies = list(area)
    else:
        ids = {int(i) for i in company_ids}
        companies = list(area.filter(pk__in=ids))
        if len(companies) != len(ids) or not ids:
            raise Invalid({"companies": [_("请选择辖区内的物业企业。")]})
    if not companies:
        raise Invalid({"companies": [_("辖区内没有物业企业。")]})
    if reply_by is not None and reply_by <= timezone.now():
        raise Invalid({"reply_by": [_("回复期限须晚于现在。")]})
    stored = clean_file(attachment, "attachment") if attachment else None
    with transaction.atomic():
        notice = CompanyNotice.objects.create(
            region=regions[0],
            title=title,
            body=body,
            reply_by=reply_by,
            sent_by=actor,
            sent_at=timezone.now(),
        )
        if stored:
            content, name, ext = stored
            notice.attachment.save(f"notice-{notice.pk}.{ext}", content, save=False)
            notice.attachment_name = name
            notice.save(update_fields=["attachment", "attachment_name"])
        rows = NoticeRecipient.objects.bulk_create(
            NoticeRecipient(notice=notice, company=c) for c in companies
        )
        audit(
            actor=actor,
            action="supervision.notice.sent",
            obj=notice,
            detail={"companies": len(rows)},
        )
        people = [u for c in companies for u in _people(c.pk)]
        notify(
            recipients=people,
            title=lambda: _("监管通知：%(t)s") % {"t": title},
            link=reverse("sup_inbox"),
            kind="supervision.notice",
        )
    return notice


def notice_read(*, actor, recipient) -> bool:
    """The company's read receipt: the first opening counts."""
    if recipient.company_id not in access.company_ids(actor):
        raise Forbidden
    with transaction.atomic():
        done = NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=actor
        )
        if done:
            audit(
                actor=actor,
                action="supervision.notice.read",
                obj=recipient.notice,
                company=recipient.company,
            )
    recipient.refresh_from_db()
    return bool(done)


def notice_reply(*, actor, recipient, text, file=None) -> NoticeRecipient:
    if recipient.company_id not in access.company_ids(actor):
        raise Forbidden
    text = _text(text, "text", limit=2000)
    stored = clean_file(file, "file") if file else None
    now = timezone.now()
    with transaction.atomic():
        if not NoticeRecipient.objects.filter(pk=recipient.pk, replied_at__isnull=True).update(
            reply_text=text, replied_at=now, replied_by=actor
        ):
            raise Conflict(_("本企业已经回复过该通知。"))
        NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
            read_at=now, read_by=actor
        )
        if stored:
            content, name, ext = stored
            recipient.refresh_from_db()
            recipient.reply_file.save(f"reply-{recipient.pk}.{ext}", content, save=False)
            NoticeRecipient.objects.filter(pk=recipient.pk).update(
                reply_file=recipient.reply_file.name, reply_file_name=name
            )
        audit(
            actor=actor,
            action="supervision.notice.replied",
            obj=recipient.notice,
            company=recipient.company,
        )
    recipient.refresh_from_db()
    return recipient


def notice_remind_sweep(now: datetime | None = None) -> int:
    """Once per notice, within a day of its reply deadline: remind the
    companies that have not replied (claimed by a conditional UPDATE)."""
    now = now or timezone.now()
    sent = 0
    due = CompanyNotice.objects.filter(
        reminded_at__isnull=True, reply_by__gt=now, reply_by__lte=now + REMIND_BEFORE
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            if not CompanyNotice.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            notice = CompanyNotice.objects.get(pk=pk)
            waiting = notice.recipients.filter(replied_at__isnull=True).values_list(
                "company_id", flat=True
            )
            people = [u for cid in waiting for u in _people(cid)]
            title, by = notice.title, timezone.localtime(notice.reply_by)
            notify(
                recipients=people,
                title=lambda by=by, title=title: (
                    _("请在 %(t)s 前回复通知：%(n)s")
                    % {"t": by.strftime("%m-%d %H:%M"), "n": title}
                ),
                link=reverse("sup_inbox"),
                kind="supervision.notice",
            )
            audit(actor=None, action="supervision.notice.reminded", obj=notice)
            sent += 1
    return sent
