from datetime import date, timedelta

import pytest
import time_machine

from wanjia.care import services
from wanjia.care.models import (
    CarePerson,
    Escalation,
    EscalationStatus,
    Visit,
    VisitStatus,
)
from wanjia.core.audit import AuditLog
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Notification

from .conftest import DAY, MORNING, at

pytestmark = pytest.mark.django_db


def test_health_notes_and_contacts_are_encrypted_at_rest(care):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "select health_notes, emergency_contacts from care_careperson where id = %s",
            [care.p1.pk],
        )
        health, contacts = cur.fetchone()
    assert health.startswith("enc1:") and "高血压" not in health
    assert contacts.startswith("enc1:") and "13911112222" not in contacts
    assert CarePerson.objects.get(pk=care.p1.pk).contacts[0]["phone"] == "13911112222"


def test_generation_is_idempotent(care):
    assert Visit.objects.filter(date=DAY).count() == 3
    assert services.visits_generate(DAY) == 0
    assert Visit.objects.filter(date=DAY).count() == 3
    assert care.v1.caretaker == care.staff_a
    assert care.v1.due_by == at(20)


def test_levels_set_the_rhythm(care):
    services.person_update(actor=care.manager_a, person=care.p1, level="weekly")
    services.person_update(actor=care.manager_a, person=care.p2, level="custom", custom_days=3)
    made = {d: set() for d in range(1, 15)}
    for d in range(1, 15):
        day = date(2026, 3, d)
        services.visits_generate(day)
        made[d] = set(Visit.objects.filter(date=day).values_list("person_id", flat=True))
    weekly = [d for d in made if care.p1.pk in made[d]]
    custom = [d for d in made if care.p2.pk in made[d]]
    assert weekly == [1, 8, 10]  # 10: made by the fixture while daily
    assert custom == [1, 4, 7, 10, 13]


def test_absence_pauses_visits(care):
    services.absence_add(
        actor=care.manager_a,
        person=care.p1,
        starts_on=DAY + timedelta(days=1),
        ends_on=DAY + timedelta(days=2),
        reason="住院",
    )
    for d in range(1, 4):
        services.visits_generate(DAY + timedelta(days=d))
    days = set(care.p1.visits.values_list("date", flat=True))
    assert days == {DAY, DAY + timedelta(days=3)}


def test_absence_field_errors(care):
    with pytest.raises(Invalid) as exc:
        services.absence_add(
            actor=care.manager_a,
            person=care.p1,
            starts_on=DAY,
            ends_on=DAY - timedelta(1),
            reason="",
        )
    assert set(exc.value.errors) == {"ends_on", "reason"}


def test_periodic_job_waits_for_six(care):
    tomorrow = DAY + timedelta(days=1)
    assert services.visits_generate_due(now=at(5, 59, tomorrow)) == 0
    assert not Visit.objects.filter(date=tomorrow).exists()
    assert services.visits_generate_due(now=at(6, 1, tomorrow)) == 3
    assert services.visits_generate_due(now=at(6, 5, tomorrow)) == 0


def test_one_outcome_per_visit(care):
    stale = Visit.objects.get(pk=care.v1.pk)
    with time_machine.travel(MORNING, tick=False):
        services.record_outcome(actor=care.staff_a, visit=care.v1, outcome="well")
        with pytest.raises(Conflict):
            services.record_outcome(actor=care.secretary_a, visit=stale, outcome="no_answer")
    v = Visit.objects.get(pk=care.v1.pk)
    assert (v.outcome, v.recorded_by) == ("well", care.staff_a)
    assert not Escalation.objects.exists()


def test_outcome_field_errors_and_roles(care):
    with pytest.raises(Invalid) as exc:
        services.record_outcome(actor=care.staff_a, visit=care.v1, outcome="fine", mode="fax")
    assert set(exc.value.errors) == {"outcome", "mode"}
    with pytest.raises(Forbidden):  # the volunteer is not 张伟's caretaker
        services.record_outcome(actor=care.volunteer_a, visit=care.v1, outcome="well")
    with pytest.raises(Forbidden):
        services.record_outcome(actor=care.resident_a, visit=care.v1, outcome="well")
    assert Visit.objects.get(pk=care.v1.pk).outcome == ""


