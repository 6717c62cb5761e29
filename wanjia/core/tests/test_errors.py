"""The one error vocabulary: each refusal has its status, its default message in
the reader's language, and the same shape on every surface."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from wanjia.api import on_refusal
from wanjia.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound, errors_of
from wanjia.core.middleware import RenderRefusals

KINDS = [(NotFound, 404), (Forbidden, 403), (Conflict, 409), (Gone, 410), (Invalid, 422)]


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_the_api_answers_each_refusal_in_one_shape(kind, status):
    request = RequestFactory().get("/api/v1/anything")
    response = on_refusal(request, kind())
    body = json.loads(response.content)
    assert response.status_code == status
    assert set(body) == {"detail", "errors"}
    assert body["detail"] and body["errors"][0]["field"] == "__all__"


def test_a_refusal_names_its_field_and_speaks_the_readers_language():
    request = RequestFactory().get("/api/v1/anything")
    body = json.loads(on_refusal(request, Invalid({"qty": "应为整数。"})).content)
    assert body["errors"] == [{"field": "qty", "message": "应为整数。"}]
    with translation.override("en"):
        assert NotFound().message == "Record not found."
        assert "409" not in Conflict().message and Conflict().message.isascii()


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_a_page_renders_the_one_refusal_page_or_partial(kind, status, rf):
    middleware = RenderRefusals(lambda r: None)
    request = rf.get("/console/somewhere/")
    request.htmx = False
    page = middleware.process_exception(request, kind("这袋已经送达。"))
    assert page.status_code == status and b"<html" in page.content
    assert "这袋已经送达。" in page.content.decode()
    request.htmx = True
    line = middleware.process_exception(request, kind("这袋已经送达。"))
    assert line.status_code == status and b"<html" not in line.content
    assert middleware.process_exception(request, ValueError("x")) is None


def test_errors_of_reads_every_refusal_the_same_way():
    assert errors_of(Conflict("已售完", field="qty")) == {"qty": ["已售完"]}
    assert errors_of(Conflict("已售完")) == {"all": ["已售完"]}
    assert errors_of(ValidationError({"name": ["必填"]})) == {"name": ["必填"]}
    assert errors_of(ValidationError("不行"), all_key="__all__") == {"__all__": ["不行"]}
