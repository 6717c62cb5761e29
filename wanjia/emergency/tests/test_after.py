"""After the event: the compound's after-action report with its figures read
from the event's records, submitted by the manager and accepted or returned
by the regulator; the city summary rolling them up; nominations of people
and teams, and both as nominable records for supervision."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from wanjia.core import evidence
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.emergency import services
from wanjia.emergency.models import (
    AfterAction,
    AfterStatus,
    Answer,
    ChecklistItem,
    EventCompound,
    Group,
    MaterialRequest,
    Nomination,
    RollCallEntry,
)

from .conftest import NOW

pytestmark = pytest.mark.django_db

TEXT = {"happened": "暴雨三天，地库进水。", "worked": "提前布设沙袋。", "improve": "增加抽水泵。"}


@pytest.fixture
def closed(flood):
    """The flood with some work done, then closed by the regulator."""
    w = flood
    with time_machine.travel(NOW, tick=False):
        items = list(ChecklistItem.objects.filter(event=w.event, compound=w.a))
        for it in items[:3]:
            it.done_at = timezone.now()
            it.save()
        services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty=6, note="平稳", people_moved=4
        )
        RollCallEntry.objects.create(
            event=w.event, compound=w.a, group=Group.VULNERABLE, source="care:1", name="张奶奶"
        )
        RollCallEntry.objects.create(
            event=w.event,
            compound=w.a,
            group=Group.VULNERABLE,
            source="care:2",
            name="李爷爷",
            answer=Answer.SAFE,
        )
        MaterialRequest.objects.create(
            event=w.event, compound=w.a, supply="sandbags", quantity=30, stage="delivered"
        )
        MaterialRequest.objects.create(
            event=w.event, compound=w.a, supply="pumps", quantity=2, stage="need"
        )
        services.event_close(actor=w.regulator, event=w.event, summary="")
    w.ec = EventCompound.objects.get(event=w.event, compound=w.a)
    return w


def test_report_figures_come_from_the_records(closed):
    w = closed
    report = services.after_save(actor=w.manager_a, event=w.event, compound=w.a, **TEXT)
    f = report.figures
    assert f["items_done"] == 3
    assert f["items_total"] == ChecklistItem.objects.filter(event=w.event, compound=w.a).count()
    assert (f["reports_sent"], f["reports_late"], f["people_moved"]) == (1, 0, 4)
    assert (f["vulnerable_safe"], f["vulnerable_unknown"]) == (1, 1)
    assert f["materials_delivered"] == 30  # the pumps still needed are not counted
    assert report.status == AfterStatus.DRAFT


def test_submit_accept_and_return_flow(closed):
    w = closed
    report = services.after_save(
        actor=w.manager_a, event=w.event, compound=w.a, submit=True, **TEXT
    )
    assert report.status == AfterStatus.SUBMITTED and report.submitted_at
    assert Notification.objects.filter(recipient=w.regulator, kind="emergency.after_submitted")
    # submitted: no more edits until it comes back
    with pytest.raises(Conflict):
        services.after_save(actor=w.manager_a, event=w.event, compound=w.a, **TEXT)
    with pytest.raises(Invalid) as exc:
        services.after_return(actor=w.regulator, report=report, reason="  ")
    assert "reason" in exc.value.errors
    services.after_return(actor=w.regulator, report=report, reason="请补充转移安置情况")
    report.refresh_from_db()
    assert report.status == AfterStatus.RETURNED and report.return_reason
    assert Notification.objects.filter(recipient=w.manager_a, kind="emergency.after_reviewed")
    services.after_save(actor=w.manager_a, event=w.event, compound=w.a, submit=True, **TEXT)
    services.after_accept(actor=w.regulator, report=report)
    report.refresh_from_db()
    assert report.status == AfterStatus.ACCEPTED and report.reviewed_by == w.regulator
    with pytest.raises(Conflict):  # accepted once
        services.after_accept(actor=w.regulator, report=report)
    actions = set(
        AuditLog.objects.filter(action__startswith="emergency.after").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "emergency.after.submitted",
        "emergency.after.returned",
        "emergency.after.accepted",
    }


def test_bad_input_is_field_level_and_writes_nothing(closed):
    w = closed
    with pytest.raises(Invalid) as exc:
        services.after_save(
            actor=w.manager_a,
            event=w.event,
            compound=w.a,
            happened="",
            worked="x" * 2001,
            improve="",
            submit=True,
        )
    assert set(exc.value.errors) == {"happened", "worked", "improve"}
    assert not AfterAction.objects.exists()
    with pytest.raises(Invalid) as exc:
        services.nominate(
            actor=w.manager_a, event=w.event, compound=w.a, kind="hero", nominee="", citation=""
        )
    assert set(exc.value.errors) == {"kind", "nominee", "citation"}
    assert not Nomination.objects.exists()


def test_only_after_close_and_only_the_compounds_managers(flood):
    w = flood
    with pytest.raises(Conflict):
        services.after_save(actor=w.manager_a, event=w.event, compound=w.a, **TEXT)
    with pytest.raises(Forbidden):  # staff tick the checklist, the manager writes the report
        services.after_save(actor=w.staff_a, event=w.event, compound=w.a, **TEXT)
    with pytest.raises(Forbidden):
        services.after_save(actor=w.outsider_b, event=w.event, compound=w.a, **TEXT)
    with pytest.raises(Forbidden):
        services.nominate(
            actor=w.staff_a, event=w.event, compound=w.a, kind="team", nominee="x", citation="y"
        )


def test_nominations_by_compound_and_regulator_are_nominable_records(closed):
    w = closed
    report = services.after_save(
        actor=w.manager_a, event=w.event, compound=w.a, submit=True, **TEXT
    )
    mine = services.nominate(
        actor=w.manager_a,
        event=w.event,
        compound=w.a,
        kind="team",
        nominee="1号楼党员先锋队",
        citation="连夜转移底楼老人",
    )
    theirs = services.nominate(
        actor=w.regulator,
        event=w.event,
        compound=w.a,
        kind="volunteer",
        nominee="王师傅",
        citation="抽水十小时",
    )
    assert mine.report == report and not mine.by_regulator and theirs.by_regulator
    told = Notification.objects.filter(kind="emergency.nominated")
    assert told.filter(recipient=w.regulator).count() == 1  # of the compound's nomination
    assert told.filter(recipient=w.manager_a).count() == 1  # of the regulator's
    rec = evidence.find(w.manager_a, f"emergency.nomination:{mine.pk}")
    assert rec.compound_id == w.a.pk and rec.company_id == w.a.company_id
    assert rec.people == "1号楼党员先锋队" and rec.url.endswith(f"/affected/{w.ec.pk}/after/")
    assert evidence.find(w.regulator, f"emergency.nomination:{mine.pk}") is not None
    assert evidence.find(w.outsider_b, f"emergency.nomination:{mine.pk}") is None
    assert evidence.find(w.resident_a, f"emergency.nomination:{mine.pk}") is None
    recent = evidence.sources()["emergency.nomination"].recent([w.a.pk], date(2026, 7, 1))
    assert {r.id for r in recent} == {mine.pk, theirs.pk}
    assert evidence.sources()["emergency.nomination"].recent([w.b.pk], date(2026, 7, 1)) == []
    assert evidence.sources()["emergency.nomination"].recent([w.a.pk], date(2026, 8, 1)) == []
    # a report is a record once it is accepted
    assert evidence.find(w.manager_a, f"emergency.after_action:{report.pk}") is None
    services.after_accept(actor=w.regulator, report=report)
    assert evidence.find(w.manager_a, f"emergency.after_action:{report.pk}").people == w.a.name


def test_pages_per_role(closed, login):
    w = closed
    url = f"/console/emergency/affected/{w.ec.pk}/after/"
    page = login(w.manager_a).get(url)
    assert page.status_code == 200 and 'data-testid="em-after-submit"' in page.content.decode()
    r = login(w.manager_a).post(url, {"happened": "", "worked": "", "improve": "", "submit": "1"})
    assert r.status_code == 422 and "请写明经过" in r.content.decode()
    assert not AfterAction.objects.exists()
    r = login(w.manager_a).post(url, {**TEXT, "submit": "1"})
    assert r.status_code == 302
    report = AfterAction.objects.get()
    assert report.status == AfterStatus.SUBMITTED
    # staff read it, write nothing
    page = login(w.staff_a).get(url).content.decode()
    assert TEXT["worked"] in page and "em-after-submit" not in page and "em-nominate" not in page
    assert login(w.staff_a).post(url, {**TEXT, "submit": "0"}).status_code == 403
    r = login(w.manager_a).post(
        f"/console/emergency/affected/{w.ec.pk}/nominate/",
        {"kind": "team", "nominee": "", "citation": "x"},
    )
    assert r.status_code == 422 and "请填写被推荐人或队伍" in r.content.decode()
    # the regulator's city page rolls them up, accepts, and writes the summary
    gov = login(w.regulator)
    page = gov.get(f"/console/emergency/events/{w.event.pk}/after/").content.decode()
    assert "em-after-accept" in page and "已验收 0，待验收 1" in page
    r = gov.post(f"/console/emergency/after/{report.pk}/review/", {"decision": "return"})
    assert r.status_code == 422 and "退回时请写明" in r.content.decode()
    r = gov.post(f"/console/emergency/after/{report.pk}/review/", {"decision": "accept"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == AfterStatus.ACCEPTED
    r = gov.post(f"/console/emergency/events/{w.event.pk}/after/", {"summary": ""})
    assert r.status_code == 422
    gov.post(f"/console/emergency/events/{w.event.pk}/after/", {"summary": "全市平稳度汛。"})
    w.event.refresh_from_db()
    assert w.event.summary == "全市平稳度汛。"
    assert (
        login(w.manager_a).get(f"/console/emergency/events/{w.event.pk}/after/").status_code == 403
    )
    r = gov.get(f"/console/emergency/events/{w.event.pk}/after.xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = list(load_workbook(BytesIO(r.content)).active.iter_rows(values_only=True))
    assert sheet[0][:3] == ("小区", "状态", "完成清单项")
    assert [row[0] for row in sheet[1:]] == sorted([w.a.name, w.b.name])
    row_a = next(row for row in sheet[1:] if row[0] == w.a.name)
    assert row_a[1] == "已验收" and row_a[2] == 3 and TEXT["worked"] in row_a
    assert AuditLog.objects.filter(action="emergency.after.exported").exists()
    assert (
        login(w.manager_a).get(f"/console/emergency/events/{w.event.pk}/after.xlsx").status_code
        == 403
    )
    board = gov.get(f"/console/emergency/events/{w.event.pk}/").content.decode()
    assert "em-after-event-link" in board
