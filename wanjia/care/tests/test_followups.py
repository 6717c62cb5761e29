"""Needs-help follow-ups: opened by the outcome with an owner and a due time;
a repair becomes a ticket through the ``tickets.open`` intent when it is
offered (a fake here) and is still recorded and owned when it is not; closed
once with a note; overdue ones told once. And the figures per caretaker."""

from datetime import timedelta

import pytest
import time_machine

from wanjia.care import selectors_duty, services
from wanjia.care.models import FollowUp, FollowUpStatus, Visit
from wanjia.core import intents
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Notification

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_tickets():
    saved = intents._OFFERS.pop("tickets.open", None)
    yield
    intents._OFFERS.pop("tickets.open", None)
    if saved is not None:
        intents._OFFERS["tickets.open"] = saved


@pytest.fixture
def fake_tickets(no_tickets):
    calls = []

    def open_ticket(*, actor, compound, title, description, category=None, unit=None, source=None):
        calls.append(
            {
                "actor": actor,
                "compound": compound,
                "title": title,
                "category": category,
                "unit": unit,
                "source": source,
            }
        )
        return 4242

    intents.offer("tickets.open", open_ticket)
    return calls


@time_machine.travel(at(10), tick=False)
def test_repair_opens_a_ticket_when_offered(care, fake_tickets):
    visit, _esc = services.record_outcome(
        actor=care.staff_a,
        visit=care.v1,
        outcome="needs_help",
        note="水龙头漏水",
        help_kind="repair",
    )
    f = FollowUp.objects.get(visit=visit)
    assert f.ticket_id == 4242 and f.kind == "repair" and f.status == FollowUpStatus.OPEN
    assert f.owner == care.manager_a and f.due_at == at(10) + timedelta(hours=48)
    assert len(fake_tickets) == 1
    call = fake_tickets[0]
    assert call["compound"] == care.a and call["source"] == "care" and call["category"] == "repair"
    assert call["unit"] == care.p1.resident.household
    assert Notification.objects.filter(recipient=care.manager_a, kind="care.needs_help").exists()


@time_machine.travel(at(10), tick=False)
def test_repair_recorded_and_owned_without_tickets(care, no_tickets):
    services.record_outcome(
        actor=care.staff_a, visit=care.v1, outcome="needs_help", note="灯坏了", help_kind="repair"
    )
    f = FollowUp.objects.get(visit=care.v1)
    assert f.ticket_id is None and f.owner == care.manager_a and f.description == "灯坏了"


@time_machine.travel(at(10), tick=False)
def test_referral_needs_a_place_and_service_is_the_default(care, no_tickets):
    with pytest.raises(Invalid) as exc:
        services.record_outcome(
            actor=care.staff_a, visit=care.v1, outcome="needs_help", help_kind="referral"
        )
    assert "referral_to" in exc.value.errors
    assert Visit.objects.get(pk=care.v1.pk).outcome == ""
    services.record_outcome(
        actor=care.staff_a,
        visit=care.v1,
        outcome="needs_help",
        help_kind="referral",
        referral_to="社区卫生站",
    )
    assert FollowUp.objects.get(visit=care.v1).referral_to == "社区卫生站"
    services.record_outcome(actor=care.volunteer_a, visit=care.v2, outcome="needs_help")
    assert FollowUp.objects.get(visit=care.v2).kind == "service"


def test_api_outcome_returns_the_followup(care, fake_tickets, api):
    with time_machine.travel(at(10), tick=False):
        bad = api(care.staff_a).post(
            f"/api/v1/care/visits/{care.v1.pk}/outcome",
            data={"outcome": "needs_help", "help_kind": "nonsense"},
            content_type="application/json",
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "help_kind"
        r = api(care.staff_a).post(
            f"/api/v1/care/visits/{care.v1.pk}/outcome",
            data={"outcome": "needs_help", "note": "门锁坏了", "help_kind": "repair"},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    fu = r.json()["followup"]
    assert fu["kind"] == "repair" and fu["ticket"] == 4242 and fu["owner"] == care.manager_a.pk


def test_close_once_and_overdue_told_once(care, no_tickets, login):
    with time_machine.travel(at(10), tick=False):
        services.record_outcome(actor=care.staff_a, visit=care.v1, outcome="needs_help")
    f = FollowUp.objects.get(visit=care.v1)
    later = f.due_at + timedelta(minutes=5)
    assert services.followups_notify_overdue(now=later) == 1
    assert services.followups_notify_overdue(now=later) == 0
    assert Notification.objects.filter(kind="care.followup_overdue").count() == 1
    with time_machine.travel(later, tick=False):
        page = login(care.manager_a).get(f"/console/care/c/{care.a.pk}/followups/")
        assert "已逾期" in page.content.decode()
        assert selectors_duty.overdue_followups([care.a.pk]).count() == 1
    with pytest.raises(Forbidden):
        services.followup_close(actor=care.volunteer_a, followup=f, note="done")
    with pytest.raises(Invalid):
        services.followup_close(actor=care.manager_a, followup=f, note=" ")
    services.followup_close(actor=care.manager_a, followup=f, note="已联系家政上门")
    with pytest.raises(Conflict):
        services.followup_close(actor=care.manager_a, followup=f, note="again")
    services.followup_reassign(actor=care.manager_a, followup=f, owner=care.staff_a)
    assert FollowUp.objects.get(pk=f.pk).owner == care.staff_a


def test_caretaker_figures(care, login):
    with time_machine.travel(at(10), tick=False):
        care.v1.caretaker = care.staff_a
        care.v1.save()
        services.record_outcome(actor=care.staff_a, visit=care.v1, outcome="no_answer")
        esc = care.v1.escalation
    with time_machine.travel(at(10, 30), tick=False):
        services.escalation_resolve(actor=care.staff_a, escalation=esc, result="safe", note="")
    with time_machine.travel(at(23), tick=False):
        services.escalations_sweep()  # v2 not recorded by the cut-off: missed
        rows = {r["name"]: r for r in selectors_duty.caretaker_figures(care.a, DAY, DAY)}
        mine = rows[care.staff_a.name]
        assert mine["due"] == 1 and mine["on_time_pct"] == 100.0 and mine["escalations"] == 1
        assert mine["median_minutes"] == 30.0
        theirs = rows[care.volunteer_a.name]
        assert theirs["missed"] == 1 and theirs["on_time_pct"] == 0.0
        client = login(care.manager_a)
        page = client.get(f"/console/care/c/{care.a.pk}/caretakers/?start={DAY}&end={DAY}")
        assert page.status_code == 200 and care.staff_a.name in page.content.decode()
        sheet = client.get(f"/console/care/c/{care.a.pk}/caretakers/xlsx/?start={DAY}&end={DAY}")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


def test_phone_needs_help_form_asks_where_to_refer(care, no_tickets, login):
    client = login(care.staff_a)
    with time_machine.travel(at(10), tick=False):
        page = client.get(f"/h5/care/visits/{care.v1.pk}/")
        assert 'name="help_kind"' in page.content.decode()
        url = f"/h5/care/visits/{care.v1.pk}/outcome/"
        bad = client.post(url, {"outcome": "needs_help", "help_kind": "referral"})
        assert bad.status_code == 422 and "转介请写明" in bad.content.decode()
        ok = client.post(
            url, {"outcome": "needs_help", "help_kind": "referral", "referral_to": "民政"}
        )
        assert ok.status_code == 302
        page = client.get(f"/h5/care/visits/{care.v1.pk}/")
        assert 'data-testid="visit-followup"' in page.content.decode()
    assert FollowUp.objects.get(visit=care.v1).referral_to == "民政"
