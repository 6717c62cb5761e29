"""The one error vocabulary. A service or selector refuses with one of

- ``NotFound``  (404): missing, or another tenant's (the same answer for both);
- ``Forbidden`` (403): visible, but the role may not do this;
- ``Conflict``  (409): well-formed, but it conflicts with the state of things
  (sold out, already delivered, window closed);
- ``Gone``      (410): it existed and is no longer offered (a retired
  checkpoint, a withdrawn offer);
- ``Invalid``   (422): field errors, ``{"field": [messages]}``;

and every surface renders it the same way: the API as
``{"detail", "errors": [{"field", "message"}]}`` (``wanjia.api``), a page as the
one refusal partial or page (``wanjia.core.views.refusal``, through
``RenderRefusals`` middleware), a form in place through ``errors_of``. Messages
are lazy translations, rendered in the reader's language.

Django's own ``Http404``, ``PermissionDenied`` and ``ValidationError`` remain
accepted everywhere and mean the same as ``NotFound``, ``Forbidden`` and
``Invalid``."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALL = "__all__"


class Refusal(Exception):
    """A 4xx a person can act on. ``message`` says what happened; ``errors`` maps
    fields to messages (``__all__`` for the whole request)."""

    status = 400
    default = _("请求无效。")

    def __init__(self, message=None, *, field: str = ALL, errors: dict | None = None):
        self.message = str(message if message is not None else self.default)
        self.field = field
        self.errors = errors if errors is not None else {field: [self.message]}
        super().__init__(self.message)

    def as_body(self) -> dict:
        return {
            "detail": self.message,
            "errors": [
                {"field": f, "message": str(m)} for f, msgs in self.errors.items() for m in msgs
            ],
        }


class NotFound(Refusal):
    status = 404
    default = _("未找到该记录。")


class Forbidden(Refusal):
    status = 403
    default = _("您的角色没有权限执行此操作。")


class Conflict(Refusal):
    status = 409
    default = _("操作与当前状态冲突，请刷新后重试。")


class Gone(Refusal):
    status = 410
    default = _("该记录已不再可用。")


class Invalid(Refusal):
    status = 422
    default = _("输入有误，请检查标出的字段。")

    def __init__(self, errors=None, message=None, *, field: str = ALL):
        """``Invalid({"qty": "应为整数。"})`` for field errors, or
        ``Invalid("message", field="qty")`` for one."""
        if errors is not None and not isinstance(errors, dict):
            errors = {field: [errors]}
        errors = {
            f: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
            for f, v in (errors or {}).items()
        }
        if message is None and len(errors) == 1:
            (only,) = errors.values()
            message = only[0] if len(only) == 1 else None
        super().__init__(message, errors=errors or None)


def errors_of(exc: Exception, *, all_key: str = "all") -> dict:
    """Field -> messages from a ``ValidationError`` or a ``Refusal``, for a form
    shown again in place. Errors not tied to a field go under ``all_key``
    ("all" by default: templates cannot read "__all__")."""
    if isinstance(exc, Refusal):
        raw = exc.errors
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        raw = exc.message_dict
    else:
        raw = {ALL: list(getattr(exc, "messages", [str(exc)]))}
    return {(all_key if k == ALL else k): v for k, v in raw.items()}
