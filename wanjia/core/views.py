"""Login, logout and the home redirect to the right shell."""

import json

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.defaults import server_error as django_server_error
from django.views.i18n import set_language as django_set_language

from . import services
from .auth import lockout_message, login_check
from .roles import Role
from .scoping import roles_of


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    roles = roles_of(request.user)
    if roles and roles <= {Role.RESIDENT, Role.VOLUNTEER}:
        return redirect("h5_home")
    if Role.REGULATOR in roles and len(roles) == 1:
        return redirect("gov_home")
    return redirect("console_home")


def login_view(request):
    error = ""
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        user, code = login_check(request, username, request.POST.get("password", ""))
        if user is not None:
            login(request, user)  # rotates the session key
            nxt = request.GET.get("next", "")
            response = HttpResponseRedirect(nxt) if _safe_next(request) else redirect("home")
            return _follow_language(request, user, response)
        error = lockout_message() if code == "locked" else _("用户名或密码不正确。")
    return render(
        request,
        "core/login.html",
        {"error": error, "username": username},
        status=400 if error else 200,
    )


def _known_language(code: str) -> str:
    code = (code or "").lower()
    return code if code in {c for c, _name in settings.LANGUAGES} else ""


def _follow_language(request, user, response):
    """The account keeps its reader's language (notifications are written in it):
    a user who chose one gets it on every device they log in from; one who never
    chose keeps the language they logged in with."""
    from django.utils.translation import get_language

    chosen = _known_language(user.language)
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    else:
        current = _known_language(get_language())
        if current:
            services.user_language_keep(user, current)
    return response


def set_language(request):
    """Django's language switch, which also keeps the choice on the account, so
    messages sent to this user later are written in it."""
    response = django_set_language(request)
    chosen = _known_language(request.POST.get("language", "")) if request.method == "POST" else ""
    if chosen and request.user.is_authenticated:
        services.user_language_keep(request.user, chosen)
    return response


def _safe_next(request) -> bool:
    """Only a path of this site: "foo" (no view of that name, once a 500),
    "//host", "javascript:" or a control character all go home instead."""
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next") or ""
    return (
        nxt.startswith("/")
        and not nxt.startswith("//")
        and nxt.isprintable()
        and url_has_allowed_host_and_scheme(
            nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


def elder_toggle(request):
    """Flip 长辈模式 (elder mode) and remember it in a cookie for a year."""
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = redirect(nxt)
    on = request.COOKIES.get("elder") != "1"
    response.set_cookie("elder", "1" if on else "0", max_age=365 * 86400, samesite="Lax")
    return response


# --- error pages -------------------------------------------------------------------
# Django's own 403/404 pages are bare English; these speak the user's language,
# keep the look, and answer an htmx request with a line to swap in place
# instead of a whole page inside a button's target.

ERROR_TEXT = {
    400: (
        gettext_lazy("请求无效"),
        gettext_lazy("请求的内容无法处理。请返回上一页检查后重试。"),
    ),
    403: (
        gettext_lazy("没有权限"),
        gettext_lazy("您的账号没有做这件事的权限。如需要，请联系项目经理开通。"),
    ),
    404: (
        gettext_lazy("找不到该页面"),
        gettext_lazy("您要找的内容不存在，或不在您的管理范围内。"),
    ),
}


API_PREFIX = "/api/"


def wants_json(request) -> bool:
    """Errors under /api/ answer JSON (the API's one error shape), never a page."""
    return request.path.startswith(API_PREFIX)


def api_error(status: int, detail) -> HttpResponse:
    """The API's error body ({"detail", "errors"}, as ``schemas.ErrorOut``)."""
    body = {"detail": str(detail), "errors": []}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def refusal(request, code: int, message, heading=None) -> HttpResponse:
    """A 4xx that says why: JSON under /api/, a line for htmx, a page otherwise."""
    if wants_json(request):
        return api_error(code, message)
    if getattr(request, "htmx", False):
        return render(request, "errors/_refusal.html", {"message": message}, status=code)
    return render(
        request,
        "errors/page.html",
        {"code": code, "heading": heading or message, "message": message},
        status=code,
    )


def _error(request, code: int):
    heading, message = ERROR_TEXT[code]
    if wants_json(request):
        return api_error(code, API_TEXT.get(code, message))
    if getattr(request, "htmx", False):
        return render(request, "errors/_refusal.html", {"message": message}, status=code)
    return render(
        request,
        "errors/page.html",
        {"code": code, "heading": heading, "message": message},
        status=code,
    )


# The API's own wording (wanjia/api.py says the same for errors ninja sees).
API_TEXT = {
    400: gettext_lazy("请求无效。"),
    403: gettext_lazy("您的角色没有权限执行此操作。"),
    404: gettext_lazy("接口地址不存在。"),
}


def bad_request(request, exception=None):
    """handler400: a SuspiciousOperation (bad Host, a body past the size limit...)."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_big(request)
    return _error(request, 400)


def request_too_big(request):
    return refusal(request, 413, gettext_lazy("请求内容过大。"))


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    """handler500: the 500 page, or the API's JSON under /api/. Renders nothing
    that could fail again (no context processors, no database)."""
    if wants_json(request):
        return api_error(500, gettext_lazy("系统出错了，已自动记录。请稍后再试。"))
    return django_server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a page a person can act on, JSON under /api/."""
    return refusal(
        request,
        403,
        gettext_lazy("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试。"),
        heading=gettext_lazy("请刷新页面"),
    )