def _open(care):
    with time_machine.travel(at(9), tick=False):
        _v, esc = services.record_outcome(actor=care.staff_a, visit=care.v1, outcome="no_answer")
    return esc


def test_no_answer_opens_step_one(care):
    esc = _open(care)
    assert (esc.step, esc.owner, esc.due_at) == (1, care.staff_a, at(10))
    assert Notification.objects.filter(recipient=care.staff_a, kind="care.escalation").count() == 1


def test_each_step_fires_once_at_its_time(care):
    esc = _open(care)
    expected = [
        (at(9, 59), 1, care.staff_a),
        (at(10), 2, care.staff_a),  # +60: the emergency contacts
        (at(10, 30), 2, care.staff_a),
        (at(11), 3, care.manager_a),  # +2 h: the manager
        (at(14, 59), 3, care.manager_a),
        (at(15), 4, care.secretary_a),  # +6 h: the community (the secretary)
        (at(17), 5, care.manager_a),  # +8 h: the police
        (at(19, 30), 5, care.manager_a),
    ]
    for when, step, owner in expected:
        for _twice in range(2):
            services.escalations_sweep(now=when)
        esc.refresh_from_db()
        assert (esc.step, esc.owner) == (step, owner), when
    assert [h["step"] for h in esc.history] == [1, 2, 3, 4, 5]
    stepped = AuditLog.objects.filter(action="care.escalation.stepped", object_id=str(esc.pk))
    assert stepped.count() == 4
    notes = Notification.objects.filter(kind="care.escalation")
    assert notes.filter(recipient=care.manager_a).count() == 2  # steps 3 and 5
    assert notes.filter(recipient=care.secretary_a).count() == 1


def test_late_sweep_fires_missed_steps_each_once(care):
    esc = _open(care)
    services.escalations_sweep(now=at(12))
    esc.refresh_from_db()
    assert esc.step == 3
    assert esc.due_at == at(15)
    assert AuditLog.objects.filter(action="care.escalation.stepped").count() == 2


def test_safe_stops_the_chain(care):
    esc = _open(care)
    services.escalations_sweep(now=at(10))
    services.escalation_resolve(actor=care.staff_a, escalation=esc, result="safe", note="在女儿家")
    services.escalations_sweep(now=at(23))
    esc.refresh_from_db()
    assert (esc.status, esc.step, esc.result) == (EscalationStatus.RESOLVED, 2, "safe")
    with pytest.raises(Conflict):
        services.escalation_resolve(actor=care.manager_a, escalation=esc, result="safe")


def test_resolve_field_errors(care):
    esc = _open(care)
    with pytest.raises(Invalid) as exc:
        services.escalation_resolve(actor=care.staff_a, escalation=esc, result="maybe")
    assert "result" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        services.escalation_resolve(actor=care.staff_a, escalation=esc, result="other", note="")
    assert "note" in exc.value.errors
    with pytest.raises(Forbidden):
        services.escalation_resolve(actor=care.volunteer_a, escalation=esc, result="safe")


def test_cutoff_turns_an_unrecorded_visit_into_an_escalation(care):
    services.record_outcome(actor=care.volunteer_a, visit=care.v2, outcome="well")
    assert services.escalations_sweep(now=at(19, 59))["opened"] == 0
    result = services.escalations_sweep(now=at(20))
    assert result["opened"] == 2  # 张伟 (A) and 王芳 (B); 李娜 was recorded
    assert services.escalations_sweep(now=at(20, 1))["opened"] == 0
    v1 = Visit.objects.get(pk=care.v1.pk)
    assert v1.status == VisitStatus.MISSED
    esc = v1.escalation
    assert esc.unrecorded and esc.opened_at == at(20) and esc.step == 1
    assert Notification.objects.filter(recipient=care.manager_a, kind="care.escalation").exists()
    # recorded late as well: the chain is resolved as safe
    with time_machine.travel(at(20, 30), tick=False):
        services.record_outcome(actor=care.staff_a, visit=v1, outcome="well", note="晚上到家了")
    esc.refresh_from_db()
    assert (esc.status, esc.result) == (EscalationStatus.RESOLVED, "safe")


