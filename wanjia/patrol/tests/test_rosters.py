"""The roster service: a feasible roster stored for the horizon, an infeasible
one explained in words (and nothing stored), a hand edit saved and re-checked."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from wanjia import rostering as engine
from wanjia.core.errors import Forbidden, Invalid
from wanjia.patrol.models import Leave, RosterShift
from wanjia.patrol.services import rosters

from .roster_kit import START, build_team

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 3, 1, 10, 0))


@pytest.fixture
def team(world):
    world.team, world.guards = build_team(world, world.a, world.staff_a, world.volunteer_a)
    return world


def test_problem_from_team_leave_and_rules(team):
    Leave.objects.create(
        compound=team.a, user=team.guards[1], start=START - timedelta(days=3), end=START
    )
    problem = rosters.build_problem(team.a, START, 14)
    assert len(problem.guards) == 7 and [s.key for s in problem.shifts] == [
        "day",
        "evening",
        "night",
    ]
    by_key = {g.key: g for g in problem.guards}
    volunteer = by_key[str(team.volunteer_a.pk)]
    assert volunteer.weekly_hours_cap == 16 and volunteer.roles == {"volunteer"}
    assert by_key[str(team.guards[1].pk)].leave == {START}  # clipped to the horizon
    # no early shift after a night: the night ends at 06:00 when the early one starts
    assert ("night", 1, "day") in problem.rest_conflicts()


@time_machine.travel(NOW, tick=False)
def test_feasible_roster_replaces_the_horizon(team):
    outside = RosterShift.objects.create(
        compound=team.a,
        date=START - timedelta(days=1),
        shift="day",
        starts_at=NOW,
        ends_at=NOW,
        user=team.staff_a,
    )
    RosterShift.objects.create(
        compound=team.a, date=START, shift="day", starts_at=NOW, ends_at=NOW, user=team.staff_a
    )
    result = rosters.roster_build(compound=team.a, start=START, days=14)
    assert result["status"] in ("optimal", "feasible")
    rows = RosterShift.objects.filter(compound=team.a, date__gte=START)
    assert rows.count() == result["saved"] == 14 * 4
    assert RosterShift.objects.filter(pk=outside.pk).exists()  # outside the horizon: kept
    night = rows.filter(shift="night").first()
    local = timezone.localtime(night.starts_at)
    assert local.hour == 22 and (night.ends_at - night.starts_at) == timedelta(hours=8)
    problem = rosters.build_problem(team.a, START, 14)
    assert engine.check(problem, rosters.assignments_in(team.a, START, 14)) == []
    assert result["stats"]["nights_max"] - result["stats"]["nights_min"] <= 1


@time_machine.travel(NOW, tick=False)
def test_infeasible_roster_says_which_day_and_shift_and_why(team):
    # five of seven away on Wednesday: four places to fill, two people left
    wednesday = START + timedelta(days=2)
    for g in team.guards[1:]:
        Leave.objects.create(compound=team.a, user=g, start=wednesday, end=wednesday)
    kept = RosterShift.objects.create(
        compound=team.a, date=START, shift="day", starts_at=NOW, ends_at=NOW, user=team.staff_a
    )
    result = rosters.roster_build(compound=team.a, start=START, days=7, seconds=5)
    assert result["status"] == "infeasible" and result["saved"] == 0
    assert RosterShift.objects.filter(compound=team.a).get() == kept  # nothing replaced
    with override("zh-hans"):
        zh = rosters.describe_all(result["reasons"], result["people"])
    with override("en"):
        en = rosters.describe_all(result["reasons"], result["people"])
    text = " ".join(zh)
    assert "3/4 周三" in text and "请假" in text, zh
    assert any("Wed" in s and "leave" in s for s in en), en


@time_machine.travel(NOW, tick=False)
def test_reasons_name_the_rule_that_blocks(team):
    reason = engine.Reason(
        "understaffed",
        START,
        "night",
        None,
        {"needed": 2, "available": 1, "on_leave": 1, "resting": 2, "at_night_limit": 1},
    )
    sentence = rosters.describe(rosters.reason_json(reason))
    assert sentence.startswith("3/2 周一 夜班排不满：需要 2 人，只能排出 1 人")
    assert "1 人请假" in sentence and "2 人需要班后休息" in sentence and "连续夜班上限" in sentence
    blocked = engine.Reason(
        "blocked_by", facts={"rule": "rest", "uncovered": 3, "uncovered_without_rule": 0}
    )
    with override("en"):
        text = rosters.describe(rosters.reason_json(blocked))
    assert "rest" in text and "3" in text and "0" in text, text


@time_machine.travel(NOW, tick=False)
def test_hand_edit_is_saved_and_rechecked(team):
    rosters.roster_build(compound=team.a, start=START, days=7)
    night = RosterShift.objects.filter(compound=team.a, date=START, shift="night").first()
    guard = night.user
    # the same guard on the next morning's early shift: too little rest, and overstaffed
    broken = rosters.roster_edit(
        actor=team.manager_a,
        compound=team.a,
        day=START + timedelta(days=1),
        shift="day",
        user_id=guard.pk,
        assign=True,
    )
    assert RosterShift.objects.filter(
        compound=team.a, date=START + timedelta(days=1), shift="day", user=guard
    ).exists()
    codes = {r["code"] for r in broken}
    assert "rest" in codes and "overstaffed" in codes, broken
    names = {str(guard.pk): guard.name}
    assert any("休息不足 8 小时" in s for s in rosters.describe_all(broken, names))
    # taking them off again: saved, and nothing new is broken
    assert (
        rosters.roster_edit(
            actor=team.manager_a,
            compound=team.a,
            day=START + timedelta(days=1),
            shift="day",
            user_id=guard.pk,
            assign=False,
        )
        == []
    )
    # unassigning the night leaves it short
    broken = rosters.roster_edit(
        actor=team.manager_a,
        compound=team.a,
        day=START,
        shift="night",
        user_id=guard.pk,
        assign=False,
    )
    assert [r["code"] for r in broken if r["day"] == START.isoformat()] == ["understaffed"]


def test_hand_edit_refuses_strangers_and_bad_fields(team):
    with pytest.raises(Invalid) as exc:
        rosters.roster_edit(
            actor=team.manager_a,
            compound=team.a,
            day=None,
            shift="brunch",
            user_id=team.resident_a.pk,
            assign=True,
        )
    assert set(exc.value.errors) == {"date", "shift", "user"}
    with pytest.raises(Forbidden):
        rosters.roster_edit(
            actor=team.staff_a, compound=team.a, day=START, shift="day", user_id=1, assign=True
        )
    assert not RosterShift.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_request_checks_the_horizon(team):
    with pytest.raises(Invalid) as exc:
        rosters.roster_request(actor=team.manager_a, compound=team.a, start=START, days=0)
    assert set(exc.value.errors) == {"days"}
    with pytest.raises(Invalid) as exc:
        rosters.roster_request(
            actor=team.manager_a, compound=team.a, start=date(2020, 1, 1), days=7
        )
    assert set(exc.value.errors) == {"start"}
    with pytest.raises(Invalid) as exc:  # compound B has no team
        rosters.roster_request(actor=team.outsider_b, compound=team.b, start=START, days=7)
    assert set(exc.value.errors) == {"compound"}


def test_tonight_is_the_night_not_yet_over():
    at = timezone.make_aware
    assert rosters.tonight(at(datetime(2026, 3, 3, 0, 30))) == date(2026, 3, 2)
    assert rosters.tonight(at(datetime(2026, 3, 3, 6, 0))) == date(2026, 3, 3)
    assert rosters.tonight(at(datetime(2026, 3, 3, 21, 30))) == date(2026, 3, 3)


@time_machine.travel(NOW, tick=False)
def test_weekly_wishes_reach_the_engine_and_the_roster_honours_them(team):
    from wanjia.patrol.models import ShiftWish

    guard, other = team.guards[2], team.guards[3]
    rosters.wish_add(
        actor=team.manager_a, compound=team.a, user_id=guard.pk, weekday="5", shift="*", wants="0"
    )
    rosters.wish_add(
        actor=team.manager_a,
        compound=team.a,
        user_id=other.pk,
        weekday=1,
        shift="day",
        wants="1",
        note="接孩子前",
    )
    problem = rosters.build_problem(team.a, START, 14)
    by_key = {g.key: g for g in problem.guards}
    fridays = {START + timedelta(days=4), START + timedelta(days=11)}
    assert by_key[str(guard.pk)].prefers_off == {(d, "*") for d in fridays}
    assert by_key[str(other.pk)].prefers_on == {(START, "day"), (START + timedelta(days=7), "day")}
    result = rosters.roster_build(compound=team.a, start=START, days=14)
    assert result["status"] in ("optimal", "feasible")
    mine = RosterShift.objects.filter(compound=team.a, user=guard, date__in=fridays)
    assert not mine.exists()  # seven people, four places a day: the wish costs nothing
    assert RosterShift.objects.filter(user=other, date=START, shift="day").exists()
    # the same member, day and shift again replaces the wish instead of doubling it
    rosters.wish_add(
        actor=team.manager_a, compound=team.a, user_id=guard.pk, weekday=5, shift="*", wants="0"
    )
    assert ShiftWish.objects.filter(user=guard).count() == 1


def test_a_wish_with_bad_fields_is_refused_field_by_field_and_saves_nothing(team):
    from wanjia.patrol.models import ShiftWish

    with pytest.raises(Invalid) as exc:
        rosters.wish_add(
            actor=team.manager_a,
            compound=team.a,
            user_id=team.outsider_b.pk,
            weekday="8",
            shift="lunch",
            wants="maybe",
            note="x" * 101,
        )
    assert set(exc.value.errors) == {"user", "weekday", "shift", "wants", "note"}
    with pytest.raises(Invalid) as exc:
        rosters.wish_add(
            actor=team.manager_a,
            compound=team.a,
            user_id=team.staff_a.pk,
            weekday="2",
            shift="*",
            wants="1",
        )
    assert set(exc.value.errors) == {"shift"}  # "rather work" needs a shift, not the whole day
    with pytest.raises(Forbidden):
        rosters.wish_add(
            actor=team.staff_a,
            compound=team.a,
            user_id=team.staff_a.pk,
            weekday="2",
            shift="night",
            wants="0",
        )
    assert not ShiftWish.objects.exists()
