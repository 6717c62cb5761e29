"""Care visits under the archive policy (core.retention, registered in
care/apps.py): the routine visits of a month past retention are archived,
then deleted; a visit that opened an escalation or a follow-up stays in the
database with its case; newer months stay; a restore puts the month back."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from wanjia.care import services
from wanjia.care.models import Escalation, FollowUp, Visit
from wanjia.core import retention

from .conftest import build_care

pytestmark = pytest.mark.django_db

# 24 months of retention (the default) on 2028-06-10 keep 2026-06 onwards
NOW = timezone.make_aware(datetime(2028, 6, 10, 9, 0))
MARCH = [date(2026, 3, d) for d in (10, 11, 12)]
JULY = date(2026, 7, 1)


@pytest.fixture
def visits(world, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.EVENT_RETENTION_MONTHS = 24
    world.p1, world.p2, world.p3 = build_care(world)
    for day in [*MARCH, JULY]:
        services.visits_generate(day)
    escalated = world.p1.visits.get(date=MARCH[0])
    opened = timezone.make_aware(datetime(2026, 3, 10, 12))
    Escalation.objects.create(
        visit=escalated, compound=escalated.compound, opened_at=opened, due_at=opened
    )
    helped = world.p2.visits.get(date=MARCH[1])
    FollowUp.objects.create(
        compound=helped.compound,
        visit=helped,
        person=helped.person,
        kind="service",
        description="需要送餐",
        due_at=opened + timedelta(days=3),
        created_at=opened,
    )
    return escalated, helped


def test_routine_visits_are_archived_and_a_case_keeps_its_visit(visits):
    escalated, helped = visits
    march = Visit.objects.filter(date__in=MARCH)
    assert march.count() == 9  # three people, three days
    routine = sorted(march.exclude(pk__in=[escalated.pk, helped.pk]).values_list("pk", "note"))

    with time_machine.travel(NOW, tick=False):
        done = [r for r in retention.archive_due() if r.table == "care.visits"]
        assert [(r.period, r.archived, r.deleted) for r in done] == [("2026-03", 7, 7)]
        # the case's visits, the cases and July are still in the database
        assert sorted(Visit.objects.filter(date__in=MARCH).values_list("pk", flat=True)) == sorted(
            [escalated.pk, helped.pk]
        )
        assert Escalation.objects.filter(visit=escalated).exists()
        assert FollowUp.objects.filter(visit=helped).exists()
        assert Visit.objects.filter(date=JULY).count() == 3
        # a second run finds nothing to do
        assert not [r for r in retention.archive_due() if r.table == "care.visits"]

        # an audit request: the month comes back as it was
        assert retention.restore_month("care.visits", "2026-03") == 7
    back = Visit.objects.filter(date__in=MARCH).exclude(pk__in=[escalated.pk, helped.pk])
    assert sorted(back.values_list("pk", "note")) == routine


def test_the_operator_sees_care_visits_among_the_tables(visits):
    t = retention.table("care.visits")
    with time_machine.travel(NOW, tick=False):
        assert retention.due_before(t) == "2026-06"
        # a dry run counts the routine visits only
        counted = retention.archive_table("care.visits", "2026-06", dry_run=True)
    assert [(r.period, r.rows) for r in counted] == [("2026-03", 7)]
