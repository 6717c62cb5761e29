"""Pages per role: the regulator plans and does an inspection on the phone
page (item by item, a photo from the camera), issues and decides a
rectification; the company admin and the manager answer it; exports and A4
prints; refused input shows its field error and changes nothing."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from wanjia.supervision.inspections.models import Inspection, Rectification, RectStatus

from .inspections_helpers import NOW, checklist, inspected, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_regulator_does_an_inspection_on_the_pages(world, login):
    template = checklist(world)
    g = login(world.regulator)
    assert g.get("/gov/inspections/").status_code == 200
    bad = g.post("/gov/inspections/", {"compound": "x", "template": template.pk})
    assert bad.status_code == 422 and "请选择辖区内的小区" in bad.content.decode()
    bad = g.post(
        "/gov/inspections/",
        {"compound": world.a.pk, "template": template.pk, "planned_on": "2026-13-40"},
    )
    assert bad.status_code == 422 and not Inspection.objects.exists()
    resp = g.post(
        "/gov/inspections/",
        {"compound": world.a.pk, "template": template.pk, "planned_on": "2026-07-14"},
    )
    ins = Inspection.objects.get()
    assert resp.status_code == 302
    assert g.post(f"/gov/inspections/{ins.pk}/start/").status_code == 302
    page = g.get(f"/inspections/{ins.pk}/").content.decode()
    assert 'capture="environment"' in page and "消防通道畅通" in page
    results = list(ins.results.all())
    bad = g.post(f"/gov/inspections/{ins.pk}/items/{results[0].pk}/", {"outcome": "fail"})
    assert bad.status_code == 422 and "请填写此项" in bad.content.decode()
    g.post(f"/gov/inspections/{ins.pk}/items/{results[0].pk}/", {"outcome": "fail", "note": "堵"})
    for r in results[1:]:
        g.post(f"/gov/inspections/{ins.pk}/items/{r.pk}/", {"outcome": "pass"})
    fake = SimpleUploadedFile("x.jpg", b"not an image")
    bad = g.post(f"/gov/inspections/{ins.pk}/findings/", {"text": "堵塞", "photos": [fake]})
    assert bad.status_code == 422 and "照片无法识别" in bad.content.decode()
    g.post(f"/gov/inspections/{ins.pk}/findings/", {"text": "通道堵塞", "photos": [jpeg()]})
    assert g.post(f"/gov/inspections/{ins.pk}/finish/", {"summary": "一处问题"}).status_code == 302
    finding = ins.findings.get()
    bad = g.post(f"/gov/findings/{finding.pk}/rectify/", {"requirement": "清理", "deadline": ""})
    assert bad.status_code == 422 and not Rectification.objects.exists()
    deadline = (NOW.date() + timedelta(days=5)).isoformat()
    g.post(f"/gov/findings/{finding.pk}/rectify/", {"requirement": "清理", "deadline": deadline})
    rect = Rectification.objects.get()
    photo = finding.photos.get()
    resp = g.get(f"/inspections/photos/{photo.pk}/")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    assert "/media/" not in g.get(f"/inspections/{ins.pk}/").content.decode()
    printed = g.get(f"/inspections/{ins.pk}/print/").content.decode()
    assert "检查人签字" in printed and f"/inspections/photos/{photo.pk}/" in printed
    assert rect.ref in printed


def test_company_answers_and_regulator_decides(world, login):
    _, finding, rect = inspected(world)
    for user in (world.company_admin_a, world.manager_a):
        c = login(user)
        mine = c.get("/rectifications/").content.decode()
        assert rect.ref in mine
        assert c.get(f"/inspections/{finding.inspection_id}/").status_code == 200
        assert c.get(f"/inspections/photos/{finding.photos.get().pk}/").status_code == 200
    m = login(world.manager_a)
    bad = m.post(f"/rectifications/{rect.pk}/evidence/", {"text": "已改"})
    assert bad.status_code == 422 and "至少上传一张" in bad.content.decode()
    ok = m.post(f"/rectifications/{rect.pk}/evidence/", {"text": "已改", "photos": [jpeg()]})
    assert ok.status_code == 302
    rect.refresh_from_db()
    assert rect.status == RectStatus.SUBMITTED
    ev = rect.evidence.get().photos.get()
    assert login(world.regulator).get(f"/rectifications/photos/{ev.pk}/").status_code == 200
    assert login(world.outsider_b).get(f"/rectifications/photos/{ev.pk}/").status_code == 404
    g = login(world.regulator)
    bad = g.post(f"/gov/rectifications/{rect.pk}/decide/", {"decision": "reject"})
    assert bad.status_code == 422 and "请填写此项" in bad.content.decode()
    assert (
        g.post(f"/gov/rectifications/{rect.pk}/decide/", {"decision": "accept"}).status_code == 302
    )
    rect.refresh_from_db()
    assert rect.status == RectStatus.ACCEPTED
    # the manager may not decide: 403, nothing changes
    assert (
        m.post(f"/gov/rectifications/{rect.pk}/decide/", {"decision": "reject"}).status_code == 403
    )


def test_rect_queue_overdue_first_export_and_print(world, login):
    from wanjia.supervision.inspections import services

    _, _, late = inspected(world, deadline_days=1)
    _, _, soon = inspected(world, deadline_days=4)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        services.rectification_sweep()
        g = login(world.regulator)
        page = g.get("/gov/rectifications/").content.decode()
        assert page.index(late.ref) < page.index(soon.ref)
        assert "已逾期" in page
        xlsx = g.get("/gov/rectifications/?format=xlsx")
        ws = load_workbook(BytesIO(xlsx.content)).active
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == [late.ref, soon.ref]
        assert rows[0][-1] == "是"
        printed = g.get("/gov/rectifications/?print=1").content.decode()
        assert "@page" in printed and late.ref in printed
        overdue = g.get("/gov/rectifications/?status=overdue").content.decode()
        assert late.ref in overdue and soon.ref not in overdue


def test_pages_refuse_wrong_roles(world, login):
    assert login(world.manager_a).get("/gov/inspections/").status_code == 403
    assert login(world.staff_a).get("/rectifications/").status_code == 403
    assert login(world.resident_a).get("/notices/").status_code == 403
    assert login(world.company_admin_a).get("/gov/notices/").status_code == 403


def test_menus(world, login):
    g = login(world.regulator).get("/gov/").content.decode()
    assert "/gov/inspections/" in g and "/gov/rectifications/" in g and "/gov/notices/" in g
    c = login(world.company_admin_a).get("/console/").content.decode()
    assert "/rectifications/" in c and "/notices/" in c


def test_english_page(world, login):
    inspected(world)
    c = login(world.regulator)
    resp = c.get("/gov/rectifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
