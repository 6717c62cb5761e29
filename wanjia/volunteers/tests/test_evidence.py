"""A thanks shown on the wall is a nominable record (先进典型): registered with
the kernel's evidence registry, read within the reader's scope only, never a
thanks still pending or hidden."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wanjia.core import evidence
from wanjia.volunteers.models import Thanks

pytestmark = pytest.mark.django_db


def _thanks(compound, status="shown", name="王阿姨"):
    return Thanks.objects.create(
        compound=compound,
        author_label="3号楼住户",
        target_kind="volunteer",
        target_id=1,
        target_name=name,
        text="帮独居老人买菜三个月",
        status=status,
        created_at=timezone.now(),
    )


def test_thanks_on_the_wall_are_nominable(world):
    w = world
    shown = _thanks(w.a)
    pending = _thanks(w.a, status="pending")
    hidden = _thanks(w.a, status="hidden")
    other = _thanks(w.b)
    source = evidence.sources()["volunteers.thanks"]
    since = timezone.localdate() - timedelta(days=7)
    assert [r.id for r in source.recent([w.a.pk], since)] == [shown.pk]
    rec = evidence.find(w.manager_a, f"volunteers.thanks:{shown.pk}")
    assert rec.people == "王阿姨" and "帮独居老人买菜" in rec.label
    assert rec.compound_id == w.a.pk and rec.company_id == w.a.company_id
    assert rec.url.startswith(f"/console/volunteers/c/{w.a.pk}/thanks/")
    assert evidence.find(w.regulator, f"volunteers.thanks:{shown.pk}") is not None
    for user, pk in (
        (w.outsider_b, shown.pk),
        (w.resident_a, shown.pk),
        (w.manager_a, pending.pk),
        (w.manager_a, hidden.pk),
        (w.manager_a, other.pk),
    ):
        assert evidence.find(user, f"volunteers.thanks:{pk}") is None
    assert source.recent([w.a.pk], timezone.localdate() + timedelta(days=2)) == []
