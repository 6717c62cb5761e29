"""Escalation by the periodic job, with time frozen; red cases; who mediates."""

from datetime import timedelta

import time_machine

from wanjia.core.models import AuditLog, Notification
from wanjia.disputes import services, tasks
from wanjia.disputes.models import CaseEvent, EventKind, Level, Policy
from wanjia.party.models import Branch, Member, Responsibility

from .conftest import T0


def test_timeout_escalates_reassigns_and_notifies(world, leak):
    with time_machine.travel(T0, tick=False) as clock:
        case = leak()
        assert (case.level, case.mediator) == (Level.BUILDING, world.leader_a)
        assert case.due_at == T0 + timedelta(days=3)

        clock.shift(timedelta(days=2, hours=23))
        assert tasks.escalate_overdue_cases.call_local() == 0
        case.refresh_from_db()
        assert case.level == Level.BUILDING

        clock.shift(timedelta(hours=1, minutes=1))
        assert tasks.escalate_overdue_cases.call_local() == 1
        case.refresh_from_db()
        now = T0 + timedelta(days=3, minutes=1)
        assert case.level == Level.COMPOUND
        assert case.mediator == world.secretary_a  # the party secretary before the manager
        assert case.timeouts == 1
        assert case.due_at == now + timedelta(days=7)
        event = case.events.get(kind=EventKind.TIMED_OUT)
        assert (event.from_level, event.to_level, event.actor) == ("building", "compound", None)
        told = Notification.objects.filter(kind="disputes.escalated")
        assert {n.recipient for n in told} == {world.secretary_a, world.manager_a}
        assert all(n.link == f"/console/disputes/{case.pk}/" for n in told)
        assert AuditLog.objects.filter(action="disputes.case.escalated", object_id=str(case.pk))

        # the job is idempotent: nothing moves until the new limit passes
        assert tasks.escalate_overdue_cases.call_local() == 0
        clock.shift(timedelta(days=7))
        assert tasks.escalate_overdue_cases.call_local() == 1
        case.refresh_from_db()
        # no office of the community itself: the city's regulator above it takes it
        assert (case.level, case.mediator) == (Level.COMMUNITY, world.regulator)

        clock.shift(timedelta(days=15))
        tasks.escalate_overdue_cases.call_local()
        clock.shift(timedelta(days=31))
        assert tasks.escalate_overdue_cases.call_local() == 0  # the street is the top
        case.refresh_from_db()
        assert (case.level, case.timeouts, case.status) == (Level.STREET, 3, "pending")


def test_time_limits_are_per_compound(world, leak):
    Policy.objects.create(compound=world.a, building_days=1)
    with time_machine.travel(T0, tick=False) as clock:
        case = leak()
        clock.shift(timedelta(days=1, seconds=1))
        tasks.escalate_overdue_cases.call_local()
        case.refresh_from_db()
        assert case.level == Level.COMPOUND


def test_a_mediator_escalating_first_is_not_escalated_twice(world, leak):
    with time_machine.travel(T0, tick=False) as clock:
        case = leak()
        clock.shift(timedelta(days=3, hours=1))
        services.case_escalate(actor=world.leader_a, case=case, reason="双方分歧大")
        assert tasks.escalate_overdue_cases.call_local() == 0
        case.refresh_from_db()
        assert (case.level, case.timeouts) == (Level.COMPOUND, 0)
        assert case.events.filter(kind=EventKind.ESCALATED).count() == 1
        # an escalation the job had in hand, after the mediator's: a no-op
        stale = type(case).objects.get(pk=case.pk)
        stale.level = Level.BUILDING
        assert services.case_escalate(actor=None, case=stale, timed_out=True).level == "building"
        case.refresh_from_db()
        assert case.level == Level.COMPOUND


def test_resolved_cases_never_escalate(world, leak):
    with time_machine.travel(T0, tick=False) as clock:
        case = leak()
        services.case_resolve(actor=world.leader_a, case=case, resolution="已修好")
        clock.shift(timedelta(days=30))
        assert tasks.escalate_overdue_cases.call_local() == 0


def test_red_risk_goes_to_the_compound_and_reaches_the_community(world, leak, api):
    case = leak(risk="red")
    assert (case.level, case.mediator) == (Level.COMPOUND, world.secretary_a)
    told = set(
        Notification.objects.filter(kind="disputes.opened").values_list("recipient", flat=True)
    )
    assert {world.secretary_a.pk, world.manager_a.pk, world.regulator.pk} <= told
    r = api(world.regulator).get(f"/api/v1/disputes/cases/{case.pk}")
    assert r.status_code == 200


def test_a_building_without_anyone_to_mediate_starts_at_the_compound(world):
    other_building = world.a.buildings.exclude(pk=world.home.building_id).first()
    home = other_building.households.first()
    case = services.case_open(
        actor=world.staff_a,
        compound=world.a,
        category="noise",
        summary="夜间噪音",
        building=other_building,
        households=[home],
    )
    assert case.level == Level.COMPOUND
    assert "暂无" in case.events.get().reason


def test_the_responsible_party_member_mediates_where_there_is_no_leader(world, neighbour):
    other_building = world.a.buildings.exclude(pk=world.home.building_id).first()
    resident = neighbour.resident
    branch = Branch.objects.create(name="幸福里党支部")
    branch.compounds.add(world.a)
    member = Member.objects.create(branch=branch, compound=world.a, resident=resident, name="周敏")
    Responsibility.objects.create(member=member, compound=world.a, building=other_building)
    case = services.case_open(
        actor=world.staff_a,
        compound=world.a,
        category="pets",
        summary="狗在楼道便溺",
        building=other_building,
        company_party=True,
    )
    assert (case.level, case.mediator) == (Level.BUILDING, neighbour)
    assert CaseEvent.objects.filter(case=case, mediator=neighbour).exists()


def test_a_time_out_reads_in_the_readers_language(world, leak, login):
    """The sweep stores no wording of its own: the timeline says why in Chinese
    to a Chinese reader and in English to an English one."""
    from django.utils import translation

    with time_machine.travel(T0, tick=False) as clock:
        case = leak()
        clock.shift(timedelta(days=3, minutes=1))
        assert tasks.escalate_overdue_cases.call_local() == 1
    event = case.events.get(kind=EventKind.TIMED_OUT)
    assert event.reason == ""
    client = login(world.manager_a)
    zh = client.get(f"/console/disputes/{case.pk}/").content.decode()
    assert "楼栋层级超过时限" in zh
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        en = client.get(f"/console/disputes/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Overdue at Building level" in en and "层级超过时限" not in en
