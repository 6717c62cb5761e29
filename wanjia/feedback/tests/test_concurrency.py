"""Races that must keep one (PostgreSQL: real concurrent transactions; SQLite
serialises writers, so the race cannot be staged there): the same subject
rated from two phones of one household, one survey answered from both, one
return call recorded twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from wanjia.core.errors import Conflict
from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user
from wanjia.feedback import services
from wanjia.feedback.models import Loop, LoopEvent, Rating, Survey, SurveyTally

from .conftest import settled_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = []

    def run(fn):
        try:
            barrier.wait()
            fn()
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_one_household_rates_once_and_answers_once(world):
    spouse = grant(make_user("res_a_2", display_name="张太太"), Role.RESIDENT, world.home)
    case = settled_case(world.a, world.home)
    people = [world.resident_a, spouse] * 3
    results = _race(
        [
            (lambda u=u: services.rating_give(actor=u, subject=f"dispute:{case.pk}", level=1))
            for u in people
        ]
    )
    assert results == ["conflict"] * 5 + ["ok"]
    assert Rating.objects.count() == 1 and Loop.objects.count() == 1

    today = timezone.localdate()
    survey = services.survey_create(
        actor=world.manager_a,
        compound=world.a,
        title="调查",
        starts_on=today,
        ends_on=today + timedelta(days=3),
        target_rate=30,
        questions=["保洁"],
    )
    (q,) = survey.questions.all()
    results = _race(
        [
            (lambda u=u: services.survey_answer(actor=u, survey=survey, answers={q.pk: 5}))
            for u in people
        ]
    )
    assert results == ["conflict"] * 5 + ["ok"]
    assert Survey.objects.get(pk=survey.pk).responses == 1
    assert sum(SurveyTally.objects.values_list("count", flat=True)) == 1


def test_return_call_recorded_once(world):
    case = settled_case(world.a, world.home)
    rating = services.rating_give(actor=world.resident_a, subject=f"dispute:{case.pk}", level=2)
    loop = rating.loop
    results = _race(
        [
            (lambda u=u: services.loop_call(actor=u, loop=loop, note="已回访"))
            for u in (world.staff_a, world.manager_a, world.company_admin_a)
        ]
    )
    assert results == ["conflict", "conflict", "ok"]
    assert LoopEvent.objects.filter(loop=loop, what="called").count() == 1
