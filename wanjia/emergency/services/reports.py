"""The compound's side: ticking checklist items with a photo, the daily
report (one per compound and day: a second one updates the first), and the
chase of missing reports after the day's deadline (each compound chased once
a day: ``chased_on`` is claimed by a conditional UPDATE, so two workers
sweeping at once send one reminder)."""

from datetime import datetime
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.notify import notify

from .. import access
from ..models import ChecklistItem, DailyReport, Event, EventCompound, Status
from .events import ACTIVE, _staff_of, timeline

PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_EDGE = 1600
LIMIT = 100000


def _photo(upload) -> ContentFile:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise Invalid({"photo": [gettext("照片不能超过 12 MB。")]})
    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid({"photo": [gettext("照片无法识别，请上传 JPG 或 PNG 图片。")]}) from None
    return ContentFile(out.getvalue())


def _active(event) -> None:
    if event.status not in ACTIVE:
        raise Conflict(gettext("该应急事件已经结束。"))


def item_done(*, actor, item: ChecklistItem, photo, note: str = "") -> ChecklistItem:
    """Tick an item with its photo as evidence; once only."""
    if not access.can_respond(actor, item.compound):
        raise Forbidden
    _active(item.event)
    if not photo:
        raise Invalid({"photo": [gettext("请拍一张照片作为凭证。")]})
    content = _photo(photo)
    note = (note or "").strip()
    if len(note) > 200:
        raise Invalid({"note": [gettext("说明不能超过 200 个字。")]})
    now = timezone.now()
    with transaction.atomic():
        if not ChecklistItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
            done_at=now, done_by=actor, note=note
        ):
            raise Conflict(gettext("这一项已经完成了。"))
        item.photo.save(f"item-{item.pk}.jpg", content, save=False)
        ChecklistItem.objects.filter(pk=item.pk).update(photo=item.photo.name)
        item.refresh_from_db()
        timeline(item.event, "item_done", compound=item.compound, at=now, code=item.code)
        audit(actor=actor, action="emergency.item.done", obj=item, compound=item.compound)
    return item


def _count(name, value, errors, *, required=False):
    if value in (None, ""):
        if required:
            errors[name] = [gettext("请填写此项。")]
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        errors[name] = [gettext("应为 0 或正整数。")]
        return 0
    if n < 0 or n > LIMIT:
        errors[name] = [gettext("应为 0 到 100000 之间的整数。")]
        return 0
    return n


def deadline(event, day) -> datetime:
    return timezone.make_aware(datetime.combine(day, event.report_by))


def report_submit(
    *, actor, event: Event, compound, on_duty, note, incidents=None, people_moved=None, needs=""
) -> tuple[DailyReport, bool]:
    """Today's report of ``compound``; (report, created). A second report the
    same day updates the first."""
    if not access.can_respond(actor, compound):
        raise Forbidden
    _active(event)
    if not EventCompound.objects.filter(event=event, compound=compound).exists():
        raise Invalid({"compound": [gettext("该小区不在此次应急范围内。")]})
    errors = {}
    fields = {
        "on_duty": _count("on_duty", on_duty, errors, required=True),
        "incidents": _count("incidents", incidents, errors),
        "people_moved": _count("people_moved", people_moved, errors),
    }
    note = (note or "").strip() if isinstance(note, str) else ""
    if not note:
        errors["note"] = [gettext("请填写今日情况。")]
    elif len(note) > 2000:
        errors["note"] = [gettext("情况说明不能超过 2000 个字。")]
    needs = (needs or "").strip() if isinstance(needs, str) else ""
    if len(needs) > 300:
        errors["needs"] = [gettext("需求不能超过 300 个字。")]
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    day = timezone.localdate(now)
    fields.update(
        note=note,
        needs=needs,
        checklist_done=ChecklistItem.objects.filter(
            event=event, compound=compound, done_at__isnull=False
        ).count(),
        submitted_by=actor,
        submitted_at=now,
        late=now > deadline(event, day),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, created = DailyReport.objects.get_or_create(
                    event=event, compound=compound, day=day, defaults=fields
                )
        except IntegrityError:  # a concurrent first report: this one updates it
            report, created = (
                DailyReport.objects.get(event=event, compound=compound, day=day),
                False,
            )
        if not created:
            entered = ("on_duty", "incidents", "people_moved", "note", "needs")
            if all(getattr(report, f) == fields[f] for f in entered):
                # the same report sent again (a form saved unchanged, a retry):
                # nothing is written, not even who sent it or when
                return report, False
            fields.pop("late")  # on time once is on time
            DailyReport.objects.filter(pk=report.pk).update(**fields)
            report.refresh_from_db()
        timeline(
            event,
            "report" if created else "report_updated",
            compound=compound,
            at=now,
            on_duty=report.on_duty,
        )
        audit(
            actor=actor,
            action="emergency.report.sent" if created else "emergency.report.updated",
            obj=report,
            compound=compound,
        )
    return report, created


def reports_chase(*, now=None) -> int:
    """After each open event's deadline, tell every affected compound that has
    not reported today, once a day. Returns how many were chased."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    chased = 0
    for event in Event.objects.filter(status=Status.OPEN):
        if now < deadline(event, day):
            continue
        reported = DailyReport.objects.filter(event=event, day=day).values("compound_id")
        due = (
            EventCompound.objects.filter(event=event)
            .filter(Q(chased_on__isnull=True) | Q(chased_on__lt=day))
            .exclude(compound_id__in=reported)
            .select_related("compound")
        )
        for ec in due:
            with transaction.atomic():
                claimed = (
                    EventCompound.objects.filter(pk=ec.pk)
                    .filter(Q(chased_on__isnull=True) | Q(chased_on__lt=day))
                    .update(chased_on=day)
                )
                if not claimed:
                    continue  # another worker chased it
                people = [u for _r, u in _staff_of([ec.compound])[ec.compound_id]]
                notify(
                    recipients=people,
                    title=lambda e=event: gettext("应急日报未报：%(title)s") % {"title": e.title},
                    body=lambda c=ec.compound: (
                        gettext("%(compound)s 今天的应急日报已过截止时间，请尽快填报。")
                        % {"compound": c.name}
                    ),
                    link=reverse("emergency_compound", args=[ec.pk]),
                    kind="emergency.report_missing",
                )
                timeline(event, "chased", compound=ec.compound, at=now)
                chased += 1
    return chased
