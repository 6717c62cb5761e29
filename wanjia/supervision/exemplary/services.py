"""Exemplary cases (先进典型): nominated from any module's record, reviewed by
the authority (returned for more, rejected with a reason, or selected),
published to the public page and taken down again. Every step audited and
notified.

A nomination names its record by key (``"volunteers.thanks:12"``), read
through the kernel's evidence registry with the nominator's own rights: a
record the nominator may not read is answered like one that does not exist.
One live nomination per record (a partial unique constraint; two nominations
at once make one and a clear error). Each decision is a conditional UPDATE
on the status it leaves, so two officers deciding at once decide once.

What a nomination states for publishing (title, the people as named, the
citation) may not carry a phone number or an ID-card number: the public page
shows it as written."""

import re
from datetime import datetime, time, timedelta
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core import evidence
from wanjia.core.audit import audit
from wanjia.core.conduct import Evidence
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Compound, Membership, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from . import access
from .models import CasePhoto, CaseStatus, ExemplaryCase

PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_EDGE = 1600
MAX_PHOTOS = 3
TITLE_MAX, PEOPLE_MAX, CITATION_MAX, NOTE_MAX = 60, 100, 3000, 500
#: good-conduct points per case selected (setting WANJIA_EXEMPLARY_POINTS)
DEFAULT_POINTS = 5
RULE = "supervision.exemplary_selected"
DECISIONS = {
    "return": CaseStatus.RETURNED,
    "reject": CaseStatus.REJECTED,
    "select": CaseStatus.SELECTED,
}
# a mainland mobile number or an ID-card number, anywhere in the text
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4}(?![0-9])")
_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def points() -> float:
    return float(getattr(settings, "WANJIA_EXEMPLARY_POINTS", DEFAULT_POINTS))


def photo_file(upload) -> ContentFile:
    """The photo re-encoded as JPEG; anything that is not an image is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise Invalid({"photos": [gettext("每张照片不能超过 12 MB。")]})
    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid({"photos": [gettext("照片无法识别，请上传 JPG 或 PNG 图片。")]}) from None
    return ContentFile(out.getvalue())


def photo_files(uploads) -> list[ContentFile]:
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_PHOTOS:
        raise Invalid({"photos": [gettext("最多上传 3 张照片。")]})
    return [photo_file(u) for u in uploads]


def _private(text: str) -> bool:
    return bool(_PHONE.search(text) or _ID.search(text))


def clean(title, people, citation) -> dict:
    """The publishing form's fields, checked; field-level errors."""
    errors = {}
    out = {}
    for name, value, limit, missing in (
        ("title", title, TITLE_MAX, gettext("请填写标题。")),
        ("people", people, PEOPLE_MAX, gettext("请填写先进个人或集体的名称。")),
        ("citation", citation, CITATION_MAX, gettext("请写明事迹。")),
    ):
        value = (value or "").strip() if isinstance(value, str) or value is None else ""
        if not value:
            errors[name] = [missing]
        elif len(value) > limit:
            errors[name] = [gettext("不能超过 %(n)s 个字。") % {"n": limit}]
        elif _private(value):
            errors[name] = [gettext("将公开发布，请删去手机号、身份证号等个人信息。")]
        out[name] = value
    if errors:
        raise Invalid(errors)
    return out


def regulators_of(compound) -> list:
    """The officers whose region holds the compound: who reviews its cases."""
    path = compound.community.path
    rows = Membership.objects.filter(
        role=Role.REGULATOR, scope_type=ScopeType.REGION
    ).select_related("region", "user")
    return [m.user for m in rows if path.startswith(m.region.path)]


def _record(actor, key):
    key = (key or "").strip() if isinstance(key, str) else ""
    record = evidence.find(actor, key) if key else None
    if record is None:
        raise Invalid({"source": [gettext("找不到这条记录，或它不在您负责的范围内。")]})
    return record


