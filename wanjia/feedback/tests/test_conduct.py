"""Satisfaction's conduct rules for the credit score: substantiated complaints
(appeal rejected) and unhappy-rating loops not fixed by their due time."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wanjia.core import conduct
from wanjia.feedback.models import Appeal, Loop, Rating

pytestmark = pytest.mark.django_db


_SEQ = iter(range(1, 1000))


def _loop(world, *, fix_due, fixed_at=None, appeal=Appeal.NONE, decided_at=None):
    now = timezone.now()
    rating = Rating.objects.create(
        kind="ticket",
        subject_id=(n := next(_SEQ)),
        label=f"报修 #{n}",
        compound=world.a,
        company=world.a.company,
        household=world.home,
        rated_by=world.resident_a,
        finished_at=now,
        level=1,
        first_level=1,
        rated_at=now,
    )
    return Loop.objects.create(
        rating=rating,
        compound=world.a,
        opened_at=now,
        call_due=now,
        fix_due=fix_due,
        fixed_at=fixed_at,
        appeal=appeal,
        decided_at=decided_at,
    )


def test_loops_not_fixed_in_time_and_substantiated_complaints(world):
    now = timezone.now()
    late = _loop(world, fix_due=now - timedelta(hours=2))
    _loop(world, fix_due=now - timedelta(hours=2), fixed_at=now - timedelta(hours=3))  # in time
    _loop(world, fix_due=now - timedelta(hours=2), appeal=Appeal.UPHELD)  # rating set aside
    stands = _loop(world, fix_due=now + timedelta(days=5), appeal=Appeal.REJECTED, decided_at=now)
    today = timezone.localdate()
    month = (date(today.year, today.month, 1), today + timedelta(days=40))
    unclosed = conduct.rule("feedback.loop_unclosed").collect([world.a.company_id], *month)
    assert [e.ref for e in unclosed] == [f"feedback.loop:{late.pk}"]
    assert unclosed[0].url == f"/console/feedback/ratings/{late.rating_id}/"
    complaints = conduct.rule("feedback.complaint_substantiated").collect(
        [world.a.company_id], *month
    )
    assert [(e.ref, e.points) for e in complaints] == [(f"feedback.rating:{stands.rating_id}", 2)]
    assert conduct.rule("feedback.loop_unclosed").collect([world.b.company_id], *month) == []
