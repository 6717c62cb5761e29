"""Opening (the job, idempotency, the area a district officer may open),
checklists, daily reports, the chase, the roll call and closing."""

from datetime import datetime
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wanjia.core import intents
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Job, JobStatus, Notification
from wanjia.emergency import selectors, services
from wanjia.emergency.models import (
    Answer,
    ChecklistItem,
    DailyReport,
    Event,
    EventCompound,
    Group,
    RollCallEntry,
    Status,
)

from .conftest import NOW, district_officer, open_event

pytestmark = pytest.mark.django_db


def jpeg(name="p.jpg"):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def at(hour, minute=0, day=14):
    return timezone.make_aware(datetime(2026, 7, day, hour, minute))


def test_opening_answers_at_once_and_the_job_makes_checklists_and_notices(world):
    event = services.event_open(
        actor=world.regulator, kind="flood", grade=2, title="防汛", compound_ids=[world.a.pk]
    )
    assert event.status == Status.OPENING
    assert ChecklistItem.objects.count() == 0  # nothing heavy in the request
    assert Job.objects.get(pk=event.job_id).status == JobStatus.QUEUED
    result = services.event_prepare(event.job_id, event.pk)
    event.refresh_from_db()
    assert event.status == Status.OPEN
    assert result["compounds"] == 1 and result["items"] == 5
    codes = list(ChecklistItem.objects.filter(event=event).values_list("code", flat=True))
    assert codes == ["basements", "pumps", "sandbags", "vulnerable_moved", "power_rooms"]
    assert ChecklistItem.objects.filter(event=event, owner=world.manager_a).count() == 5
    told = set(
        Notification.objects.filter(kind="emergency.opened").values_list("recipient", flat=True)
    )
    assert {
        world.manager_a.pk,
        world.secretary_a.pk,
        world.staff_a.pk,
        world.company_admin_a.pk,
    } <= told
    assert world.outsider_b.pk not in told
    job = Job.objects.get(pk=event.job_id)
    assert job.status == JobStatus.DONE and job.progress == job.total == 1
    # a second delivery of the task does nothing twice
    assert services.event_prepare(event.job_id, event.pk) is None
    assert ChecklistItem.objects.filter(event=event).count() == 5


def test_epidemic_template(world):
    event = open_event(world, compounds=[world.a.pk], kind="epidemic")
    assert list(event.items.values_list("code", flat=True)) == [
        "gate_duty",
        "contactless_supply",
        "disinfection",
        "isolation_care",
    ]


def test_region_event_covers_every_compound_under_it(world):
    city = world.a.community.parent.parent.parent
    event = open_event(world, region=city.pk)
    assert event.area == "city"
    assert set(event.affected.values_list("compound_id", flat=True)) == {world.a.pk, world.b.pk}


def test_manager_may_not_open(world):
    with pytest.raises(Forbidden):
        services.event_open(
            actor=world.manager_a, kind="flood", grade=2, title="x", compound_ids=[world.a.pk]
        )
    assert Event.objects.count() == 0


def test_district_officer_opens_only_in_own_district(world):
    officer = district_officer(world)
    event = open_event(world, compounds=[world.a.pk], actor=officer)
    assert event.owner_region == world.a.community.parent.parent
    with pytest.raises(Invalid) as exc:
        services.event_open(
            actor=officer, kind="flood", grade=2, title="x", compound_ids=[world.b.pk]
        )
    assert "compounds" in exc.value.errors
    with pytest.raises(Forbidden):
        services.event_open(
            actor=officer, kind="flood", grade=2, title="x", region_id=world.b.community.parent.pk
        )
    # the city-wide event is closed by the city, not the district
    city_event = open_event(world, compounds=[world.a.pk, world.b.pk])
    with pytest.raises(Forbidden):
        services.event_close(actor=officer, event=city_event)
    # the district officer sees its own compounds only
    rows = selectors.status_rows(officer, city_event)
    assert [r["id"] for r in rows] == [world.a.pk]


def test_bad_input_is_field_errors(world):
    with pytest.raises(Invalid) as exc:
        services.event_open(
            actor=world.regulator, kind="war", grade=9, title="", compound_ids=["x"]
        )
    assert {"kind", "grade", "title"} <= set(exc.value.errors)
    with pytest.raises(Invalid) as exc:
        services.event_open(actor=world.regulator, kind="flood", grade=1, title="x")
    assert "compounds" in exc.value.errors


def test_tick_item_with_photo_once(flood):
    w = flood
    item = ChecklistItem.objects.filter(event=w.event, compound=w.a).first()
    with pytest.raises(Invalid):
        services.item_done(actor=w.staff_a, item=item, photo=None)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(Invalid) as exc:
        services.item_done(actor=w.staff_a, item=item, photo=bad)
    assert "photo" in exc.value.errors
    services.item_done(actor=w.staff_a, item=item, photo=jpeg(), note="已查")
    item.refresh_from_db()
    assert item.done_at and item.done_by == w.staff_a and item.photo.name.endswith(".jpg")
    with pytest.raises(Conflict):
        services.item_done(actor=w.staff_a, item=item, photo=jpeg())
    with pytest.raises(Forbidden):
        other = ChecklistItem.objects.filter(event=w.event, compound=w.b).first()
        services.item_done(actor=w.staff_a, item=other, photo=jpeg())


