"""The pages: the regulator's list, form and board; the compound's phone
page (tick with a photo, report, roll call); the banner on every page of an
affected compound."""

import pytest
import time_machine

from wanjia.emergency.models import ChecklistItem, DailyReport, EventCompound, Status

from .conftest import NOW
from .test_services import jpeg

pytestmark = pytest.mark.django_db


def test_banner_on_pages_of_an_affected_compound_only(flood, login):
    w = flood
    page = login(w.manager_a).get("/console/").content.decode()
    assert 'data-testid="page-banner"' in page and w.event.title in page
    assert 'href="/console/emergency/"' in page
    # a resident reads it on the H5 without a link: the emergency pages would be a 403
    resident = login(w.resident_a)
    page = resident.get("/h5/").content.decode()
    assert 'data-testid="page-banner"' in page and w.event.title in page
    assert 'href="/console/emergency/"' not in page
    assert resident.get("/console/emergency/").status_code == 403
    EventCompound.objects.filter(event=w.event, compound=w.b).delete()
    page = login(w.outsider_b).get("/console/").content.decode()
    assert 'data-testid="page-banner"' not in page
    w.event.status = Status.CLOSED
    w.event.save()
    page = login(w.manager_a).get("/console/").content.decode()
    assert 'data-testid="page-banner"' not in page


def test_regulator_opens_from_the_form_and_sees_the_board(world, login):
    c = login(world.regulator)
    r = c.post(
        "/console/emergency/new/",
        {"title": "", "kind": "flood", "grade": "2", "compounds": world.a.code},
    )
    assert r.status_code == 422 and "请填写事件名称" in r.content.decode()
    r = c.post(
        "/console/emergency/new/",
        {"title": "防汛", "kind": "flood", "grade": "2", "compounds": f"{world.a.code},NOPE"},
    )
    assert r.status_code == 422 and "NOPE" in r.content.decode()
    r = c.post(
        "/console/emergency/new/",
        {"title": "防汛", "kind": "flood", "grade": "2", "compounds": world.a.code},
    )
    assert r.status_code == 302
    board = c.get(r["Location"])
    assert board.status_code == 200 and "em-board" in board.content.decode()
    live = c.get(r["Location"] + "?part=live")
    assert live.status_code == 200 and 'hx-trigger="every 15s"' in live.content.decode()


def test_board_is_for_the_regulator(flood, login):
    w = flood
    assert login(w.manager_a).get(f"/console/emergency/events/{w.event.pk}/").status_code == 403
    r = login(w.regulator).get(f"/console/emergency/events/{w.event.pk}/")
    text = r.content.decode()
    assert r.status_code == 200 and w.a.name in text and w.b.name in text


def test_phone_page_tick_and_report(flood, login):
    w = flood
    ec = EventCompound.objects.get(event=w.event, compound=w.a)
    c = login(w.staff_a)
    page = c.get(f"/console/emergency/affected/{ec.pk}/")
    assert page.status_code == 200 and "抽水泵已试机" in page.content.decode()
    item = ChecklistItem.objects.filter(event=w.event, compound=w.a, code="pumps").get()
    r = c.post(f"/console/emergency/items/{item.pk}/done/", {"note": "x"})
    assert r.status_code == 422 and "请拍一张照片" in r.content.decode()
    r = c.post(f"/console/emergency/items/{item.pk}/done/", {"photo": jpeg()})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.done_at
    photo = c.get(f"/console/emergency/items/{item.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    with time_machine.travel(NOW, tick=False):
        r = c.post(f"/console/emergency/affected/{ec.pk}/report/", {"on_duty": "abc", "note": ""})
        assert r.status_code == 422
        text = r.content.decode()
        assert "应为 0 或正整数" in text and "请填写今日情况" in text
        r = c.post(f"/console/emergency/affected/{ec.pk}/report/", {"on_duty": "4", "note": "平稳"})
        assert r.status_code == 302
    rep = DailyReport.objects.get()
    assert rep.on_duty == 4 and rep.checklist_done == 1


def test_english_page(flood, login):
    w = flood
    ec = EventCompound.objects.get(event=w.event, compound=w.a)
    c = login(w.staff_a)
    c.cookies["django_language"] = "en"
    text = c.get(
        f"/console/emergency/affected/{ec.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Pumps tested" in text
