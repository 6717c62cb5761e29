"""The roster engine without Django or a database: small instances, fixed
seeds, CP-SAT budgets of 5 s at most."""

from datetime import date, timedelta

import pytest

from wanjia.rostering import (
    WHOLE_DAY,
    Assignment,
    Guard,
    RosterProblem,
    Shift,
    check,
    greedy,
    nights_per_guard,
    solve,
)

START = date(2026, 12, 7)  # a Monday
DAY, EVENING, NIGHT = (
    Shift("day", 8 * 60, 480),
    Shift("evening", 16 * 60, 480),
    Shift("night", 22 * 60, 480, is_night=True),
)
SHIFTS = (DAY, EVENING, NIGHT)


def d(i: int) -> date:
    return START + timedelta(days=i)


def problem(guards=8, days=7, cover=None, **kw) -> RosterProblem:
    people = kw.pop("people", None) or tuple(Guard(f"g{i}", f"保安{i}") for i in range(guards))
    return RosterProblem(
        start=START,
        days=days,
        shifts=kw.pop("shifts", SHIFTS),
        guards=people,
        cover={"day": 2, "evening": 1, "night": 2} if cover is None else cover,
        **kw,
    )


def codes(reasons) -> list[str]:
    return sorted(r.code for r in reasons)


# -- solve: every hard rule holds ---------------------------------------------------------


@pytest.mark.parametrize("hint", [True, False])
def test_solve_gives_a_valid_fair_roster(hint):
    p = problem()
    result = solve(p, time_limit_s=5, hint_greedy=hint)
    assert result.status in ("optimal", "feasible")
    assert check(p, result.assignments) == []
    nights = nights_per_guard(p, result.assignments)
    assert max(nights.values()) - min(nights.values()) <= 1
    assert result.stats.nights_max - result.stats.nights_min <= 1
    assert result.stats.time_to_first_feasible is not None


def test_solve_respects_leave_rest_nights_and_hours():
    people = (
        Guard("a", "甲", leave=frozenset({d(1), d(2)})),
        Guard("b", "乙", max_consecutive_nights=1),
        Guard("c", "丙", weekly_hours_cap=16),
        *(Guard(f"g{i}", f"保安{i}") for i in range(6)),
    )
    p = problem(people=people)
    result = solve(p, time_limit_s=5)
    assert result.status in ("optimal", "feasible")
    assert check(p, result.assignments) == []
    mine = result.by_guard()
    assert not {a.day for a in mine.get("a", [])} & {d(1), d(2)}
    assert len(mine.get("c", [])) <= 2
    b_nights = sorted((a.day - START).days for a in mine.get("b", []) if a.shift == "night")
    assert all(y - x > 1 for x, y in zip(b_nights, b_nights[1:], strict=False))
    worked = {(a.guard, a.day): a.shift for a in result.assignments}
    for (g, day), shift in worked.items():
        if shift == "night":
            assert worked.get((g, day + timedelta(days=1))) != "day"


def test_solve_covers_roles():
    people = tuple(
        Guard(f"g{i}", f"保安{i}", roles=frozenset({"leader"}) if i < 4 else frozenset())
        for i in range(8)
    )
    p = problem(people=people, role_cover={("night", "leader"): 1})
    result = solve(p, time_limit_s=5)
    assert check(p, result.assignments) == []
    leaders = {"g0", "g1", "g2", "g3"}
    for i in range(7):
        assert {
            a.guard for a in result.assignments if a.day == d(i) and a.shift == "night"
        } & leaders


def test_preferences_are_mostly_honoured():
    people = tuple(
        Guard(
            f"g{i}",
            f"保安{i}",
            prefers_off=frozenset({(d(i % 7), WHOLE_DAY)}),
            prefers_on=frozenset({(d((i + 3) % 7), "evening")}),
        )
        for i in range(8)
    )
    p = problem(people=people)
    result = solve(p, time_limit_s=5)
    assert check(p, result.assignments) == []
    assert result.stats.preference_total == 16
    assert result.stats.preference_hits >= 13
    assert result.stats.preference_hits >= greedy(p).stats.preference_hits


