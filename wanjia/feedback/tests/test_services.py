from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from wanjia.core import rateables
from wanjia.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from wanjia.core.models import AuditLog, Notification, OutboxMessage
from wanjia.disputes.models import Status
from wanjia.feedback import selectors, services
from wanjia.feedback.models import Appeal, Loop, LoopEvent, Rating, Stage, SurveyTally
from wanjia.feedback.workdays import add_working_days, is_working_day

from .conftest import T0, rating_in, settled_case

pytestmark = pytest.mark.django_db


def test_working_days_skip_weekends_and_holidays():
    assert not is_working_day(date(2026, 10, 1))  # National Day
    assert is_working_day(date(2026, 10, 10))  # a worked Saturday (调休)
    friday = timezone.make_aware(datetime(2026, 3, 13, 18, 0))
    due = timezone.localtime(add_working_days(friday, 1))
    assert due.date() == date(2026, 3, 16)  # Monday
    before_may = timezone.make_aware(datetime(2026, 4, 30, 10, 0))
    assert timezone.localtime(add_working_days(before_may, 1)).date() == date(2026, 5, 6)


def test_registry_resolves_only_the_callers_household(world):
    mine = settled_case(world.a, world.home)
    theirs = settled_case(world.a, world.other_home)
    assert rateables.find(world.resident_a, f"dispute:{mine.pk}").household_id == world.home.pk
    assert rateables.find(world.resident_a, f"dispute:{theirs.pk}") is None
    assert rateables.find(world.resident_a, "dispute:x") is None
    assert rateables.find(world.resident_a, "nothing:1") is None
    assert rateables.find(world.manager_a, f"dispute:{mine.pk}") is None
    assert {"bag", "dispute", "care_visit"} <= set(rateables.kinds())


@time_machine.travel(T0, tick=False)
def test_rate_once_within_the_window(world, case_a):
    r = services.rating_give(
        actor=world.resident_a, subject=f"dispute:{case_a.pk}", level=5, comment="很好"
    )
    assert r.level == 5 and r.household_id == world.home.pk and r.company_id == world.a.company_id
    assert not Loop.objects.filter(rating=r).exists()
    assert AuditLog.objects.filter(action="feedback.rating.given", object_id=str(r.pk)).exists()
    with pytest.raises(Conflict):
        services.rating_give(actor=world.resident_a, subject=f"dispute:{case_a.pk}", level=4)
    assert selectors.to_rate(world.resident_a) == []


@time_machine.travel(T0, tick=False)
def test_refusals(world):
    other = settled_case(world.a, world.other_home)
    with pytest.raises(NotFound):
        services.rating_give(actor=world.resident_a, subject=f"dispute:{other.pk}", level=5)
    open_case = settled_case(world.a, world.home, status=Status.PENDING)
    with pytest.raises(Conflict):
        services.rating_give(actor=world.resident_a, subject=f"dispute:{open_case.pk}", level=5)
    old = settled_case(world.a, world.home, resolved_at=T0 - timedelta(days=8))
    with pytest.raises(Conflict):
        services.rating_give(actor=world.resident_a, subject=f"dispute:{old.pk}", level=5)
    ok = settled_case(world.a, world.home)
    for bad in (0, 6, "x", None):
        with pytest.raises(Invalid):
            services.rating_give(actor=world.resident_a, subject=f"dispute:{ok.pk}", level=bad)
    assert [s.id for s in selectors.to_rate(world.resident_a)] == [ok.pk]
    assert Rating.objects.count() == 0


