"""Authentication endpoints and ``/me``."""

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from . import services
from .auth import login_check
from .schemas import COMMON_ERRORS, ErrorOut
from .scoping import memberships_of


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The pages' own session, so htmx calls need no token (CSRF still applies)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut}
)
def token_create(request, payload: TokenIn):
    user, error = login_check(request, payload.username, payload.password)
    if error == "locked":
        raise HttpError(429, _("登录失败次数过多，请稍后再试。"))
    if user is None:
        raise HttpError(401, _("用户名或密码不正确。"))
    return {"token": services.token_issue(actor=user, name=payload.name or "api")}


@router.delete("/auth/token", response={204: None, **COMMON_ERRORS})
def token_revoke(request):
    """Revoke the token this request was made with."""
    header = request.headers.get("Authorization", "")
    key = header.split(" ", 1)[1] if header.lower().startswith("bearer ") else ""
    if not services.token_revoke(actor=request.auth, key=key):
        raise HttpError(422, _("本次请求未使用令牌，无需注销。"))
    return 204, None


class RoleOut(Schema):
    role: str
    scope_type: str
    scope_id: int


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[RoleOut]


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, tags=["me"])
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
