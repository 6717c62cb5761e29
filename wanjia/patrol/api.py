"""The patrol API under /api/v1/patrol/ (the names the issue fixes).

Order of refusals as in the other routers: a role that may never do the thing
is a 403 before any lookup; a compound or checkpoint outside the caller's scope
is a 404 with the body of a missing one; a bad QR token is a 422 with a message
(and is recorded)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.idempotency import HEADER, MAX_KEY_LENGTH
from wanjia.core.schemas import COMMON_ERRORS, Date, DateTime, Id, InputSchema, Text
from wanjia.core.scoping import compound_gate

from . import access, selectors, services
from .services.checkins import scan_url, status_of

router = Router(tags=["patrol"])


class CheckpointOut(Schema):
    id: int
    name: str
    kind: str
    compound: int


class CheckpointList(Schema):
    items: list[CheckpointOut]
    count: int


class QrOut(Schema):
    token: str
    url: str


class CheckinIn(InputSchema):
    token: Text(500)
    scanned_at: DateTime | None = None
    sent_at: DateTime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    note: Text(300) = ""
    device_id: Text(64) = ""


class CheckinOut(Schema):
    id: int
    checkpoint: int
    run: int | None
    status: str
    flags: list[str]


class RunOut(Schema):
    id: int
    route: str
    starts_at: datetime
    status: str
    done: int
    missed: int


class RunList(Schema):
    items: list[RunOut]
    count: int


class CompoundFilter(Schema):
    compound: Id


class RunFilter(Schema):
    compound: Id
    date: Date | None = None


def _compound(user, compound_id: int, allowed) -> object:
    return compound_gate(user, compound_id, allowed)


def _sees(user, compound) -> bool:
    return (
        access.can_view(user, compound)
        or access.can_patrol(user, compound)
        or access.can_manage(user, compound)
    )


@router.get("/checkpoints", response={200: CheckpointList, **COMMON_ERRORS}, summary="小区的巡更点")
def checkpoint_list(request, filters: Query[CompoundFilter]):
    user = request.auth
    if not (access.views_anywhere(user) or access.patrols_anywhere(user)):
        raise PermissionDenied
    compound = _compound(user, filters.compound, _sees)
    rows = selectors.live_checkpoints(user, compound)
    items = [{"id": c.pk, "name": c.name, "kind": c.kind, "compound": c.compound_id} for c in rows]
    return {"items": items, "count": len(items)}


@router.get(
    "/checkpoints/{checkpoint_id}/qr",
    response={200: QrOut, **COMMON_ERRORS},
    summary="巡更点二维码（仅限打印二维码的角色）",
)
def checkpoint_qr(request, checkpoint_id: Id):
    user = request.auth
    if not access.manages_anywhere(user):
        raise PermissionDenied
    cp = selectors.get_or_404(selectors.checkpoints_visible_to(user), pk=checkpoint_id)
    if not access.can_manage(user, cp.compound):
        raise PermissionDenied
    token = services.qr_token(cp)
    return {"token": token, "url": scan_url(token, request)}


@router.post(
    "/checkins",
    response={201: CheckinOut, 200: CheckinOut, **COMMON_ERRORS},
    summary="巡更签到（扫码后一次提交；同一 Idempotency-Key 重发只记一次）",
    url_name="patrol_checkin_create",
)
def checkin_create(
    request,
    payload: CheckinIn,
    response: HttpResponse,
    idempotency_key: str = Header(None, alias=HEADER),
):
    """201 with the record; a replay of the key answers the same record (and
    ``Idempotent-Replayed: true``); a bad, another compound's or a retired
    checkpoint's token is a 422 with a message; a role without patrol duty 403."""
    user = request.auth
    if not access.patrols_anywhere(user):
        raise Forbidden
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) < 127 for c in key):
        raise Invalid({HEADER: _("请在请求头 Idempotency-Key 中提供本次签到的唯一编号。")})
    record, replayed = services.checkin(
        actor=user,
        token=payload.token,
        key=key,
        scanned_at=_aware(payload.scanned_at),
        sent_at=_aware(payload.sent_at),
        lat=payload.lat,
        lng=payload.lng,
        note=payload.note,
        device_id=payload.device_id,
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    body = {
        "id": record.pk,
        "checkpoint": record.checkpoint_id,
        "run": record.run_id,
        "status": status_of(record),
        "flags": list(record.flags),
    }
    return Status(201, body)


def _aware(moment):
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


@router.get("/runs", response={200: RunList, **COMMON_ERRORS}, summary="某晚的巡逻轮次")
def run_list(request, filters: Query[RunFilter]):
    """The rounds of the night that begins on ``date`` (from noon that day to
    noon the next: a 02:00 round belongs to the evening before); the current
    night by default."""
    user = request.auth
    if not (access.views_anywhere(user) or access.patrols_anywhere(user)):
        raise PermissionDenied
    compound = _compound(user, filters.compound, _sees)
    night: date = filters.date or selectors.current_night()
    items = [
        {
            "id": run.pk,
            "route": run.route.name,
            "starts_at": timezone.localtime(run.starts_at),
            "status": run.status,
            "done": run.n_done,
            "missed": run.n_missed,
        }
        for run in selectors.runs_of_night(compound.pk, night)
    ]
    return {"items": items, "count": len(items)}


from . import api_roster  # noqa: E402, F401  the roster endpoints, on this router