def test_unhappy_loop_call_fix_rerate(world, case_a):
    friday = timezone.make_aware(datetime(2026, 3, 13, 17, 0))
    with time_machine.travel(friday, tick=False):
        case = settled_case(world.a, world.home)
        r = services.rating_give(
            actor=world.resident_a, subject=f"dispute:{case.pk}", level=1, comment="没人管"
        )
        loop = r.loop
        assert loop.stage == Stage.CALL
        assert timezone.localtime(loop.call_due).date() == date(2026, 3, 16)
        assert timezone.localtime(loop.fix_due).date() == date(2026, 4, 3)
        # the compound's manager and staff are told
        assert Notification.objects.filter(
            recipient=world.manager_a, kind="feedback.unhappy"
        ).exists()
        with pytest.raises(Conflict):  # the fix before the call
            services.loop_fix(actor=world.staff_a, loop=loop, note="已修")
        with pytest.raises(Forbidden):
            services.loop_call(actor=world.outsider_b, loop=loop, note="x")
        with pytest.raises(Invalid):
            services.loop_call(actor=world.staff_a, loop=loop, note="  ")
        loop = services.loop_call(actor=world.staff_a, loop=loop, note="已致电，约周一上门")
        with pytest.raises(Conflict):
            services.loop_call(actor=world.manager_a, loop=loop, note="again")
        loop = services.loop_fix(actor=world.staff_a, loop=loop, note="已更换调解员并再次调解")
        assert loop.stage == Stage.RERATE
        assert Notification.objects.filter(
            recipient=world.resident_a, kind="feedback.rerate"
        ).exists()
        with pytest.raises(NotFound):
            services.rating_rerate(actor=world.manager_a, rating=r, level=4)
        r = services.rating_rerate(actor=world.resident_a, rating=r, level=4, comment="好多了")
        assert (r.level, r.first_level) == (4, 1)
        loop.refresh_from_db()
        assert loop.stage == Stage.CLOSED
        with pytest.raises(Conflict):
            services.rating_rerate(actor=world.resident_a, rating=r, level=5)
    assert list(LoopEvent.objects.filter(loop=loop).values_list("what", flat=True)) == [
        "opened",
        "called",
        "fixed",
        "rerated",
    ]


def test_appeal_and_decision(world, unhappy):
    loop = unhappy.loop
    day = timezone.localdate()
    with pytest.raises(Forbidden):
        services.loop_appeal(actor=world.staff_a, loop=loop, reason="x")
    loop = services.loop_appeal(actor=world.manager_a, loop=loop, reason="居民所述与调解记录不符")
    assert loop.appeal == Appeal.PENDING
    assert Notification.objects.filter(recipient=world.regulator, kind="feedback.appeal").exists()
    with pytest.raises(Conflict):
        services.loop_appeal(actor=world.company_admin_a, loop=loop, reason="again")
    with pytest.raises(Forbidden):
        services.loop_decide(actor=world.manager_a, loop=loop, upheld=True, note="x")
    assert selectors.index_figure([world.a.pk], day, day) == 20.0
    loop = services.loop_decide(
        actor=world.regulator, loop=loop, upheld=True, note="经核实申诉成立"
    )
    assert loop.appeal == Appeal.UPHELD and loop.stage == Stage.CLOSED
    assert Rating.objects.get(pk=unhappy.pk).excluded
    assert selectors.index_figure([world.a.pk], day, day) is None
    with pytest.raises(Conflict):
        services.loop_decide(actor=world.regulator, loop=loop, upheld=False, note="x")


def test_overdue_steps_are_notified_once(world, settings):
    # a webhook configured: each notice is queued in the outbox (nothing listens
    # here; delivery is the outbox's business, tested in core)
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    settings.NOTIFY_WEBHOOK_SECRET = "s"
    with time_machine.travel(T0, tick=False):
        case = settled_case(world.a, world.home)
        r = services.rating_give(actor=world.resident_a, subject=f"dispute:{case.pk}", level=2)
    # Wednesday 09:00: the return call (due end of Wednesday) is not late yet
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert services.loops_sweep() == {"call": 0, "fix": 0, "closed": 0}
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert services.loops_sweep()["call"] == 1
        assert services.loops_sweep()["call"] == 0  # once
    notes = Notification.objects.filter(kind="feedback.overdue")
    assert set(notes.values_list("recipient", flat=True)) == {
        world.manager_a.pk,
        world.company_admin_a.pk,
    }
    assert notes.count() == 2
    assert OutboxMessage.objects.filter(notification__kind="feedback.overdue").count() == 2
    with time_machine.travel(T0 + timedelta(days=2, hours=1), tick=False):
        services.loop_call(actor=world.staff_a, loop=r.loop, note="已回访")
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert services.loops_sweep()["fix"] == 1
        assert services.loops_sweep()["fix"] == 0
    assert LoopEvent.objects.filter(loop=r.loop, what__endswith="_overdue").count() == 2


