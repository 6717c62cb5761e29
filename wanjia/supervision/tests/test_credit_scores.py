"""The credit score: the formula, the cap, grades from settings, red and black
lists, the stored score and its items, the daily job (once, idempotent)."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from wanjia.core import conduct
from wanjia.core.models import AuditLog
from wanjia.supervision.credit import periods, services
from wanjia.supervision.credit.models import CreditItem, CreditScore, CreditSettings

from . import credit_helpers
from .credit_helpers import EVIDENCE, bad

rules_under_test = credit_helpers.rules_under_test  # the fixture

NOW = timezone.make_aware(timezone.datetime(2026, 3, 20, 10, 0))
DAY = date(2026, 3, 10)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _sums(score):
    items = list(score.items.all())
    good = round(sum(i.counted for i in items if i.kind == conduct.GOOD), 2)
    badsum = round(sum(i.counted for i in items if i.kind == conduct.BAD), 2)
    return good, badsum


def _award(world, points, day=DAY, title="文明物业"):
    return services.award_record(
        actor=world.regulator,
        company=world.a.company,
        title=title,
        issuer="市住建局",
        awarded_on=day,
        points=points,
    )


# -- the formula, pure ---------------------------------------------------------


@pytest.mark.usefixtures("rules_under_test")
def test_draft_formula_and_cap(db):
    s = CreditSettings(base=80, good_cap=40)
    company = type("C", (), {"pk": 1})()
    good = [
        conduct.Evidence("supervision.award", f"a:{n}", 1, None, 15, "奖", "", DAY)
        for n in range(3)
    ]
    d = services.draft(good + [bad(company, 3, DAY, 1), bad(company, 2.5, DAY, 2)], s)
    assert d.good == 40  # 45 capped
    assert d.bad == 5.5
    assert d.score == d.base + d.good - d.bad == 114.5
    assert sum(i["counted"] for i in d.items if i["kind"] == "good") == 40
    assert [i["why_not"] for i in d.items if i["kind"] == "good"] == ["", "", "cap"]
    assert sum(i["counted"] for i in d.items if i["kind"] == "bad") == 5.5


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (95, "AAA"),
        (90, "AAA"),
        (89.9, "AA"),
        (80, "AA"),
        (79, "A"),
        (70, "A"),
        (69, "B"),
        (60, "B"),
        (59.5, "C"),
    ],
)
def test_default_grade_thresholds(score, grade):
    assert CreditSettings().grade_of(score) == grade


def test_grade_thresholds_come_from_settings():
    s = CreditSettings(aaa_from=95, aa_from=85, a_from=75, b_from=65)
    assert s.grade_of(92) == "AA"
    assert s.grade_of(84) == "A"
    assert s.grade_of(64) == "C"


@pytest.mark.usefixtures("rules_under_test")
def test_red_and_black(db):
    s = CreditSettings()
    company = type("C", (), {"pk": 1})()
    clean = services.draft([], s)
    assert (clean.score, clean.grade, clean.red, clean.black) == (80, "AA", True, False)
    one = services.draft([bad(company, 1, DAY, 1)], s)  # 79: A, an open deduction
    assert (one.grade, one.red, one.black) == ("A", False, False)
    good = conduct.Evidence("supervision.award", "a:1", 1, None, 10, "奖", "", DAY)
    offset = services.draft([good, bad(company, 1, DAY, 1)], s)  # 89 AA but a deduction open
    assert (offset.grade, offset.red) == ("AA", False)
    overturned = services.draft([good, bad(company, 1, DAY, 1)], s, overturned={"test.record:1:1"})
    assert (overturned.score, overturned.red) == (90, True)
    low = services.draft([bad(company, 21, DAY, 1)], s)
    assert (low.grade, low.black) == ("C", True)
    serious = services.draft(
        [good, bad(company, 1, DAY, 2, rule="test.serious")], s
    )  # 89, AA, yet a serious violation
    assert (serious.grade, serious.black, serious.red) == ("AA", True, False)


# -- stored scores ---------------------------------------------------------------


@pytest.mark.usefixtures("rules_under_test")
def test_compute_stores_score_and_items_that_add_up(world, frozen):
    _award(world, 30)
    _award(world, 15, title="先进单位")
    EVIDENCE.extend([bad(world.a.company, 2, DAY, n, compound=world.a) for n in range(3)])
    EVIDENCE.append(bad(world.a.company, 9, date(2026, 2, 27), 9))  # February: not March
    assert services.scores_compute("2026-03") == 2
    score = CreditScore.objects.get(company=world.a.company, period="2026-03")
    assert (score.base, score.good, score.bad, score.score) == (80, 40, 6, 114)
    assert score.base + score.good - score.bad == score.score
    assert _sums(score) == (score.good, score.bad)
    assert score.grade == "AAA" and not score.red and not score.black
    assert score.items.filter(why_not="cap").count() == 1
    award_item = score.items.filter(rule="supervision.award").first()
    assert award_item.url.startswith("/credit/awards/")
    other = CreditScore.objects.get(company=world.b.company, period="2026-03")
    assert (other.score, other.grade, other.red) == (80, "AA", True)


@pytest.mark.usefixtures("rules_under_test")
def test_settings_change_the_score(world, frozen):
    EVIDENCE.append(bad(world.a.company, 2, DAY, 1))
    services.settings_update(
        actor=world.regulator,
        values={**_settings_form(), "base": "70", "points:test.bad": "5"},
    )
    services.scores_compute("2026-03")
    score = CreditScore.objects.get(company=world.a.company, period="2026-03")
    assert (score.base, score.bad, score.score, score.grade) == (70, 5, 65, "B")
    assert AuditLog.objects.filter(action="supervision.credit.settings").count() == 1


def _settings_form():
    s = CreditSettings()
    return {name: str(getattr(s, name)) for name in services.SETTING_FIELDS}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base", "abc"),
        ("good_cap", "-1"),
        ("aa_from", "95"),
        ("decide_days", "0"),
        ("points:supervision.award", "x"),
    ],
)
def test_bad_settings_are_field_errors_and_change_nothing(world, field, value):
    from wanjia.core.errors import Invalid

    with pytest.raises(Invalid) as err:
        services.settings_update(actor=world.regulator, values={**_settings_form(), field: value})
    assert set(err.value.errors) in ({field}, {"aaa_from"})
    assert CreditSettings.current().base == 80
    assert not AuditLog.objects.filter(action="supervision.credit.settings").exists()


def test_only_the_authority_changes_settings_or_records_awards(world):
    from wanjia.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.settings_update(actor=world.company_admin_a, values=_settings_form())
    with pytest.raises(Forbidden):
        services.award_record(
            actor=world.company_admin_a,
            company=world.a.company,
            title="自评",
            issuer="自己",
            awarded_on=DAY,
        )


@pytest.mark.usefixtures("rules_under_test")
def test_rerun_stores_the_same_rows(world, frozen):
    _award(world, 5)
    EVIDENCE.append(bad(world.a.company, 3, DAY, 1, compound=world.a))

    def snapshot():
        return sorted(
            CreditItem.objects.values_list(
                "score__company_id", "score__period", "rule", "ref", "points", "counted"
            )
        ), sorted(CreditScore.objects.values_list("company_id", "period", "score", "grade"))

    services.scores_compute("2026-03")
    first = snapshot()
    services.scores_compute("2026-03")
    assert snapshot() == first
    assert CreditScore.objects.count() == 2


@pytest.mark.usefixtures("rules_under_test")
def test_daily_job_runs_once_a_day(world, frozen):
    assert services.scores_run() == 4  # two companies, this month and last
    assert services.scores_run() == 0  # claimed already today
    assert set(CreditScore.objects.values_list("period", flat=True)) == {"2026-02", "2026-03"}
    assert AuditLog.objects.filter(action="supervision.credit.computed").count() == 1
    with time_machine.travel(NOW + timezone.timedelta(days=1), tick=False):
        assert services.scores_run() == 4


@pytest.mark.django_db(transaction=True)
def test_racing_computations_store_one_score_each():
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL")
    from wanjia.estates.testing import make_world

    world = make_world()
    services.award_record(
        actor=world.regulator,
        company=world.a.company,
        title="奖",
        issuer="局",
        awarded_on=timezone.localdate(),
        points=7,
    )
    barrier, errors = threading.Barrier(4), []

    def worker():
        from django.db import connection as own

        try:
            barrier.wait()
            services.scores_compute(periods.current())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert CreditScore.objects.filter(period=periods.current()).count() == 2
    score = CreditScore.objects.get(company=world.a.company, period=periods.current())
    assert score.items.count() == 1 and score.score == 87


@pytest.mark.django_db(transaction=True)
def test_racing_daily_jobs_run_once():
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL")
    from wanjia.estates.testing import make_world

    make_world()
    barrier, counts = threading.Barrier(4), []

    def worker():
        from django.db import connection as own

        try:
            barrier.wait()
            counts.append(services.scores_run())
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 0, 4]
    assert AuditLog.objects.filter(action="supervision.credit.computed").count() == 1


def test_periods():
    from wanjia.core.errors import Invalid

    assert periods.parse("2026-03") == "2026-03"
    assert periods.bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert periods.shift("2026-01", -1) == "2025-12"
    for wrong in ("2026-13", "2026-3", "march", "2026-03-01", "0000-01"):
        with pytest.raises(Invalid) as err:
            periods.parse(wrong)
        assert set(err.value.errors) == {"period"}


def test_settings_saved_unchanged_write_nothing(world):
    services.settings_update(actor=world.regulator, values=_settings_form())
    assert not AuditLog.objects.filter(action="supervision.credit.settings").exists()
