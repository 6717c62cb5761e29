"""The API root: one NinjaAPI under /api/v1/, each app mounting its router.

Every error answers ``{"detail": ..., "errors": [{"field", "message"}]}`` in the
request's language (Accept-Language; zh-hans by default), including an unknown
URL under /api/v1/, a method the URL does not take, a body that is not JSON and
a missing or revoked token. Bad input is a 4xx, never a 500."""

import json
import sys
from decimal import Decimal

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from wanjia.care.api import router as care_router
from wanjia.conveniences.api import router as conveniences_router
from wanjia.core.api import BearerAuth, SessionAuth
from wanjia.core.api import router as core_router
from wanjia.core.errors import Refusal
from wanjia.delivery.api import router as delivery_router
from wanjia.disputes.api import router as disputes_router
from wanjia.emergency.api import router as emergency_router
from wanjia.estates.api import router as estates_router
from wanjia.feedback.api import router as feedback_router
from wanjia.market.api import router as market_router
from wanjia.party.api import router as party_router
from wanjia.patrol.api import router as patrol_router
from wanjia.supervision.api import router as supervision_router
from wanjia.tickets.api import router as tickets_router
from wanjia.volunteers.api import router as volunteers_router


class ReadableJSON(JSONRenderer):
    """JSON with Chinese left readable (the body is UTF-8 anyway)."""

    json_dumps_params = {"ensure_ascii": False}


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": str(detail), "errors": errors or []}


def json_error(status: int, detail: str, errors: list[dict] | None = None) -> HttpResponse:
    """An error response for the places ninja's handlers never see (URL routing, 405)."""
    return HttpResponse(
        json.dumps(error_body(detail, errors), ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


class WanjiaAPI(NinjaAPI):
    """NinjaAPI whose URL patterns also answer JSON for a wrong method (405) and for
    any unknown path under the API root (404), instead of Django's HTML pages."""

    def get_openapi_operation_id(self, operation) -> str:
        """ninja's id (``<module>_<function>``), except that a router split into
        a package keeps the ids it was published with: its modules name the old
        module in ``OPERATION_MODULE``, so clients built on the ids keep working."""
        module = operation.view_func.__module__
        published = getattr(sys.modules.get(module), "OPERATION_MODULE", module)
        return (published + "_" + operation.view_func.__name__).replace(".", "_")

    def _get_urls(self):
        urls = [_json_errors(p) if isinstance(p, URLPattern) else p for p in super()._get_urls()]
        # Last, so it only catches what no operation matched.
        urls.append(re_path(r"^.*$", _unknown_url, name="unknown"))
        return urls


def _json_errors(pattern: URLPattern) -> URLPattern:
    """Wrap a ninja view so that its few non-JSON answers (405 for a method the
    path does not take, the 404 of the API root) become JSON errors."""
    view = pattern.callback

    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # the API root's placeholder view raises it
            return json_error(404, _("接口地址不存在。"))
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            response = json_error(
                405, _("此地址不支持 %(method)s 请求。") % {"method": request.method}
            )
            response["Allow"] = allowed
        elif response.status_code == 404:
            response = json_error(404, _("接口地址不存在。"))
        return response

    # ninja's views are CSRF-exempt at the middleware; its cookie auth checks CSRF itself.
    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return URLPattern(pattern.pattern, wrapped, pattern.default_args, pattern.name)


def _unknown_url(request, *args, **kwargs):
    return json_error(404, _("接口地址不存在。"))


_unknown_url.csrf_exempt = True  # it changes nothing and answers 404 to every method


api = WanjiaAPI(
    title="Wanjia 万家 API",
    version="1",
    description=(
        "红色物业平台的接口。除 POST /auth/token 外，每个请求都带 "
        "`Authorization: Bearer <token>`。错误一律为 "
        '`{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`，'
        "语言随 Accept-Language（默认简体中文）。"
    ),
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=ReadableJSON(),
)


# Pydantic error type -> the message a person reads. Marked for translation here,
# translated when the response is built (the request's language is active then).
_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("此项为必填项。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "int_type": gettext_lazy("应为整数。"),
    "int_from_float": gettext_lazy("应为整数。"),
    "float_parsing": gettext_lazy("应为数字。"),
    "float_type": gettext_lazy("应为数字。"),
    "bool_parsing": gettext_lazy("应为是或否（true/false）。"),
    "bool_type": gettext_lazy("应为是或否（true/false）。"),
    "string_type": gettext_lazy("应为文本。"),
    "string_too_long": gettext_lazy("内容过长，最多 %(max_length)s 个字符。"),
    "string_too_short": gettext_lazy("内容过短，至少 %(min_length)s 个字符。"),
    "string_pattern_mismatch": gettext_lazy("格式不正确。"),
    "text_control": gettext_lazy("含有无法保存的字符。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_from_datetime_inexact": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_type": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "datetime_parsing": gettext_lazy("时间格式应为 ISO 8601，如 2024-05-01T08:00:00+08:00。"),
    "datetime_from_date_parsing": gettext_lazy(
        "时间格式应为 ISO 8601，如 2024-05-01T08:00:00+08:00。"
    ),
    "datetime_type": gettext_lazy("时间格式应为 ISO 8601，如 2024-05-01T08:00:00+08:00。"),
    "date_range": gettext_lazy("年份应在 1900 至 9000 之间。"),
    "enum": gettext_lazy("取值不在允许范围内。"),
    "literal_error": gettext_lazy("取值不在允许范围内。"),
    "list_type": gettext_lazy("应为列表。"),
    "dict_type": gettext_lazy("应为对象。"),
    "model_type": gettext_lazy("应为对象。"),
    "model_attributes_type": gettext_lazy("应为对象。"),
    "json_invalid": gettext_lazy("请求内容不是有效的 JSON。"),
    "greater_than_equal": gettext_lazy("数值过小，最小为 %(ge)s。"),
    "greater_than": gettext_lazy("数值过小，应大于 %(gt)s。"),
    "less_than_equal": gettext_lazy("数值过大，最大为 %(le)s。"),
    "less_than": gettext_lazy("数值过大，应小于 %(lt)s。"),
    "too_long": gettext_lazy("条目过多，最多 %(max_length)s 项。"),
    "too_short": gettext_lazy("条目过少，至少 %(min_length)s 项。"),
    "extra_forbidden": gettext_lazy("不支持此字段。"),
}
_INVALID = gettext_lazy("取值无效。")


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "header", "form")]
    return ".".join(parts) or "__all__"


def _message(err: dict) -> str:
    """A translated message for one pydantic error; never pydantic's English text,
    and never anything of the input: only the schema's numeric limits (``ge``,
    ``max_length``...) are filled in. A context value that is text (an enum's
    choices, a custom error's detail, whatever a validator put there) could
    carry what the caller sent or what the server holds, so a message that would
    need one falls back to the plain "invalid"."""
    template = _PYDANTIC_MESSAGES.get(err.get("type", ""), _INVALID)
    ctx = {
        k: v
        for k, v in (err.get("ctx") or {}).items()
        if isinstance(v, int | float | Decimal) and not isinstance(v, bool)
    }
    try:
        return str(template) % ctx
    except (KeyError, TypeError, ValueError):
        return str(_INVALID)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc):
    """Each error is rebuilt from its location and type alone: pydantic's
    ``input`` (the rejected value, a whole object for a wrong type) and ``msg``
    are never sent back, on any endpoint."""
    errors = [
        {"field": _field_name(err.get("loc", ())), "message": _message(err)} for err in exc.errors
    ]
    return api.create_response(
        request, error_body(_("输入有误，请检查标出的字段。"), errors), status=422
    )


