"""Directives: receipts per compound, read when the page is opened,
acknowledged once, a reminder an hour before the deadline (once), overdue
after it."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Notification
from wanjia.emergency import selectors, services
from wanjia.emergency.models import Directive, EventCompound, Receipt

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_issue_read_ack_remind_overdue(flood, login):
    w = flood
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(Forbidden):
            services.directive_issue(actor=w.manager_a, event=w.event, title="x", text="y", hours=2)
        with pytest.raises(Invalid) as exc:
            services.directive_issue(actor=w.regulator, event=w.event, title="", text="", hours="0")
        assert {"title", "text", "hours"} <= set(exc.value.errors)
        d = services.directive_issue(
            actor=w.regulator,
            event=w.event,
            title="加强巡查",
            text="今晚起每两小时巡查一次地库。",
            hours=2,
        )
        assert Receipt.objects.filter(directive=d).count() == 2
        assert services.directive_tell(d.pk) == 2
        assert Notification.objects.filter(
            kind="emergency.directive", recipient=w.manager_a
        ).exists()
        ec = EventCompound.objects.get(event=w.event, compound=w.a)
        assert login(w.staff_a).get(f"/console/emergency/affected/{ec.pk}/").status_code == 200
        mine = Receipt.objects.get(directive=d, compound=w.a)
        assert mine.read_at is not None
        services.receipt_ack(actor=w.staff_a, receipt=mine)
        with pytest.raises(Conflict):
            services.receipt_ack(actor=w.staff_a, receipt=mine)
        with pytest.raises(Forbidden):
            services.receipt_ack(
                actor=w.staff_a, receipt=Receipt.objects.get(directive=d, compound=w.b)
            )
        row = selectors.directives_of(w.regulator, w.event)[0]
        assert (row.total, row.read, row.acked, row.overdue) == (2, 1, 1, False)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert services.directives_remind() == 0  # not yet an hour before
    with time_machine.travel(NOW + timedelta(minutes=70), tick=False):
        assert services.directives_remind() == 1  # B only
        assert services.directives_remind() == 0  # once
    assert Notification.objects.filter(
        kind="emergency.directive_reminder", recipient=w.outsider_b
    ).exists()
    later = timezone.now() + timedelta(hours=3)
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        row = selectors.directives_of(w.regulator, w.event, now=later)[0]
        assert row.overdue
        overdue = list(
            selectors.overdue_receipts(w.regulator, w.event, now=NOW + timedelta(hours=3))
        )
        assert [r.compound_id for r in overdue] == [w.b.pk]
        board = login(w.regulator).get(f"/console/emergency/events/{w.event.pk}/").content.decode()
        assert "加强巡查" in board and "em-directive-row" in board


def test_directive_form_errors_in_place(flood, login):
    w = flood
    r = login(w.regulator).post(
        f"/console/emergency/events/{w.event.pk}/directives/",
        {"title": "", "text": "x", "hours": "abc"},
    )
    assert r.status_code == 422 and Directive.objects.count() == 0
    assert "确认时限应为 1 到 72 小时" in r.content.decode()


def _pdf(name="通知.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% order\n", content_type="application/pdf")


def test_a_directive_carries_a_file_to_its_compounds_only(flood, login):
    w = flood
    with time_machine.travel(NOW, tick=False):
        board = login(w.regulator)
        bad = board.post(
            f"/console/emergency/events/{w.event.pk}/directives/",
            {
                "title": "防汛通知",
                "text": "见附件。",
                "hours": "4",
                "attachment": SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/x"),
            },
        )
        assert bad.status_code == 422 and "文件类型不支持" in bad.content.decode()
        assert not Directive.objects.exists()  # nothing half-saved
        ok = board.post(
            f"/console/emergency/events/{w.event.pk}/directives/",
            {"title": "防汛通知", "text": "见附件。", "hours": "4", "attachment": _pdf()},
        )
        assert ok.status_code == 302
        d = Directive.objects.get()
        assert d.attachment_name == "通知.pdf" and d.attachment.name.endswith(".pdf")
        url = f"/emergency/directives/{d.pk}/file/"
        ec = EventCompound.objects.get(event=w.event, compound=w.a)
        page = login(w.manager_a).get(f"/console/emergency/affected/{ec.pk}/").content.decode()
        assert url in page
        got = login(w.manager_a).get(url)
        assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF-")
        assert "attachment" in got["Content-Disposition"]
        assert login(w.regulator).get(url).status_code == 200
        assert login(w.resident_a).get(url).status_code == 403  # not a responder
        assert login(w.manager_a).get("/emergency/directives/999999/file/").status_code == 404


def test_a_directive_of_another_compounds_event_is_404(flood, login):
    w = flood
    with time_machine.travel(NOW, tick=False):
        other = services.event_open(
            actor=w.regulator, kind="flood", grade=3, title="B 单独的防汛", compound_ids=[w.b.pk]
        )
        services.event_prepare(other.job_id, other.pk)
        d = services.directive_issue(
            actor=w.regulator, event=other, title="只给B", text="B 小区", hours=2, attachment=_pdf()
        )
        assert login(w.manager_a).get(f"/emergency/directives/{d.pk}/file/").status_code == 404
        assert login(w.outsider_b).get(f"/emergency/directives/{d.pk}/file/").status_code == 200
