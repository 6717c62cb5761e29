"""Every error under /api/ answers the API's JSON shape ({"detail", "errors"}),
never Django's HTML page: unknown path, wrong method, a crash, a CSRF failure,
a body too large, a bad Host. Pages keep their pages, in the user's language."""

import json

import pytest
from django.test import Client

from wanjia.core.schemas import ErrorOut


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    ErrorOut(**body)  # the documented shape
    assert body["detail"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/xyz", "/api/xyz", "/api/", "/api/v2/markets"])
def test_unknown_api_path_is_json_404(db, path):
    _json_error(Client().get(path), 404)


def test_wrong_method_is_json_405(world, api):
    _json_error(api(world.manager_a).put("/api/v1/party/branches"), 405)


def test_a_crash_under_api_is_json_500(world, api, monkeypatch):
    # the branch list reads through party/selectors/api.py, which holds its own
    # reference to branches_visible_to
    from wanjia.party.selectors import api as selectors

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "branches_visible_to", boom)
    client = api(world.secretary_a)
    client.raise_request_exception = False
    body = _json_error(client.get("/api/v1/party/branches"), 500)
    assert "boom" not in body["detail"]  # no internals to the caller


def test_a_crash_in_a_page_is_the_500_page(rf):
    from wanjia.core.views import server_error

    response = server_error(rf.get("/console/"))
    assert response.status_code == 500 and b"<html" in response.content.lower()
    _json_error(server_error(rf.get("/api/v1/markets")), 500)


def test_csrf_failure_is_json_under_api_and_a_page_elsewhere(db, rf, settings):
    from wanjia.core.views import csrf_failure

    _json_error(csrf_failure(rf.post("/api/v1/auth/token")), 403)
    settings.LANGUAGE_CODE = "zh-hans"
    client = Client(enforce_csrf_checks=True)
    r = client.post("/login/", {"username": "a", "password": "b"})
    assert r.status_code == 403 and "text/html" in r["Content-Type"]
    assert "刷新页面" in r.content.decode()
    r = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"}).post(
        "/login/", {"username": "a", "password": "b"}
    )
    assert "refresh" in r.content.decode().lower()


def test_a_body_too_large_is_json_413(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = "x" * 5000
    r = Client().post(
        "/api/v1/auth/token", json.dumps({"username": big}), content_type="application/json"
    )
    _json_error(r, 413)
    _json_error(Client().post("/api/v1/auth/token", {"username": big}), 413)
    page = Client().post("/login/", {"username": big})
    assert page.status_code == 413 and "text/html" in page["Content-Type"]


def test_a_bad_host_is_json_400_under_api(db):
    r = Client(HTTP_HOST="evil.example").get("/api/v1/markets")
    _json_error(r, 400)
    page = Client(HTTP_HOST="evil.example").get("/login/")
    assert page.status_code == 400 and "text/html" in page["Content-Type"]


def test_nul_in_a_query_or_form_is_400_with_a_message(world, api, login):
    from wanjia.party.models import Branch

    # the API names the field (its schemas), pages get one 400 for every form
    r = api(world.manager_a).get("/api/v1/residents?q=a%00b")
    assert _json_error(r, 422)["errors"][0]["field"] == "q"
    page = login(world.secretary_a).post(
        "/console/party/branches/new/", {"name": "党支部\x00", "compounds": [world.a.pk]}
    )
    assert page.status_code == 400 and "无法保存的字符" in page.content.decode()
    assert not Branch.objects.exists()