def test_second_report_same_day_updates_the_first(flood):
    w = flood
    with time_machine.travel(at(17), tick=False):
        first, created = services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty=6, note="平稳"
        )
        assert created and not first.late
    with time_machine.travel(at(19), tick=False):
        again, created = services.report_submit(
            actor=w.staff_a, event=w.event, compound=w.a, on_duty=8, note="加岗", people_moved=3
        )
    assert not created and again.pk == first.pk
    assert again.on_duty == 8 and again.people_moved == 3 and not again.late
    assert DailyReport.objects.filter(event=w.event, compound=w.a).count() == 1
    # the same report sent again changes nothing, not even who sent it and when
    with time_machine.travel(at(20), tick=False):
        same, created = services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty=8, note="加岗", people_moved=3
        )
    assert not created and same.pk == first.pk
    assert (same.submitted_by, same.submitted_at) == (w.staff_a, again.submitted_at)
    with time_machine.travel(at(9, day=15), tick=False):
        _next, created = services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty=5, note="次日"
        )
    assert created


def test_report_refuses_bad_numbers_by_field(flood):
    w = flood
    with pytest.raises(Invalid) as exc:
        services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty="-1", note="", incidents="x"
        )
    assert {"on_duty", "note", "incidents"} <= set(exc.value.errors)
    assert DailyReport.objects.count() == 0


def test_missing_reports_chased_once_after_deadline(flood):
    w = flood
    with time_machine.travel(at(17), tick=False):
        assert services.reports_chase() == 0  # before 18:00
    with time_machine.travel(at(18, 5), tick=False):
        services.report_submit(actor=w.manager_a, event=w.event, compound=w.a, on_duty=3, note="x")
        assert services.reports_chase() == 1  # B only
        assert services.reports_chase() == 0  # once
    notes = Notification.objects.filter(kind="emergency.report_missing")
    assert set(notes.values_list("recipient", flat=True)) == {w.outsider_b.pk}
    with time_machine.travel(at(18, 5, day=15), tick=False):
        assert services.reports_chase() == 2  # the next day again, once each


def test_roll_call_through_intents(world, monkeypatch):
    offered = {
        "party.vanguard_people": lambda c: (
            [{"source": "party.member:1", "name": "党员甲", "user_id": world.volunteer_a.pk}]
            if c.pk == world.a.pk
            else []
        ),
        "care.vulnerable_people": lambda c: (
            [
                {"source": "care.person:1", "name": "张奶奶"},
                {"source": "care.person:2", "name": "李爷爷"},
            ]
            if c.pk == world.a.pk
            else []
        ),
    }
    monkeypatch.setattr(intents, "_OFFERS", {**intents._OFFERS, **offered})
    with time_machine.travel(NOW, tick=False):
        event = open_event(world, compounds=[world.a.pk])
    assert RollCallEntry.objects.filter(event=event, group=Group.VULNERABLE).count() == 2
    responder = RollCallEntry.objects.get(event=event, group=Group.RESPONDER)
    assert Notification.objects.filter(
        recipient=world.volunteer_a, kind="emergency.roll_call"
    ).exists()
    services.roll_answer(actor=world.volunteer_a, entry=responder, answer="safe", can_serve="1")
    responder.refresh_from_db()
    assert responder.answer == Answer.SAFE and responder.can_serve is True
    grandma = RollCallEntry.objects.get(event=event, name="张奶奶")
    with pytest.raises(Forbidden):
        services.roll_answer(actor=world.volunteer_a, entry=grandma, answer="safe")
    services.roll_answer(actor=world.staff_a, entry=grandma, answer="needs_help")
    row = selectors.status_rows(world.regulator, event)[0]
    assert row["roll_call"] == {"safe": 0, "needs_help": 1, "unknown": 1}
    with pytest.raises(Invalid):
        services.roll_answer(actor=world.staff_a, entry=grandma, answer="maybe")


def test_close_once_and_banner_question(flood):
    w = flood
    assert services.active_for(w.a.pk)[0]["id"] == w.event.pk
    assert intents.ask("emergency.active_for", w.a.pk, default=[])
    services.event_close(actor=w.regulator, event=w.event, summary="平稳度汛")
    assert Event.objects.get(pk=w.event.pk).status == Status.CLOSED
    with pytest.raises(Conflict):
        services.event_close(actor=w.regulator, event=w.event)
    assert services.active_for(w.a.pk) == []
    item = ChecklistItem.objects.filter(event=w.event, compound=w.a).first()
    with pytest.raises(Conflict):
        services.item_done(actor=w.staff_a, item=item, photo=jpeg())


def test_job_resumes_after_a_dead_worker(world):
    event = services.event_open(
        actor=world.regulator,
        kind="flood",
        grade=2,
        title="x",
        compound_ids=[world.a.pk, world.b.pk],
    )
    # a worker prepared A, then died; the rerun prepares B only
    ec = EventCompound.objects.get(event=event, compound=world.a)
    services.events._prepare_batch(event, [ec])
    services.event_prepare(event.job_id, event.pk)
    assert ChecklistItem.objects.filter(event=event).count() == 10
    assert (
        Notification.objects.filter(kind="emergency.opened", recipient=world.manager_a).count() == 1
    )
