"""The regulator's home adds up stored per-compound tallies (``RegistryTally``)
instead of counting every resident of the city on each visit; the numbers must
still be the live registry's, whatever changed since the last count."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from wanjia.core.models import Compound
from wanjia.estates import services
from wanjia.estates.figures import figures_by_compound, tallied_by_compound
from wanjia.estates.models import Household, RegistryTally, Resident
from wanjia.estates.tasks import registry_recount

NOON = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def _fields(figures):
    return {
        pk: (f.households, f.residents, f.elderly_alone, f.party_residents, f.party_staff)
        for pk, f in figures.items()
    }


def _kpi(html: str) -> str:
    return html.split('kpi-label">居民<', 1)[1].split("</a>", 1)[0].rsplit(">", 1)[1]


@time_machine.travel(NOON, tick=False)
def test_tallies_are_stored_once_and_agree_with_a_live_count(world, django_assert_num_queries):
    compounds = Compound.objects.all()
    live = figures_by_compound(compounds)
    assert not RegistryTally.objects.exists()
    assert _fields(tallied_by_compound(compounds)) == _fields(live)  # counted and stored
    assert RegistryTally.objects.count() == compounds.count()
    with django_assert_num_queries(2):  # the compounds and their tallies: no counting
        again = tallied_by_compound(compounds)
    assert _fields(again) == _fields(live)
    assert {pk: f.company_ids for pk, f in again.items()} == {
        pk: f.company_ids for pk, f in live.items()
    }


@time_machine.travel(NOON, tick=False)
def test_a_committed_change_shows_at_once_and_a_rolled_back_one_never(world, login):
    client = login(world.regulator)
    before = int(_kpi(client.get(reverse("gov_home")).content.decode()))
    household = Household.objects.filter(compound=world.a).first()
    services.resident_create(actor=world.manager_a, household=household, data={"name": "新住户"})
    assert int(_kpi(client.get(reverse("gov_home")).content.decode())) == before + 1

    with pytest.raises(RuntimeError), transaction.atomic():
        Resident.objects.filter(name="新住户").get().delete()
        raise RuntimeError("rolled back")
    assert RegistryTally.objects.filter(compound=world.a).exists()  # kept: nothing changed
    assert int(_kpi(client.get(reverse("gov_home")).content.decode())) == before + 1

    Resident.objects.filter(name="新住户").get().delete()
    assert not RegistryTally.objects.filter(compound=world.a).exists()
    assert int(_kpi(client.get(reverse("gov_home")).content.decode())) == before


def test_yesterdays_tally_is_counted_again_for_who_is_elderly_today(world):
    """Someone turns 60 at midnight: a tally from yesterday is not used today."""
    household = Household.objects.filter(compound=world.a).first()
    with time_machine.travel(NOON, tick=False):
        birthday = timezone.localdate().replace(year=1966) + timedelta(days=1)
        services.resident_create(
            actor=world.manager_a,
            household=household,
            data={"name": "明天六十", "birth_date": birthday, "lives_alone": True},
        )
        today = tallied_by_compound(Compound.objects.filter(pk=world.a.pk))[world.a.pk]
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        tomorrow = tallied_by_compound(Compound.objects.filter(pk=world.a.pk))[world.a.pk]
    assert tomorrow.elderly_alone == today.elderly_alone + 1


@time_machine.travel(NOON, tick=False)
def test_the_nightly_recount_writes_every_compound(world):
    RegistryTally.objects.all().delete()
    assert registry_recount.call_local() == Compound.objects.count()
    assert set(RegistryTally.objects.values_list("counted_on", flat=True)) == {timezone.localdate()}


@time_machine.travel(NOON, tick=False)
def test_a_regions_rows_add_up_in_the_database_to_the_live_count(world, login):
    from wanjia.estates.figures import tallied_by_community, total

    live = total(figures_by_compound(Compound.objects.all()))
    per_community = tallied_by_community(Compound.objects.all())
    summed = total({pk: f for pk, (_path, f) in per_community.items()})
    assert (summed.compounds, summed.companies) == (live.compounds, live.companies)
    assert _fields({0: summed}) == _fields({0: live})
    page = login(world.regulator).get(reverse("gov_home")).content.decode()
    assert int(_kpi(page)) == live.residents
