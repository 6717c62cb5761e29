"""The inspections area's API under /api/v1/supervision/: the company's
rectification notices (list, one, submit evidence) and its notices inbox
(list, mark read, reply). Creating POSTs honour ``Idempotency-Key``: a retry
with the same key answers the first result and stores nothing twice.
Another company's or compound's record is a 404."""

import base64
import binascii
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from wanjia.core.errors import Invalid
from wanjia.core.idempotency import (
    HEADER,
    answer_once,
)
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut, Id, Text

from . import access, selectors, services

router = Router(tags=["supervision"])
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}
IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": "A unique value per intended submission; a retry with the same "
            "value returns the first answer and stores nothing twice.",
        }
    ]
}


class RectOut(Schema):
    id: int
    ref: str
    compound: str
    finding: str
    requirement: str
    deadline: str
    status: str
    overdue: bool
    reject_reason: str
    url: str


class RectList(Schema):
    items: list[RectOut]
    count: int


class RectFilter(Schema):
    status: Literal["", "open", "submitted", "accepted", "overdue"] = ""


class EvidenceIn(Schema):
    text: Text(1000, min_length=1)
    photos: list[Text(17_000_000)] = Field(min_length=1, max_length=services.PHOTOS_MAX)


class EvidenceOut(Schema):
    id: int
    rectification: int
    status: str
    photos: int


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    company: str
    sent_at: str
    reply_by: str | None
    read_at: str | None
    replied_at: str | None
    attachment_url: str


class NoticeList(Schema):
    items: list[NoticeOut]
    count: int


class ReplyIn(Schema):
    text: Text(2000, min_length=1)


def _rect(r) -> dict:
    return {
        "id": r.pk,
        "ref": r.ref,
        "compound": r.compound.name,
        "finding": r.finding.text,
        "requirement": r.requirement,
        "deadline": r.deadline.isoformat(),
        "status": r.status,
        "overdue": bool(r.overdue_at),
        "reject_reason": r.reject_reason,
        "url": resolve_url("sup_rect_detail", r.pk),
    }


def _iso(value):
    return value.isoformat() if value else None


def _notice(r) -> dict:
    n = r.notice
    return {
        "id": r.pk,
        "title": n.title,
        "body": n.body,
        "company": r.company.name,
        "sent_at": n.sent_at.isoformat(),
        "reply_by": _iso(n.reply_by),
        "read_at": _iso(r.read_at),
        "replied_at": _iso(r.replied_at),
        "attachment_url": resolve_url("sup_notice_file", n.pk) if n.attachment else "",
    }


def _scoped(user):
    if not (access.may_rectify_anywhere(user) or access.may_inspect_anywhere(user)):
        raise PermissionDenied


@router.get("/rectifications", response={200: RectList, **COMMON_ERRORS}, summary="整改通知列表")
def rect_list(request, filters: Query[RectFilter]):
    """The rectification notices of the caller's scope, overdue first."""
    user = request.auth
    _scoped(user)
    items = [_rect(r) for r in selectors.rectifications(user, status=filters.status)[:200]]
    return {"items": items, "count": len(items)}


@router.get(
    "/rectifications/{rect_id}", response={200: RectOut, **COMMON_ERRORS}, summary="整改通知"
)
def rect_get(request, rect_id: Id):
    user = request.auth
    _scoped(user)
    return _rect(selectors.rectification_or_404(user, rect_id))


def _decode(photos) -> list:
    files = []
    for i, data in enumerate(photos):
        try:
            raw = base64.b64decode(data.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            raise Invalid(
                {f"photos.{i}": [_("照片须为 base64 编码的 JPG 或 PNG 图片。")]}
            ) from None
        files.append(SimpleUploadedFile(f"p{i}.jpg", raw))
    return files


@router.post(
    "/rectifications/{rect_id}/evidence",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="提交整改材料",
    openapi_extra=IDEMPOTENCY_DOC,
)
def rect_evidence(request, rect_id: Id, payload: EvidenceIn, response: HttpResponse):
    """The company's evidence of the fix: text and photos (base64 JPEG/PNG,
    checked and re-encoded). Company admin or the compound's manager."""
    user = request.auth
    rect = selectors.rectification_or_404(user, rect_id)
    if not access.may_rectify(user, rect.compound):
        raise PermissionDenied

    def run():
        ev = services.evidence_submit(
            actor=user, rectification=rect, text=payload.text, photos=_decode(payload.photos)
        )
        rect.refresh_from_db()
        return 201, {
            "id": ev.pk,
            "rectification": rect.pk,
            "status": rect.status,
            "photos": ev.photos.count(),
        }

    return answer_once(
        request,
        response,
        scope=f"supervision.evidence.{rect.pk}",
        payload=payload.model_dump(mode="json"),
        run=run,
    )


def _inbox(user):
    if not access.company_ids(user):
        raise PermissionDenied


@router.get("/notices", response={200: NoticeList, **COMMON_ERRORS}, summary="监管通知收件箱")
def notice_list(request):
    """The notices the caller's company received (one row per company)."""
    user = request.auth
    _inbox(user)
    rows = selectors.receipts(user).order_by("-notice__sent_at")[:200]
    items = [_notice(r) for r in rows]
    return {"items": items, "count": len(items)}


@router.post(
    "/notices/{receipt_id}/read", response={200: NoticeOut, **WRITE_ERRORS}, summary="标记已读"
)
def notice_read(request, receipt_id: Id):
    """The read receipt: the first call records it, later calls change nothing."""
    user = request.auth
    _inbox(user)
    r = selectors.receipt_or_404(user, receipt_id)
    services.notice_read(actor=user, recipient=r)
    return _notice(r)


@router.post(
    "/notices/{receipt_id}/reply",
    response={201: NoticeOut, **WRITE_ERRORS},
    summary="回复通知",
    openapi_extra=IDEMPOTENCY_DOC,
)
def notice_reply(request, receipt_id: Id, payload: ReplyIn, response: HttpResponse):
    """The company's one reply (text; a file is attached on the page)."""
    user = request.auth
    _inbox(user)
    r = selectors.receipt_or_404(user, receipt_id)

    def run():
        services.notice_reply(actor=user, recipient=r, text=payload.text)
        return 201, _notice(r)

    return answer_once(
        request,
        response,
        scope=f"supervision.notice.reply.{r.pk}",
        payload=payload.model_dump(mode="json"),
        run=run,
    )