@time_machine.travel(T0, tick=False)
def test_index_formula_and_figures(world):
    for level in (5, 4, 1):
        rating_in(world.a, world.home, level=level, at=T0)
    rating_in(world.b, world.b_home, level=3, at=T0)
    day = T0.date()
    assert selectors.index_figure([world.a.pk], day, day) == round((100 + 80 + 0) / 3, 1)
    many = selectors.index_figure_many(
        [[world.a.pk], [world.b.pk], [world.a.pk, world.b.pk]], day, day
    )
    assert many == [60.0, 60.0, 60.0]
    assert selectors.unhappy_open_figure([world.a.pk], day, day) == 1
    s = selectors.satisfaction(world.a)
    assert (s["index"], s["ratings"], s["unhappy_open"]) == (60.0, 3, 1)
    assert "非常满意 100" in s["formula"]


# ---- surveys ---------------------------------------------------------------------


def _survey(world, **extra):
    fields = {
        "actor": world.manager_a,
        "compound": world.a,
        "title": "2026年一季度物业服务满意度",
        "starts_on": T0.date() - timedelta(days=1),
        "ends_on": T0.date() + timedelta(days=10),
        "target_rate": "30",
        "questions": ["保洁", "安保", ""],
    }
    fields.update(extra)
    return services.survey_create(**fields)


@time_machine.travel(T0, tick=False)
def test_survey_create_validates(world):
    with pytest.raises(Invalid) as exc:
        _survey(
            world, title="", target_rate="0", questions=[], ends_on=T0.date() - timedelta(days=5)
        )
    assert set(exc.value.errors) == {"title", "target_rate", "questions", "ends_on"}
    with pytest.raises(Forbidden):
        _survey(world, actor=world.staff_a)
    s = _survey(world)
    assert s.questions.count() == 2 and s.households == world.a.households.count()
    assert SurveyTally.objects.filter(question__survey=s).count() == 10


@time_machine.travel(T0, tick=False)
def test_survey_answered_once_and_results_only_aggregated(world):
    s = _survey(world)
    q1, q2 = s.questions.all()
    with pytest.raises(Invalid):
        services.survey_answer(actor=world.resident_a, survey=s, answers={q1.pk: "5"})
    services.survey_answer(actor=world.resident_a, survey=s, answers={q1.pk: "5", q2.pk: 2})
    with pytest.raises(Conflict):
        services.survey_answer(actor=world.resident_a, survey=s, answers={q1.pk: 4, q2.pk: 4})
    with pytest.raises(NotFound):
        services.survey_answer(actor=world.manager_a, survey=s, answers={q1.pk: 4, q2.pk: 4})
    s.refresh_from_db()
    assert s.responses == 1
    res = selectors.survey_results(s)
    assert not res["shown"] and res["questions"] == []
    assert not AuditLog.objects.filter(actor=world.resident_a).exists()  # no trace of who
    later = T0 + timedelta(days=20)
    with time_machine.travel(later, tick=False):
        assert not selectors.survey_results(s)["shown"]  # closed, but only one household
        with pytest.raises(Gone):
            services.survey_answer(actor=world.resident_a, survey=s, answers={})
    SurveyTally.objects.filter(question=q1, level=4).update(count=4)
    SurveyTally.objects.filter(question=q2, level=3).update(count=4)
    s.responses = 5
    s.save()
    with time_machine.travel(later, tick=False):
        res = selectors.survey_results(s)
    assert res["shown"]
    assert res["questions"][0]["levels"][:2] == [(5, 1), (4, 4)]
    assert res["questions"][0]["score"] == 84.0
