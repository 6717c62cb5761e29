"""Notices to companies: chosen companies or all in the area, an attachment
checked by its content, the read receipt on opening, one reply each, and the
authority's view of who has read, replied, is overdue; the API answers the
same for the company."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.supervision.inspections import selectors, services
from wanjia.supervision.inspections.models import CompanyNotice, NoticeRecipient, RectStatus

from .inspections_helpers import NOW, inspected, jpeg, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _send(world, **kw):
    kw.setdefault("company_ids", [world.a.company_id, world.b.company_id])
    return services.notice_send(
        actor=world.regulator, title="关于汛期检查", body="请于周五前报送自查情况", **kw
    )


def test_send_to_all_read_reply_and_tracking(world):
    notice = _send(world, company_ids=None, attachment=pdf(), reply_by=NOW + timedelta(days=2))
    companies = set(notice.recipients.values_list("company_id", flat=True))
    assert {world.a.company_id, world.b.company_id} <= companies
    assert notice.attachment_name == "a.pdf"
    assert Notification.objects.filter(recipient=world.company_admin_a, kind="supervision.notice")
    r = notice.recipients.get(company_id=world.a.company_id)
    assert services.notice_read(actor=world.manager_a, recipient=r) is True
    assert services.notice_read(actor=world.company_admin_a, recipient=r) is False
    r.refresh_from_db()
    assert r.read_by == world.manager_a
    services.notice_reply(
        actor=world.company_admin_a, recipient=r, text="已自查", file=pdf("r.pdf")
    )
    with pytest.raises(Conflict):
        services.notice_reply(actor=world.company_admin_a, recipient=r, text="再回复")
    with pytest.raises(Forbidden):
        services.notice_read(actor=world.outsider_b, recipient=NoticeRecipient.objects.get(pk=r.pk))
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        rows = {x["r"].company_id: x for x in selectors.tracking(notice)}
    assert rows[world.a.company_id]["overdue"] is False
    assert rows[world.b.company_id]["overdue"] is True
    assert AuditLog.objects.filter(action="supervision.notice.replied").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": ""}, "body"),
        ({"company_ids": []}, "companies"),
        ({"company_ids": [10**9]}, "companies"),
        ({"attachment": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}, "attachment"),
        ({"attachment": SimpleUploadedFile("x.zip", b"PK\x03\x04zzzz")}, "attachment"),
        ({"reply_by": NOW - timedelta(hours=1)}, "reply_by"),
    ],
)
def test_bad_notice_refused_by_field(world, kwargs, field):
    base = {"title": "标题", "body": "正文", "company_ids": [world.a.company_id]}
    base.update(kwargs)
    with pytest.raises(Invalid) as exc:
        services.notice_send(actor=world.regulator, **base)
    assert field in exc.value.errors
    assert not CompanyNotice.objects.exists()


def test_pages_notice_flow(world, login):
    notice = _send(world, reply_by=NOW + timedelta(days=1))
    r = notice.recipients.get(company_id=world.a.company_id)
    c = login(world.company_admin_a)
    inbox = c.get("/notices/")
    assert inbox.status_code == 200 and "关于汛期检查" in inbox.content.decode()
    page = c.get(f"/notices/receipts/{r.pk}/")
    assert page.status_code == 200
    r.refresh_from_db()
    assert r.read_at is not None  # opening is the receipt
    bad = c.post(f"/notices/receipts/{r.pk}/reply/", {"text": ""})
    assert bad.status_code == 422 and "请填写此项" in bad.content.decode()
    ok = c.post(f"/notices/receipts/{r.pk}/reply/", {"text": "已报送", "file": pdf()})
    assert ok.status_code == 302
    r.refresh_from_db()
    assert r.replied_at and r.reply_file_name == "a.pdf"
    g = login(world.regulator)
    track = g.get(f"/gov/notices/{notice.pk}/").content.decode()
    assert "已报送" in track and "待回复" in track
    xlsx = g.get(f"/gov/notices/{notice.pk}/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(xlsx.content)).active
    assert {row[0] for row in ws.iter_rows(min_row=2, values_only=True)} == {
        world.a.company.name,
        world.b.company.name,
    }
    printed = g.get(f"/gov/notices/{notice.pk}/?print=1").content.decode()
    assert "@page" in printed and "经办人签字" in printed
    assert g.get(f"/notices/receipts/{r.pk}/file/").status_code == 200
    assert login(world.outsider_b).get(f"/notices/receipts/{r.pk}/file/").status_code == 404


def test_send_page_field_errors(world, login):
    g = login(world.regulator)
    resp = g.post("/gov/notices/", {"title": "", "body": "x", "companies": ["abc"]})
    assert resp.status_code == 422
    resp = g.post(
        "/gov/notices/", {"title": "t", "body": "x", "reply_by": "not-a-date", "all": "1"}
    )
    assert resp.status_code == 422 and "有效的日期时间" in resp.content.decode()
    assert not CompanyNotice.objects.exists()
    ok = g.post("/gov/notices/", {"title": "t", "body": "x", "all": "1"})
    assert ok.status_code == 302


def test_api_rectification_evidence_idempotent(world, api):
    _, _, rect = inspected(world)
    c = api(world.manager_a)
    listed = c.get("/api/v1/supervision/rectifications").json()
    assert [i["id"] for i in listed["items"]] == [rect.pk]
    assert api(world.outsider_b).get("/api/v1/supervision/rectifications").json()["count"] == 0
    photo = base64.b64encode(jpeg().read()).decode()
    body = {"text": "已清理", "photos": [photo]}
    url = f"/api/v1/supervision/rectifications/{rect.pk}/evidence"
    first = c.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = c.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    rect.refresh_from_db()
    assert rect.status == RectStatus.SUBMITTED and rect.evidence.count() == 1
    other = api(world.outsider_b).post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert other.status_code == 404


def test_api_bad_photo_is_field_error(world, api):
    _, _, rect = inspected(world)
    url = f"/api/v1/supervision/rectifications/{rect.pk}/evidence"
    c = api(world.manager_a)
    resp = c.post(url, {"text": "x", "photos": ["%%%"]}, content_type="application/json")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"].startswith("photos")
    not_image = base64.b64encode(b"hello world").decode()
    resp = c.post(url, {"text": "x", "photos": [not_image]}, content_type="application/json")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "photos"
    rect.refresh_from_db()
    assert rect.status == RectStatus.OPEN


def test_api_notices_read_and_reply(world, api):
    notice = _send(world, reply_by=NOW + timedelta(days=1))
    c = api(world.company_admin_a)
    items = c.get("/api/v1/supervision/notices").json()["items"]
    assert len(items) == 1 and items[0]["read_at"] is None
    rid = items[0]["id"]
    read = c.post(f"/api/v1/supervision/notices/{rid}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    url = f"/api/v1/supervision/notices/{rid}/reply"
    first = c.post(url, {"text": "收到"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r")
    again = c.post(url, {"text": "收到"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r")
    assert first.status_code == 201 and again.status_code == 201
    assert NoticeRecipient.objects.get(pk=rid).reply_text == "收到"
    empty = c.post(url, {"text": ""}, content_type="application/json")
    assert empty.status_code == 422
    assert api(world.outsider_b).post(f"/api/v1/supervision/notices/{rid}/read").status_code == 404
    assert notice.recipients.count() == 2