def test_fairness_is_relaxed_and_reported_when_it_alone_blocks():
    # b may work one night a week, so a takes three: 3 − 1 > 1
    people = (Guard("a", "甲"), Guard("b", "乙", weekly_hours_cap=8))
    p = problem(people=people, days=4, cover={"night": 1})
    result = solve(p, time_limit_s=5)
    assert result.status in ("optimal", "feasible")
    assert codes(result.reasons) == ["fairness_relaxed"]
    assert codes(check(p, result.assignments)) == ["fairness"]
    assert result.stats.nights_max == 3


# -- infeasible: the day, the shift and why -----------------------------------------------


def test_leave_names_the_uncoverable_night():
    people = (
        Guard("a", "甲", leave=frozenset({d(2)})),
        Guard("b", "乙", leave=frozenset({d(2)})),
        Guard("c", "丙"),
        Guard("e", "戊"),
    )
    p = problem(people=people, days=4, cover={"night": 1}, cover_overrides={(d(2), "night"): 3})
    result = solve(p, time_limit_s=5)
    assert result.status == "infeasible"
    short = [r for r in result.reasons if r.code == "understaffed"]
    assert [(r.day, r.shift) for r in short] == [(d(2), "night")]
    assert short[0].facts["needed"] == 3 and short[0].facts["on_leave"] == 2
    assert "2026-12-09 night" in str(short[0])
    assert result.assignments  # the partial roster keeps the other nights
    assert {r.code for r in check(p, result.assignments)} == {"understaffed"}


def test_rest_is_named_as_the_blocking_rule():
    # two nights on day 0, two day shifts on day 1, three guards: one short
    p = problem(
        guards=3,
        days=2,
        cover={},
        cover_overrides={(d(0), "night"): 2, (d(1), "day"): 2},
    )
    result = solve(p, time_limit_s=5)
    assert result.status == "infeasible"
    short = [(r.day, r.shift) for r in result.reasons if r.code == "understaffed"]
    assert len(short) == 1 and short[0] in {(d(0), "night"), (d(1), "day")}
    blocked = [r.facts["rule"] for r in result.reasons if r.code == "blocked_by"]
    assert blocked == ["rest"]
    assert (
        next(r for r in result.reasons if r.code == "blocked_by").facts["uncovered_without_rule"]
        == 0
    )


def test_weekly_hours_is_named_as_the_blocking_rule():
    p = problem(people=(Guard("a", "甲", weekly_hours_cap=16),), days=3, cover={"day": 1})
    result = solve(p, time_limit_s=5)
    assert result.status == "infeasible"
    short = [r for r in result.reasons if r.code == "understaffed"]
    assert len(short) == 1 and short[0].facts["at_hours_cap"] == 1
    assert "needs 1, only 0 guards available (1 at the weekly hours cap)" in str(short[0])
    assert [r.facts["rule"] for r in result.reasons if r.code == "blocked_by"] == ["hours"]


def test_a_day_needing_more_guards_than_exist_is_reported_statically():
    p = problem(guards=3, days=2, cover={"day": 2, "evening": 1, "night": 1})
    result = solve(p, time_limit_s=5)
    assert result.status == "infeasible"
    assert any(
        r.code == "understaffed" and r.shift is None and r.facts["needed"] == 4
        for r in result.reasons
    )


# -- check: each hand-edited violation is caught ------------------------------------------


@pytest.fixture(scope="module")
def valid():
    p = problem()
    result = solve(p, time_limit_s=5)
    assert check(p, result.assignments) == []
    return p, result.assignments


def first(assignments, **match):
    return next(a for a in assignments if all(getattr(a, k) == v for k, v in match.items()))


def test_check_catches_a_missing_and_an_extra_guard(valid):
    p, roster = valid
    gone = first(roster, day=d(0), shift="day")
    assert codes(check(p, [a for a in roster if a is not gone]))[:1] == ["understaffed"]
    spare = next(g.key for g in p.guards if all(a.guard != g.key or a.day != d(3) for a in roster))
    extra = check(p, [*roster, Assignment(d(3), "evening", spare)])
    assert "overstaffed" in codes(extra)


