"""The API root: one NinjaAPI under /api/v1/, each app mounting its router.

Every error answers ``{"detail": ..., "errors": [{"field", "message"}]}`` in the
request's language; bad input is a 4xx, never a 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from wanjia.core.api import BearerAuth, SessionAuth
from wanjia.core.api import router as core_router
from wanjia.delivery.api import router as delivery_router
from wanjia.disputes.api import router as disputes_router
from wanjia.estates.api import router as estates_router
from wanjia.market.api import router as market_router
from wanjia.party.api import router as party_router

api = NinjaAPI(
    title="Wanjia 万家 API",
    version="1",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


_PYDANTIC_MESSAGES = {
    "missing": "此项为必填项。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "float_parsing": "应为数字。",
    "bool_parsing": "应为是或否（true/false）。",
    "bool_type": "应为是或否（true/false）。",
    "string_type": "应为文本。",
    "string_too_long": "内容过长。",
    "string_too_short": "内容过短。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "enum": "取值不在允许范围内。",
    "literal_error": "取值不在允许范围内。",
    "list_type": "应为列表。",
    "dict_type": "应为对象。",
    "model_attributes_type": "应为对象。",
    "json_invalid": "请求内容不是有效的 JSON。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
    "greater_than": "数值过小。",
    "extra_forbidden": "不支持此字段。",
}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "header", "form")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc):
    errors = []
    for err in exc.errors:
        text = _PYDANTIC_MESSAGES.get(err.get("type", ""))
        errors.append(
            {
                "field": _field_name(err.get("loc", ())),
                "message": _(text) if text else err.get("msg", ""),
            }
        )
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


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, error_body(_("您的角色没有权限执行此操作。")), status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body(_("未找到该记录。")), status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, error_body(_("请先登录或提供有效的令牌。")), status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return api.create_response(request, error_body(str(exc.message)), status=exc.status_code)


api.add_router("", core_router)
api.add_router("", estates_router)
api.add_router("/party", party_router)
api.add_router("/disputes", disputes_router)
api.add_router("/market", market_router)
api.add_router("/delivery", delivery_router)
