"""Login, logout and the home redirect to the right shell."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

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
            return (
                redirect(request.GET.get("next") or "home")
                if _safe_next(request)
                else redirect("home")
            )
        error = lockout_message() if code == "locked" else _("用户名或密码不正确。")
    return render(
        request,
        "core/login.html",
        {"error": error, "username": username},
        status=400 if error else 200,
    )


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


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
    403: (
        gettext_lazy("没有权限"),
        gettext_lazy("您的账号没有做这件事的权限。如需要，请联系项目经理开通。"),
    ),
    404: (
        gettext_lazy("找不到该页面"),
        gettext_lazy("您要找的内容不存在，或不在您的管理范围内。"),
    ),
}


def _error(request, code: int):
    heading, message = ERROR_TEXT[code]
    if getattr(request, "htmx", False):
        return render(request, "errors/_refusal.html", {"message": message}, status=code)
    return render(
        request,
        "errors/page.html",
        {"code": code, "heading": heading, "message": message},
        status=code,
    )


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)