def test_health_read_is_audited_and_masked_for_volunteers(care):
    assert services.health_read(actor=care.staff_a, person=care.p1) == "高血压，每天早晚服药"
    assert AuditLog.objects.filter(action="care.health.read", actor=care.staff_a).count() == 1
    assert services.health_read(actor=care.volunteer_a, person=care.p2) is None
    assert services.health_read(actor=care.staff_a, person=care.p2) is None  # not assigned
    assert not AuditLog.objects.filter(action="care.health.read", actor=care.volunteer_a).exists()


def test_reveal_contact_is_audited(care):
    assert services.contact_reveal(actor=care.staff_a, person=care.p1, index=0) == "13911112222"
    assert AuditLog.objects.filter(action="care.contact.revealed").count() == 1
    with pytest.raises(Forbidden):
        services.contact_reveal(actor=care.volunteer_a, person=care.p1, index=0)


def test_person_field_errors(care):
    from wanjia.estates.models import Resident

    other = Resident.objects.filter(compound=care.a).exclude(care__isnull=False).first()
    with pytest.raises(Invalid) as exc:
        services.person_create(
            actor=care.manager_a,
            compound=care.a,
            resident=care.p1.resident,
            reason="x",
            level="custom",
            custom_days=0,
            contacts=[{"name": "甲", "phone": "123"}],
            caretakers=[care.resident_a],
        )
    assert {"reason", "custom_days", "contacts", "caretakers"} <= set(exc.value.errors)
    with pytest.raises(Invalid) as exc:
        services.person_create(
            actor=care.manager_a, compound=care.a, resident=care.p1.resident, reason="alone"
        )
    assert "resident" in exc.value.errors
    with pytest.raises(Forbidden):
        services.person_create(actor=care.staff_a, compound=care.a, resident=other, reason="alone")


def test_figures(care):
    from wanjia.core import figures

    with time_machine.travel(at(8), tick=False):
        services.record_outcome(actor=care.volunteer_a, visit=care.v2, outcome="well")
    esc = _open(care)
    with time_machine.travel(at(10, 30), tick=False):
        services.escalation_resolve(actor=care.staff_a, escalation=esc, result="safe")
    services.escalations_sweep(now=at(20, 5))
    with time_machine.travel(at(21), tick=False):
        ids = [care.a.pk]
        assert figures.figure("care.on_time").compute(ids, DAY, DAY) == 1.0
        assert figures.figure("care.missed").compute(ids, DAY, DAY) == 0
        assert figures.figure("care.escalations").compute(ids, DAY, DAY) == 1
        assert figures.figure("care.minutes_to_reached").compute(ids, DAY, DAY) == 90
        assert figures.figure("care.missed").compute([care.b.pk], DAY, DAY) == 1
        assert figures.figure("care.people_overdue").compute([care.b.pk], DAY, DAY) == 1


def test_chain_timings_per_compound(care):
    from datetime import time

    with pytest.raises(Invalid) as exc:
        services.settings_set(
            actor=care.manager_a, compound=care.a, contacts_after="30", manager_after="20"
        )
    assert set(exc.value.errors) == {"manager_after"}
    with pytest.raises(Forbidden):
        services.settings_set(actor=care.staff_a, compound=care.a, contacts_after="30")
    services.settings_set(
        actor=care.manager_a,
        compound=care.a,
        contacts_after="30",
        manager_after="90",
        community_after="240",
        police_after="300",
        cutoff=time(19),
    )
    esc = _open(care)
    assert esc.due_at == at(9, 30)
    services.escalations_sweep(now=at(10, 30))
    esc.refresh_from_db()
    assert (esc.step, esc.owner) == (3, care.manager_a)
    services.visits_generate(DAY + timedelta(days=1))
    assert care.p1.visits.get(date=DAY + timedelta(days=1)).due_by == at(
        19, 0, DAY + timedelta(days=1)
    )
