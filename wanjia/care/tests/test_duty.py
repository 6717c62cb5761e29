"""24-hour duty: the roster built by the shared engine (two 12-hour shifts,
one person each, no day shift after a night), leave kept, hand edits saved
and re-checked, the on-duty board (now / next, masked phones, audited
reveal), handovers written by the outgoing person and acknowledged once by the
incoming one, the pages and the today card."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from wanjia.care import selectors_duty
from wanjia.care.models import DutyLeave, DutyShift, Handover
from wanjia.care.services import duty
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog
from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user

pytestmark = pytest.mark.django_db
START = date(2026, 3, 2)  # a Monday
NOW = timezone.make_aware(datetime(2026, 3, 1, 10, 0))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def team(world):
    """staff_a and four more staff in compound A (five on duty)."""
    world.staff_a.phone = "13800001111"
    world.staff_a.save()
    world.crew = [world.staff_a] + [
        grant(make_user(display_name=f"值班员{n}", phone=f"1390000000{n}"), Role.STAFF, world.a)
        for n in range(4)
    ]
    return world


def _put(world, user, day, shift):
    starts, ends = duty.SHIFT_BY_KEY[shift].times(day)
    return DutyShift.objects.create(
        compound=world.a, date=day, shift=shift, starts_at=starts, ends_at=ends, user=user
    )


def test_problem_two_twelve_hour_shifts_and_leave(team):
    DutyLeave.objects.create(compound=team.a, user=team.crew[1], start=START, end=START)
    problem = duty.build_problem(team.a, START, 7)
    assert [s.key for s in problem.shifts] == ["day", "night"]
    assert [s.length_minutes for s in problem.shifts] == [720, 720]
    assert len(problem.guards) == 5
    assert {g.key: g.leave for g in problem.guards}[str(team.crew[1].pk)] == {START}
    assert ("night", 1, "day") in problem.rest_conflicts()  # night ends 08:00 = day starts


@time_machine.travel(NOW, tick=False)
def test_build_covers_every_shift_once_and_keeps_the_rules(team):
    DutyLeave.objects.create(compound=team.a, user=team.crew[2], start=START, end=START)
    result = duty.duty_build(compound=team.a, start=START, days=7, seconds=5)
    assert result["status"] in ("optimal", "feasible"), result["reasons"]
    assert result["saved"] == 14
    rows = DutyShift.objects.filter(compound=team.a)
    for n in range(7):
        d = START + timedelta(days=n)
        assert rows.filter(date=d, shift="day").count() == 1
        assert rows.filter(date=d, shift="night").count() == 1
    assert not rows.filter(user=team.crew[2], date=START).exists()
    assert duty.problems_in(team.a, START, 7) == []
    night = rows.filter(shift="night").first()
    assert timezone.localtime(night.ends_at).hour == 8
    assert night.ends_at - night.starts_at == timedelta(hours=12)


@time_machine.travel(NOW, tick=False)
def test_too_few_people_is_explained_and_nothing_stored(world):
    result = duty.duty_build(compound=world.a, start=START, days=7, seconds=2)
    assert result["saved"] == 0 and result["status"] == "infeasible"
    sentences = duty.describe_all(result["reasons"], result["people"])
    assert sentences and any("缺人" in s or "不够" in s for s in sentences)
    assert not DutyShift.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_request_queues_a_job_and_refuses_bad_input(team):
    with pytest.raises(Forbidden):
        duty.duty_request(actor=team.staff_a, compound=team.a, start=START, days=7)
    with pytest.raises(Invalid) as exc:
        duty.duty_request(actor=team.manager_a, compound=team.a, start=START, days=99)
    assert "days" in exc.value.errors
    job = duty.duty_request(actor=team.manager_a, compound=team.a, start=START, days=7)
    assert job.kind == duty.JOB_KIND
    result = duty.duty_run(job.pk, team.a.pk, START.isoformat(), 7)
    assert result["saved"] == 14
    assert duty.duty_run(job.pk, team.a.pk, START.isoformat(), 7) is None  # claimed once


@time_machine.travel(NOW, tick=False)
def test_hand_edit_saved_and_flags_rule_broken(team):
    _put(team, team.crew[0], START, "night")
    broken = duty.duty_edit(
        actor=team.manager_a,
        compound=team.a,
        day=START + timedelta(days=1),
        shift="day",
        user_id=team.crew[0].pk,
        assign=True,
    )
    assert DutyShift.objects.filter(user=team.crew[0], date=START + timedelta(days=1)).exists()
    assert "rest" in {r["code"] for r in broken}
    with pytest.raises(Invalid):
        duty.duty_edit(
            actor=team.manager_a,
            compound=team.a,
            day=START,
            shift="noon",
            user_id=team.resident_a.pk,
            assign=True,
        )


def test_leave_and_team(team):
    with pytest.raises(Invalid) as exc:
        duty.leave_add(
            actor=team.manager_a,
            compound=team.a,
            user_id=team.crew[1].pk,
            start=START,
            end=START - timedelta(days=1),
        )
    assert "end" in exc.value.errors
    leave = duty.leave_add(
        actor=team.manager_a, compound=team.a, user_id=team.crew[1].pk, start=START, end=START
    )
    duty.leave_remove(actor=team.manager_a, leave=leave)
    assert not DutyLeave.objects.exists()
    chosen = duty.team_set(
        actor=team.manager_a, compound=team.a, user_ids=[u.pk for u in team.crew[:4]]
    )
    assert {u.pk for u in chosen} == {u.pk for u in team.crew[:4]}
    with pytest.raises(Invalid):
        duty.team_set(actor=team.manager_a, compound=team.a, user_ids=[team.resident_a.pk])
    with pytest.raises(Forbidden):
        duty.team_set(actor=team.staff_a, compound=team.a, user_ids=[])


def test_board_now_next_and_masked_phone(team):
    day = START
    _put(team, team.crew[0], day, "day")
    _put(team, team.crew[1], day, "night")
    with time_machine.travel(at(day, 12), tick=False):
        board = selectors_duty.board(team.a)
    assert [p["name"] for p in board["current"]] == [team.crew[0].name]
    assert [p["name"] for p in board["next"]] == [team.crew[1].name]
    assert board["current"][0]["phone"] == "138****1111"
    shift = board["current"][0]["shift"]
    assert duty.phone_reveal(actor=team.volunteer_a, shift=shift) == "13800001111"
    assert AuditLog.objects.filter(action="care.duty.phone_revealed").count() == 1
    with pytest.raises(Forbidden):
        duty.phone_reveal(actor=team.resident_a, shift=shift)


def test_handover_written_by_outgoing_acknowledged_once_by_incoming(team):
    day = START
    _put(team, team.crew[0], day, "day")
    _put(team, team.crew[1], day, "night")
    with time_machine.travel(at(day, 19, 50), tick=False):
        with pytest.raises(Forbidden):
            duty.handover_write(actor=team.crew[3], compound=team.a, text="x")
        with pytest.raises(Invalid):
            duty.handover_write(actor=team.crew[0], compound=team.a, text="  ")
        note = duty.handover_write(
            actor=team.crew[0], compound=team.a, text="3栋张伟今天说头晕，夜里再打一次电话"
        )
        assert (note.date, note.shift) == (day, "day")
        with pytest.raises(Forbidden):
            duty.handover_acknowledge(actor=team.crew[3], handover=note)
        duty.handover_acknowledge(actor=team.crew[1], handover=note)
        with pytest.raises(Conflict):
            duty.handover_acknowledge(actor=team.crew[1], handover=note)
    note.refresh_from_db()
    assert note.acknowledged_by == team.crew[1]
    assert not Handover.objects.filter(acknowledged_at__isnull=True).exists()


def test_pages_board_print_xlsx_and_today_card(team, login):
    day = START
    _put(team, team.crew[1], day, "day")
    _put(team, team.staff_a, day, "night")
    with time_machine.travel(at(day, 19), tick=False):
        duty.handover_write(actor=team.crew[1], compound=team.a, text="交班：一切正常")
        manager = login(team.manager_a)
        page = manager.get(f"/console/care/c/{team.a.pk}/board/")
        assert page.status_code == 200
        text = page.content.decode()
        assert team.crew[1].name in text and "交班：一切正常" in text
        grid = manager.get(f"/console/care/c/{team.a.pk}/duty/?start={day}&days=7")
        assert grid.status_code == 200 and 'data-testid="duty-row"' in grid.content.decode()
        assert (
            manager.get(f"/console/care/c/{team.a.pk}/duty/print/?start={day}").status_code == 200
        )
        sheet = manager.get(f"/console/care/c/{team.a.pk}/duty/xlsx/?start={day}")
        assert sheet["Content-Type"].startswith("application/vnd.openxml")
        home = manager.get("/console/")
        assert "今日值班" in home.content.decode()
        staff = login(team.staff_a)
        phone = staff.get("/h5/care/duty/")
        assert phone.status_code == 200
        body = phone.content.decode()
        assert "交班：一切正常" in body and "确认接班" in body
        today = staff.get("/h5/care/")
        text = today.content.decode()
        assert "下一个值班" in text, text[text.find("<main") :][:800]
        done = staff.post(f"/console/care/handovers/{Handover.objects.get().pk}/ack/")
        assert done.status_code == 302
    assert Handover.objects.get().acknowledged_by == team.staff_a


def test_duty_api_board_handover_and_acknowledge(team, api):
    """The phone app's duty: who to call now (masked), the handover written by
    the outgoing person and taken over once by the incoming one; bad input is a
    field error, another compound's board or note a 404, a resident a 403."""
    import json

    day = START
    _put(team, team.crew[0], day, "day")
    _put(team, team.crew[1], day, "night")

    def post(user, url, body=None):
        return api(user).post(url, data=json.dumps(body or {}), content_type="application/json")

    with time_machine.travel(at(day, 19, 50), tick=False):
        r = api(team.crew[0]).get(f"/api/v1/care/duty?compound={team.a.pk}")
        assert r.status_code == 200
        board = r.json()
        assert [p["name"] for p in board["current"]] == [team.crew[0].name]
        assert board["current"][0]["phone"] == "138****1111"
        assert board["current"][0]["kind"] == "day"
        assert [p["name"] for p in board["next"]] == [team.crew[1].name]
        assert board["unacknowledged"] == []

        assert (
            api(team.resident_a).get(f"/api/v1/care/duty?compound={team.a.pk}").status_code == 403
        )
        assert api(team.crew[0]).get(f"/api/v1/care/duty?compound={team.b.pk}").status_code == 404

        blank = post(
            team.crew[0], "/api/v1/care/duty/handovers", {"compound": team.a.pk, "text": " "}
        )
        assert blank.status_code == 422 and "text" in json.dumps(blank.json())
        assert not Handover.objects.exists()
        r = post(
            team.crew[0],
            "/api/v1/care/duty/handovers",
            {"compound": team.a.pk, "text": "3栋张伟今天说头晕，夜里再打一次电话"},
        )
        assert r.status_code == 201, r.content
        note = r.json()
        assert note["author"] == team.crew[0].name and note["acknowledged_at"] is None
        board = api(team.crew[1]).get(f"/api/v1/care/duty?compound={team.a.pk}").json()
        assert [h["id"] for h in board["unacknowledged"]] == [note["id"]]

        url = f"/api/v1/care/duty/handovers/{note['id']}/acknowledge"
        assert post(team.outsider_b, url).status_code == 404  # another compound's note
        assert post(team.crew[3], url).status_code == 403  # not on the next shift
        r = post(team.crew[1], url)
        assert r.status_code == 200 and r.json()["acknowledged_by"] == team.crew[1].name
        assert post(team.crew[1], url).status_code == 409
