"""Refuse what no field can hold before any view sees it.

A NUL byte (or a lone surrogate) in a query string or a form field has no use:
PostgreSQL refuses to store it (a 500 deep in a service), SQLite stores it and
it breaks exports later. One check here covers every form of every page, present
and future: a 400 that says why. The API is left to its schemas
(``core.schemas.Text``), which name the field in a 422; the hostile-input test
walks every API field to keep it so."""

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _

from .errors import Refusal
from .views import refusal, request_too_big, wants_json

MESSAGE = _("提交的内容含有无法保存的字符（如空字符），请删除后重试。")


def _unstorable(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def _bad(querydict) -> bool:
    return any(
        _unstorable(key) or any(_unstorable(v) for v in values) for key, values in querydict.lists()
    )


class RefuseUnstorableInput:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if wants_json(request):
            return self.get_response(request)
        try:
            bad = _bad(request.GET) or (request.method == "POST" and _bad(request.POST))
        except RequestDataTooBig:
            return request_too_big(request)
        if bad:
            return refusal(request, 400, MESSAGE)
        return self.get_response(request)


class RenderRefusals:
    """A page whose service refuses with the kernel's vocabulary
    (``wanjia.core.errors``) answers the one refusal partial (htmx) or page,
    with the refusal's status and message, in the reader's language. Pages
    that show a refusal beside a form field catch it themselves first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refusal):
            return refusal(request, exception.status, exception.message)
        return None