@api.exception_handler(DjangoValidationError)
def on_service_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": f, "message": str(m)} for f, msgs in exc.message_dict.items() for m in msgs
        ]
    else:
        errors = [{"field": "__all__", "message": str(m)} for m in exc.messages]
    return api.create_response(
        request, error_body(_("输入有误，请检查标出的字段。"), errors), status=422
    )


@api.exception_handler(Refusal)
def on_refusal(request, exc):
    """The kernel's vocabulary (not found, forbidden, conflict, gone, invalid):
    its status, its message, its field errors."""
    return api.create_response(request, exc.as_body(), status=exc.status)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, error_body(_("您的角色没有权限执行此操作。")), status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body(_("未找到该记录。")), status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, error_body(_("请先登录或提供有效的令牌。")), status=401)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return api.create_response(request, error_body(_("请求内容过大。")), status=413)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return api.create_response(request, error_body(_("请求无效。")), status=400)


# ninja's own English messages, in the user's language.
_NINJA_MESSAGES = {
    "Cannot parse request body": gettext_lazy("请求内容无法解析，请发送有效的 JSON。"),
    "CSRF check Failed": gettext_lazy("CSRF 校验失败，请刷新页面后重试。"),
    "Too many requests.": gettext_lazy("请求过于频繁，请稍后再试。"),
    "Unauthorized": gettext_lazy("请先登录或提供有效的令牌。"),
    "Forbidden": gettext_lazy("您的角色没有权限执行此操作。"),
}


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    message = str(exc.message)
    if message.startswith("Cannot parse request body"):  # DEBUG appends the parser's error
        message = "Cannot parse request body"
    detail = _NINJA_MESSAGES.get(message, message)
    return api.create_response(request, error_body(detail), status=exc.status_code)


api.add_router("", core_router)
api.add_router("", estates_router)
api.add_router("/party", party_router)
api.add_router("/disputes", disputes_router)
api.add_router("/market", market_router)
api.add_router("/delivery", delivery_router)
api.add_router("/patrol", patrol_router)
api.add_router("/care", care_router)
api.add_router("/tickets", tickets_router)
api.add_router("", conveniences_router)
api.add_router("/volunteers", volunteers_router)
api.add_router("/emergency", emergency_router)
api.add_router("", feedback_router)
api.add_router("/supervision", supervision_router)