def nominate(*, actor, key, title, people, citation, photos=()) -> ExemplaryCase:
    if not access.nominates_anywhere(actor):
        raise Forbidden
    record = _record(actor, key)
    compound = Compound.objects.select_related("community").get(pk=record.compound_id)
    if not access.may_nominate(actor, compound):
        raise Invalid({"source": [gettext("找不到这条记录，或它不在您负责的范围内。")]})
    fields = clean(title, people, citation)
    files = photo_files(photos)
    by_regulator = Role.REGULATOR in _roles_here(actor, compound) and not (
        _roles_here(actor, compound) & access.NOMINATORS
    )
    now = timezone.now()
    taken = Invalid({"source": [gettext("这条记录已被推荐过，请在推荐列表中查看。")]})
    if (
        ExemplaryCase.objects.filter(source_key=record.key)
        .exclude(status=CaseStatus.REJECTED)
        .exists()
    ):
        raise taken
    try:
        with transaction.atomic():
            case = ExemplaryCase.objects.create(
                source_kind=record.kind,
                source_id=record.id,
                source_key=record.key,
                source_label=record.label[:300],
                source_url=record.url[:300],
                compound=compound,
                company_id=record.company_id,
                happened_on=record.happened_on,
                by_regulator=by_regulator,
                nominated_by=actor,
                nominated_at=now,
                updated_at=now,
                **fields,
            )
            _save_photos(case, files)
            audit(
                actor=actor,
                action="supervision.exemplary.nominated",
                obj=case,
                compound=compound,
                detail={"source": record.key},
            )
            notify(
                recipients=[u for u in regulators_of(compound) if u != actor],
                title=lambda: gettext("先进典型推荐待审核：%(title)s") % {"title": case.title},
                body=lambda: (
                    gettext("%(compound)s 推荐：%(people)s")
                    % {"compound": compound.name, "people": case.people}
                ),
                link=reverse("exemplary_case", args=[case.pk]),
                kind="supervision.exemplary.nominated",
            )
    except IntegrityError:  # the same record nominated by a colleague at this moment
        raise taken from None
    return case


def _roles_here(actor, compound) -> set:
    from wanjia.core.scoping import roles_for

    return roles_for(actor, compound=compound)


def _save_photos(case, files, start=0) -> None:
    for i, content in enumerate(files, start=start):
        photo = CasePhoto(case=case, position=i)
        photo.image.save(f"case-{case.pk}-{i}.jpg", content, save=False)
        photo.save()


def resubmit(*, actor, case, title, people, citation, photos=()) -> ExemplaryCase:
    """A returned nomination, completed and sent for review again."""
    if not access.may_nominate(actor, case.compound):
        raise Forbidden
    fields = clean(title, people, citation)
    files = photo_files(photos)
    if len(files) + case.photos.count() > MAX_PHOTOS:
        raise Invalid({"photos": [gettext("最多上传 3 张照片。")]})
    now = timezone.now()
    with transaction.atomic():
        moved = ExemplaryCase.objects.filter(pk=case.pk, status=CaseStatus.RETURNED).update(
            status=CaseStatus.SUBMITTED, updated_at=now, **fields
        )
        if not moved:
            raise Conflict(gettext("只有退回补充的推荐可以修改后再次提交。"))
        _save_photos(case, files, start=case.photos.count())
        case.refresh_from_db()
        audit(actor=actor, action="supervision.exemplary.resubmitted", obj=case)
        notify(
            recipients=[u for u in regulators_of(case.compound) if u != actor],
            title=lambda: gettext("先进典型推荐已补充：%(title)s") % {"title": case.title},
            link=reverse("exemplary_case", args=[case.pk]),
            kind="supervision.exemplary.nominated",
        )
    return case


def _tell_nominator(case, title) -> None:
    notify(
        recipients=[case.nominated_by],
        title=title,
        body=case.review_note,
        link=reverse("exemplary_mine_case", args=[case.pk]),
        kind="supervision.exemplary.reviewed",
    )


