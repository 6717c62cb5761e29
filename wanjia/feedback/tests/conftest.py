"""A small world for satisfaction: settled disputes (the easiest real rateable
subject to build) of the resident's household in A and of a household in B."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from wanjia.disputes.models import Case, CaseParty, Level, Source, Status
from wanjia.feedback import services
from wanjia.feedback.models import Rating

# A Tuesday morning, local time
T0 = timezone.make_aware(datetime(2026, 3, 10, 9, 0))


def settled_case(compound, household, *, resolved_at=None, status=Status.RESOLVED) -> Case:
    resolved_at = resolved_at or timezone.now() - timedelta(hours=2)
    case = Case.objects.create(
        compound=compound,
        building=household.building,
        category="leak",
        summary="楼上漏水",
        level=Level.BUILDING,
        status=status,
        source=Source.RESIDENT,
        due_at=resolved_at + timedelta(days=3),
        opened_at=resolved_at - timedelta(days=1),
        resolved_at=resolved_at if status != Status.PENDING else None,
    )
    CaseParty.objects.create(case=case, household=household, label=household.room)
    return case


def rating_in(compound, household, *, level=2, comment="太慢了", at=None) -> Rating:
    """A rating made directly (compound B has no resident account)."""
    at = at or timezone.now()
    case = settled_case(compound, household, resolved_at=at - timedelta(hours=1))
    rating = Rating.objects.create(
        kind="dispute",
        subject_id=case.pk,
        label=f"纠纷调解 {case.pk}",
        compound=compound,
        company_id=compound.company_id,
        household=household,
        finished_at=case.resolved_at,
        level=level,
        first_level=level,
        comment=comment,
        rated_at=at,
    )
    if level <= 2:
        services._open_loop(rating, at)
    return rating


@pytest.fixture
def case_a(world):
    return settled_case(world.a, world.home)


@pytest.fixture
def unhappy(world, case_a):
    return services.rating_give(
        actor=world.resident_a, subject=f"dispute:{case_a.pk}", level=2, comment="调解员态度差"
    )
