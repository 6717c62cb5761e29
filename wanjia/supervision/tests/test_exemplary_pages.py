"""Exemplary cases' pages per role: a manager nominates from a record on the
console and follows it; the regulator reviews in the gov shell, publishes,
exports to Excel and prints; the public page (no login) shows published cases
only, with nothing private; the API lists published cases publicly and takes
nominations with Idempotency-Key."""

import json
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from wanjia.core.models import AuditLog
from wanjia.supervision.exemplary import services
from wanjia.supervision.exemplary.models import CaseStatus, ExemplaryCase

from .exemplary_support import FORM, deed, jpeg, registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _source():
    yield from registered()


def test_manager_nominates_on_the_console(world, login):
    w = world
    key = deed(w.a, people="王阿姨")
    c = login(w.manager_a)
    page = c.get("/console/exemplary/").content.decode()
    assert f"?source={key.replace(':', '%3A')}" in page and "好人好事" in page
    assert 'href="/console/exemplary/"' in c.get("/console/").content.decode()
    form = c.get(f"/console/exemplary/new/?source={key}").content.decode()
    assert "王阿姨" in form  # the people as the record names them, to edit
    r = c.post("/console/exemplary/new/", {"source": key, **FORM, "title": ""})
    assert r.status_code == 422 and "请填写标题" in r.content.decode()
    r = c.post("/console/exemplary/new/", {"source": "test.deed:0", **FORM})
    assert r.status_code == 422 and "找不到这条记录" in r.content.decode()
    assert not ExemplaryCase.objects.exists()
    r = c.post("/console/exemplary/new/", {"source": key, **FORM, "photos": [jpeg()]})
    assert r.status_code == 302
    case = ExemplaryCase.objects.get()
    page = c.get(f"/console/exemplary/{case.pk}/").content.decode()
    assert "待审核" in page and FORM["citation"] in page
    photo = case.photos.get()
    r = c.get(f"/console/exemplary/photos/{photo.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    # the record is taken: the list says so
    assert "已推荐" in c.get("/console/exemplary/").content.decode()
    # returned: completed on the same page
    services.review(actor=w.regulator, case=case, decision="return", note="请补充经过")
    page = c.get(f"/console/exemplary/{case.pk}/").content.decode()
    assert "请补充经过" in page and 'data-testid="ex-resubmit"' in page
    r = c.post(f"/console/exemplary/{case.pk}/", {**FORM, "citation": ""})
    assert r.status_code == 422
    r = c.post(f"/console/exemplary/{case.pk}/", {**FORM, "citation": "补充了经过。"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    # staff and residents have no such page
    assert login(w.staff_a).get("/console/exemplary/").status_code == 403
    assert login(w.resident_a).get("/console/exemplary/").status_code == 403


def test_regulator_reviews_publishes_exports_and_prints(world, login):
    w = world
    case = services.nominate(actor=w.manager_a, key=deed(w.a), **FORM, photos=[jpeg()])
    gov = login(w.regulator)
    home = gov.get("/gov/").content.decode()
    assert 'href="/gov/exemplary/"' in home
    queue = gov.get("/gov/exemplary/").content.decode()
    assert FORM["title"] in queue and "待审核 1" in queue
    page = gov.get(f"/gov/exemplary/{case.pk}/").content.decode()
    assert 'data-testid="ex-select"' in page and "shell-gov" in page
    r = gov.post(f"/gov/exemplary/{case.pk}/review/", {"decision": "reject", "note": ""})
    assert r.status_code == 422 and "请写明理由" in r.content.decode()
    r = gov.post(f"/gov/exemplary/{case.pk}/review/", {"decision": "select"})
    assert r.status_code == 302
    r = gov.post(f"/gov/exemplary/{case.pk}/publish/", {"action": "publish"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    r = gov.get("/gov/exemplary/export/")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "标题", "先进个人或集体")
    assert rows[1][0] == case.pk and rows[1][1] == FORM["title"] and rows[1][7] == "已发布"
    assert AuditLog.objects.filter(action="supervision.exemplary.exported").exists()
    printed = gov.get(f"/console/exemplary/{case.pk}/print/").content.decode()
    assert "先进典型事迹" in printed and "data-print" in printed and FORM["citation"] in printed
    assert login(w.manager_a).get(f"/console/exemplary/{case.pk}/print/").status_code == 200
    for url in ("/gov/exemplary/", f"/gov/exemplary/{case.pk}/", "/gov/exemplary/export/"):
        assert login(w.manager_a).get(url).status_code == 403


def test_public_page_shows_only_published_and_nothing_private(world):
    w = world
    shown = services.nominate(actor=w.manager_a, key=deed(w.a), **FORM, photos=[jpeg()])
    services.review(actor=w.regulator, case=shown, decision="select")
    services.publish(actor=w.regulator, case=shown)
    selected = services.nominate(
        actor=w.manager_a, key=deed(w.a), **{**FORM, "title": "入选未发布"}, photos=[jpeg()]
    )
    services.review(actor=w.regulator, case=selected, decision="select")
    services.nominate(actor=w.manager_a, key=deed(w.a), **{**FORM, "title": "还在审核"})
    anon = Client()
    page = anon.get("/exemplary/")
    assert page.status_code == 200
    text = page.content.decode()
    assert FORM["title"] in text and "入选未发布" not in text and "还在审核" not in text
    detail = anon.get(f"/exemplary/{shown.pk}/").content.decode()
    assert FORM["citation"] in detail and w.a.name in detail
    # no phone, no source record, no account names of the nominator
    for private in ("13812345678", "好人好事", shown.source_key, w.manager_a.display_name):
        assert private not in detail
    assert anon.get(f"/exemplary/{selected.pk}/").status_code == 404
    photo = shown.photos.get()
    assert anon.get(f"/exemplary/photos/{photo.pk}/").status_code == 200
    assert anon.get(f"/exemplary/photos/{selected.photos.get().pk}/").status_code == 404
    # staff photo gate wants a login
    assert anon.get(f"/console/exemplary/photos/{photo.pk}/").status_code == 302
    api = anon.get("/api/v1/supervision/cases").json()
    assert api["count"] == 1 and api["items"][0]["id"] == shown.pk
    assert set(api["items"][0]) == {
        "id",
        "title",
        "people",
        "citation",
        "compound",
        "company",
        "happened_on",
        "published_at",
        "url",
        "photos",
    }
    services.unpublish(actor=w.regulator, case=shown)
    assert anon.get(f"/exemplary/{shown.pk}/").status_code == 404
    assert anon.get("/api/v1/supervision/cases").json()["count"] == 0


def test_api_nominate_with_idempotency_key_and_list_mine(world, api):
    w = world
    key = deed(w.a)
    c = api(w.manager_a)
    body = {"source": key, **FORM}
    headers = {"Idempotency-Key": "n-1"}
    r = c.post(
        "/api/v1/supervision/nominations",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 201, r.content
    first = r.json()
    again = c.post(
        "/api/v1/supervision/nominations",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 201 and again.json()["id"] == first["id"]
    assert ExemplaryCase.objects.count() == 1
    bad = c.post(
        "/api/v1/supervision/nominations",
        data=json.dumps({**body, "source": deed(w.a), "citation": "电话13812345678"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["citation"]
    mine = c.get("/api/v1/supervision/nominations").json()
    assert mine["count"] == 1 and mine["items"][0]["status"] == "submitted"
    assert c.get(f"/api/v1/supervision/nominations/{first['id']}").status_code == 200
    assert (
        api(w.outsider_b).get(f"/api/v1/supervision/nominations/{first['id']}").status_code == 404
    )
    assert api(w.outsider_b).get("/api/v1/supervision/nominations").json()["count"] == 0
    assert api(w.staff_a).get("/api/v1/supervision/nominations").status_code == 403
