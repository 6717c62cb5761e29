"""Directives: receipts per compound, read when the page is opened,
acknowledged once, a reminder an hour before the deadline (once), overdue
after it."""

from datetime import timedelta

import pytest
import time_machine
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