def review(*, actor, case, decision, note="") -> ExemplaryCase:
    if not access.may_review(actor, case.compound):
        raise Forbidden
    to = DECISIONS.get(decision)
    note = (note or "").strip() if isinstance(note, str) else ""
    errors = {}
    if to is None:
        errors["decision"] = [gettext("请选择退回补充、不予入选或入选。")]
    elif to != CaseStatus.SELECTED and not note:
        errors["note"] = [gettext("退回或不予入选时请写明理由。")]
    if len(note) > NOTE_MAX:
        errors["note"] = [gettext("不能超过 %(n)s 个字。") % {"n": NOTE_MAX}]
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    more = {"selected_at": now} if to == CaseStatus.SELECTED else {}
    with transaction.atomic():
        moved = ExemplaryCase.objects.filter(pk=case.pk, status=CaseStatus.SUBMITTED).update(
            status=to, review_note=note, reviewed_by=actor, reviewed_at=now, updated_at=now, **more
        )
        if not moved:
            raise Conflict(gettext("这条推荐已经审核过了。"))
        case.refresh_from_db()
        audit(
            actor=actor,
            action=f"supervision.exemplary.{decision}ed"
            if decision != "select"
            else "supervision.exemplary.selected",
            obj=case,
            detail={"note": note} if note else {},
        )
        label = dict(CaseStatus.choices)[to]
        _tell_nominator(
            case,
            lambda: (
                gettext("先进典型推荐%(status)s：%(title)s")
                % {"status": label, "title": case.title}
            ),
        )
    return case


def publish(*, actor, case) -> ExemplaryCase:
    return _move(actor, case, CaseStatus.SELECTED, CaseStatus.PUBLISHED)


def unpublish(*, actor, case) -> ExemplaryCase:
    return _move(actor, case, CaseStatus.PUBLISHED, CaseStatus.SELECTED)


def _move(actor, case, frm, to) -> ExemplaryCase:
    if not access.may_review(actor, case.compound):
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        moved = ExemplaryCase.objects.filter(pk=case.pk, status=frm).update(
            status=to,
            updated_at=now,
            published_at=now if to == CaseStatus.PUBLISHED else None,
        )
        if not moved:
            raise Conflict(
                gettext("只有已入选的典型可以发布。")
                if to == CaseStatus.PUBLISHED
                else gettext("这条典型没有在发布中。")
            )
        case.refresh_from_db()
        published = to == CaseStatus.PUBLISHED
        audit(
            actor=actor,
            action="supervision.exemplary.published"
            if published
            else "supervision.exemplary.unpublished",
            obj=case,
        )
        _tell_nominator(
            case,
            (lambda: gettext("先进典型已公开发布：%(title)s") % {"title": case.title})
            if published
            else (lambda: gettext("先进典型已撤下：%(title)s") % {"title": case.title}),
        )
    return case


def _bounds(start, end):
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def selected_evidence(company_ids, start, end) -> list[Evidence]:
    """Good conduct: each case selected in [start, end] for those companies,
    worth ``points()`` each (published or not: selection is the honour)."""
    lo, hi = _bounds(start, end)
    rows = ExemplaryCase.objects.filter(
        company_id__in=list(company_ids),
        status__in=(CaseStatus.SELECTED, CaseStatus.PUBLISHED),
        selected_at__gte=lo,
        selected_at__lt=hi,
    ).order_by("selected_at", "pk")
    each = points()
    return [
        Evidence(
            rule=RULE,
            ref=f"supervision.exemplary:{c.pk}",
            company_id=c.company_id,
            compound_id=c.compound_id,
            points=each,
            label=gettext("先进典型入选：%(title)s") % {"title": c.title},
            url=reverse("exemplary_case", args=[c.pk]),
            happened_on=timezone.localdate(c.selected_at),
        )
        for c in rows
    ]
