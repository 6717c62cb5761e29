"""Overdue rectification notices: the sweep marks each once and tells the
company, the manager and the inspector once; the conduct rule answers one
deduction per notice overdue in the period, with its ref, url and points.
The notice reminder goes once, a day before the reply deadline."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse

from wanjia.core import conduct
from wanjia.core.models import AuditLog, Notification
from wanjia.supervision.inspections import services
from wanjia.supervision.inspections.models import Rectification, RectStatus
from wanjia.supervision.inspections.setup import OVERDUE_POINTS

from .inspections_helpers import NOW, inspected, jpeg

RULE = "supervision.rectification_overdue"


def _overdue_notes():
    return Notification.objects.filter(kind="supervision.rectification", title__contains="逾期")


@pytest.mark.django_db
def test_sweep_marks_overdue_once_and_deducts(world):
    with time_machine.travel(NOW, tick=False):
        _, _, rect = inspected(world, deadline_days=2)
        _, _, done = inspected(world, deadline_days=2)
        services.evidence_submit(
            actor=world.manager_a, rectification=done, text="已改", photos=[jpeg()]
        )
    # on the deadline day nothing is late yet
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert services.rectification_sweep() == 0
    later = NOW + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        assert services.rectification_sweep() == 1
        assert services.rectification_sweep() == 0
    rect.refresh_from_db()
    assert rect.overdue_on == later.date()
    assert _overdue_notes().filter(recipient=world.manager_a).count() == 1
    assert _overdue_notes().filter(recipient=world.company_admin_a).count() == 1
    assert _overdue_notes().filter(recipient=world.regulator).count() == 1
    assert AuditLog.objects.filter(action="supervision.rectification.overdue").count() == 1

    rule = conduct.rule(RULE)
    assert rule.kind == conduct.BAD
    month = (later.date().replace(day=1), later.date().replace(day=28))
    evidence = rule.collect([world.a.company_id], *month)
    assert len(evidence) == 1
    ev = evidence[0]
    assert ev.ref == f"supervision.rectification:{rect.pk}"
    assert ev.url == reverse("sup_rect_detail", args=[rect.pk])
    assert ev.points == OVERDUE_POINTS
    assert ev.company_id == world.a.company_id and ev.compound_id == world.a.pk
    assert ev.happened_on == later.date()
    # another company, another period: nothing
    assert rule.collect([world.b.company_id], *month) == []
    prev = later.date().replace(day=1) - timedelta(days=1)
    assert rule.collect([world.a.company_id], prev.replace(day=1), prev) == []
    # a fix after the deadline does not undo the deduction, nor count it twice
    with time_machine.travel(later, tick=False):
        services.evidence_submit(
            actor=world.manager_a, rectification=rect, text="迟改", photos=[jpeg()]
        )
        services.rectification_decide(actor=world.regulator, rectification=rect, accept=True)
    assert len(rule.collect([world.a.company_id], *month)) == 1
    with override_settings(SUPERVISION_OVERDUE_RECTIFICATION_POINTS=5):
        assert rule.collect([world.a.company_id], *month)[0].points == 5


@pytest.mark.django_db
def test_reply_reminder_once(world):
    with time_machine.travel(NOW, tick=False):
        notice = services.notice_send(
            actor=world.regulator,
            title="汛期检查",
            body="请报送",
            company_ids=[world.a.company_id, world.b.company_id],
            reply_by=NOW + timedelta(days=2),
        )
        r_b = notice.recipients.get(company_id=world.b.company_id)
        services.notice_reply(actor=world.outsider_b, recipient=r_b, text="已报")
        assert services.notice_remind_sweep() == 0  # two days ahead
    with time_machine.travel(NOW + timedelta(days=1, hours=1), tick=False):
        assert services.notice_remind_sweep() == 1
        assert services.notice_remind_sweep() == 0
    reminders = Notification.objects.filter(kind="supervision.notice", title__contains="前回复")
    assert reminders.filter(recipient=world.company_admin_a).count() == 1
    assert not reminders.filter(recipient=world.outsider_b).exists()  # replied


def _race(n, fn):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=60)
            out = fn()
        except Exception as exc:  # noqa: BLE001 (reported by the caller's assertion)
            barrier.abort()
            out = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_six_sweeps_mark_each_notice_once(world):
    with time_machine.travel(NOW, tick=False):
        inspected(world, deadline_days=1)
        inspected(world, world.b, deadline_days=1)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        results = _race(6, services.rectification_sweep)
    assert sum(r for r in results if isinstance(r, int)) == 2, results
    assert Rectification.objects.filter(overdue_at__isnull=False).count() == 2
    assert _overdue_notes().filter(recipient=world.manager_a).count() == 1
    assert _overdue_notes().filter(recipient=world.outsider_b).count() == 1
    assert AuditLog.objects.filter(action="supervision.rectification.overdue").count() == 2
    assert Rectification.objects.filter(status=RectStatus.OPEN).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_six_reminder_sweeps_remind_once(world):
    with time_machine.travel(NOW, tick=False):
        services.notice_send(
            actor=world.regulator,
            title="汛期检查",
            body="请报送",
            company_ids=[world.a.company_id],
            reply_by=NOW + timedelta(hours=12),
        )
        results = _race(6, services.notice_remind_sweep)
    assert sum(r for r in results if isinstance(r, int)) == 1, results
    reminders = Notification.objects.filter(kind="supervision.notice", title__contains="前回复")
    assert reminders.filter(recipient=world.company_admin_a).count() == 1
