"""A dispute mediated in the building or compound is a nominable record
(先进典型): registered with the kernel's evidence registry, read within the
reader's scope only, never a case settled higher up or still open."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wanjia.core import evidence
from wanjia.disputes.models import Case

pytestmark = pytest.mark.django_db


def _case(compound, *, level, status="closed", mediator=None):
    now = timezone.now()
    return Case.objects.create(
        compound=compound,
        category="noise",
        summary="楼上噪音",
        level=level,
        status=status,
        source="leader",
        opened_at=now - timedelta(days=3),
        due_at=now,
        resolved_at=now if status in ("resolved", "closed") else None,
        resolved_level=level if status in ("resolved", "closed") else "",
        mediator=mediator,
    )


def test_local_mediations_are_nominable(world):
    w = world
    building = _case(w.a, level="building", mediator=w.leader_a)
    compound = _case(w.a, level="compound", status="resolved")
    higher = _case(w.a, level="community")
    still_open = _case(w.a, level="building", status="mediating")
    other = _case(w.b, level="building")
    source = evidence.sources()["disputes.mediation"]
    since = timezone.localdate() - timedelta(days=30)
    assert {r.id for r in source.recent([w.a.pk], since)} == {building.pk, compound.pk}
    rec = evidence.find(w.manager_a, f"disputes.mediation:{building.pk}")
    assert rec.people == "陈楼长" and rec.compound_id == w.a.pk
    assert rec.company_id == w.a.company_id and rec.url == f"/console/disputes/{building.pk}/"
    assert building.summary not in rec.label  # the parties' story stays in the case
    assert evidence.find(w.regulator, f"disputes.mediation:{building.pk}") is not None
    for user, pk in (
        (w.outsider_b, building.pk),  # another compound's
        (w.resident_a, building.pk),  # not staff
        (w.manager_a, higher.pk),  # settled above the compound
        (w.manager_a, still_open.pk),
        (w.manager_a, other.pk),
    ):
        assert evidence.find(user, f"disputes.mediation:{pk}") is None
    assert source.recent([w.a.pk], date.today() + timedelta(days=2)) == []
