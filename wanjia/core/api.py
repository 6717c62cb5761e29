"""Authentication endpoints, ``/me`` and the audit log search."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import field_validator

from . import services
from .audit import audit_visible_to
from .auth import client_ip, lockout_message, login_check
from .schemas import COMMON_ERRORS, DateTime, ErrorOut, Id, InputSchema, Paging, Text
from .scoping import can_anywhere, memberships_of


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a revoked token or an inactive user is refused."""

    def authenticate(self, request, token):
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The pages' own session, so htmx calls need no token.

    CSRF is checked (by ninja's cookie auth) only once the session really belongs
    to a logged-in user: a call with no session or an expired one is a 401, not a
    CSRF failure, and a bearer call never needs a CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if not request.COOKIES.get(self.param_name) or not (user and user.is_authenticated):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        return request.user if key else None


router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: Text(150, description="用户名或手机号")
    password: Text(1024)
    name: Text(100, description="令牌用途，如“小程序”") = ""


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="用用户名（或手机号）和密码换取令牌",
)
def token_create(request, payload: TokenIn):
    """Failures count towards the lockout by account and by IP, as on the login page."""
    user, error = login_check(request, payload.username, payload.password, channel="api")
    if error == "locked":
        raise HttpError(429, lockout_message())
    if user is None:
        raise HttpError(401, _("用户名或密码不正确。"))
    token = services.token_issue(actor=user, name=payload.name or "api", ip=client_ip(request))
    return {"token": token}


@router.delete("/auth/token", response={204: None, **COMMON_ERRORS}, summary="注销本次使用的令牌")
def token_revoke(request):
    """Revoke the token this request was made with; later calls with it are 401."""
    header = request.headers.get("Authorization", "")
    key = header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else ""
    if not key or not services.token_revoke(actor=request.auth, key=key):
        raise HttpError(400, _("本次请求未使用令牌，无需注销。"))
    return 204, None


class RoleOut(Schema):
    role: str
    scope_type: str
    scope_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[RoleOut]


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, tags=["me"], summary="当前用户及其角色")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.name,
        "roles": [
            {"role": m.role, "scope_type": m.scope_type, "scope_id": m.scope_id}
            for m in memberships_of(user)
        ],
    }


class AuditOut(Schema):
    id: int
    at: datetime
    actor: int | None = Field(None, alias="actor_id")
    actor_name: str
    action: str
    compound: int | None = Field(None, alias="compound_id")
    company: int | None = Field(None, alias="company_id")
    object_type: str
    object_id: str
    detail: dict[str, Any]
    ip: str | None


class AuditFilter(Schema):
    action: Text(100, description="操作代码前缀，如 estates.resident") = ""
    compound: Id | None = None
    actor: Id | None = None
    since: DateTime | None = Field(None, description="起始时间（含），ISO 8601")
    until: DateTime | None = Field(None, description="截止时间（不含），ISO 8601")

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A time without an offset is Beijing time (the project's TIME_ZONE)."""
        if value is None or timezone.is_aware(value):
            return value
        return timezone.make_aware(value)


@router.get(
    "/audit",
    response={200: list[AuditOut], **COMMON_ERRORS},
    tags=["audit"],
    summary="搜索审计日志（物业企业管理员：本企业小区；监管部门：本辖区）",
)
@paginate(Paging)
def audit_list(request, filters: Query[AuditFilter]):
    if not can_anywhere(request.auth, "audit.view"):
        raise PermissionDenied
    return audit_visible_to(
        request.auth,
        action_prefix=filters.action,
        compound_id=filters.compound,
        actor_id=filters.actor,
        since=filters.since,
        until=filters.until,
    )