def test_check_catches_two_shifts_a_day_and_leave():
    p = problem(
        people=(Guard("a", "甲", leave=frozenset({d(1)})), Guard("b", "乙")),
        days=2,
        cover={"day": 1, "evening": 1},
    )
    roster = [
        Assignment(d(0), "day", "a"),
        Assignment(d(0), "evening", "a"),
        Assignment(d(1), "day", "a"),
        Assignment(d(1), "evening", "b"),
    ]
    got = check(p, roster)
    assert ("double_shift", d(0), "a") in {(r.code, r.day, r.guard) for r in got}
    assert ("on_leave", d(1), "a") in {(r.code, r.day, r.guard) for r in got}


def test_check_catches_a_day_shift_after_a_night():
    p = problem(guards=2, days=2, cover={}, cover_overrides={(d(0), "night"): 1, (d(1), "day"): 1})
    got = check(p, [Assignment(d(0), "night", "g0"), Assignment(d(1), "day", "g0")])
    assert [(r.code, r.day, r.shift, r.guard) for r in got] == [("rest", d(1), "day", "g0")]
    assert check(p, [Assignment(d(0), "night", "g0"), Assignment(d(1), "day", "g1")]) == []


def test_check_catches_consecutive_nights_hours_and_fairness():
    people = (Guard("a", "甲", max_consecutive_nights=2, weekly_hours_cap=16), Guard("b", "乙"))
    p = problem(people=people, days=3, cover={"night": 1})
    got = check(p, [Assignment(d(i), "night", "a") for i in range(3)])
    assert codes(got) == ["consecutive_nights", "fairness", "weekly_hours"]
    fairness = next(r for r in got if r.code == "fairness")
    assert fairness.facts["most"] == ["a"] and fairness.facts["fewest"] == ["b"]


def test_check_catches_unknown_names_and_dates():
    p = problem(guards=1, days=1, cover={"day": 1})
    got = check(
        p,
        [
            Assignment(d(0), "day", "g0"),
            Assignment(d(0), "day", "nobody"),
            Assignment(d(0), "brunch", "g0"),
            Assignment(d(5), "day", "g0"),
        ],
    )
    assert codes(got) == ["outside_horizon", "unknown_guard", "unknown_shift"]


def test_check_catches_a_missing_role():
    people = (Guard("a", "甲", roles=frozenset({"leader"})), Guard("b", "乙"))
    p = problem(people=people, days=1, cover={"night": 1}, role_cover={("night", "leader"): 1})
    assert codes(check(p, [Assignment(d(0), "night", "b")])) == ["role_missing"]
    assert check(p, [Assignment(d(0), "night", "a")]) == []


# -- greedy: honest baseline --------------------------------------------------------------


def test_greedy_passes_check_when_it_finds_a_roster():
    p = problem()
    result = greedy(p)
    assert result.status == "feasible"
    assert check(p, result.assignments) == []


def test_greedy_reports_its_violations():
    # greedy gives day 0's night to b, who then cannot take day 1's day shift
    people = (Guard("a", "甲"), Guard("b", "乙"))
    p = problem(
        people=people,
        days=2,
        cover={},
        cover_overrides={(d(0), "day"): 1, (d(0), "night"): 1, (d(1), "day"): 2},
    )
    result = greedy(p)
    assert result.status == "infeasible"
    assert result.reasons == check(p, result.assignments)
    assert "understaffed" in codes(result.reasons)


# -- the problem is validated -------------------------------------------------------------


def test_bad_problems_are_refused():
    with pytest.raises(ValueError):
        problem(cover={"brunch": 1})
    with pytest.raises(ValueError):
        problem(cover_overrides={(d(30), "day"): 1})
    with pytest.raises(ValueError):
        problem(people=(Guard("a", "甲"), Guard("a", "乙")))
