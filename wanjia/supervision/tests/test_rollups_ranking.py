"""The compound ranking in pages (issue #18: flat at 10× the city): 50 rows a
page, ranks that carry on across pages (ties too), the area's top and bottom
five on every page, movement since last month, a bad ?page= never a 500, and
the Excel export still every row."""

import re
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core.models import Compound
from wanjia.supervision.rollups import selectors
from wanjia.supervision.rollups.kpis import INDEX
from wanjia.supervision.rollups.models import Level, RankPlace, Rollup
from wanjia.supervision.rollups.services import rank_month, rollup_month

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 12, 10, 9, 0))
N = 120


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=["stored", "window"])
def city(request, world):
    """120 compounds in world A's community, ranked P000 (best) … P119 (worst)
    this month and the other way round last month; P049 and P050 tie. Read
    from the job's stored places, or (a month rolled up before they existed)
    ranked by the database's window function."""
    w = world
    made = Compound.objects.bulk_create(
        [
            Compound(
                name=f"P{i:03d}",
                code=f"RK{i:03d}",
                community=w.a.community,
                company=w.a.company,
            )
            for i in range(N)
        ]
    )
    if not made[0].pk:
        made = list(Compound.objects.filter(code__startswith="RK").order_by("code"))
    rows = []
    for i, c in enumerate(made):
        now = 200.0 - i if i != 50 else 200.0 - 49  # P050 ties with P049
        rows.append(
            Rollup(period="2026-12", level=Level.COMPOUND, unit_id=c.pk, code=INDEX, value=now)
        )
        rows.append(
            Rollup(period="2026-11", level=Level.COMPOUND, unit_id=c.pk, code=INDEX, value=float(i))
        )
    Rollup.objects.bulk_create(rows)
    if request.param == "stored":
        assert rank_month("2026-12") == rank_month("2026-11") == 3 * N  # city, district, street
    w.ranked = made
    return w


def _get(client, query=""):
    return client.get(f"/gov/supervision/ranking/?period=2026-12{query}")


def _table(html: str, testid: str) -> list[tuple[str, str, str]]:
    """(class, rank, name) of each body row of the table ``testid``."""
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return re.findall(r'<tr class="([^"]*)"><td>(\d+)</td><td>([^<]+)</td>', body)


def test_page_one_shows_fifty_rows_with_the_top_and_bottom_five(city, login):
    html = _get(login(city.regulator)).content.decode()
    rows = _table(html, "ranking")
    assert len(rows) == 50
    assert [r[2] for r in rows[:3]] == ["P000", "P001", "P002"]
    assert [r[0] for r in rows[:6]] == ["sup-top"] * 5 + [""]
    assert [r[2] for r in _table(html, "ranking-top")] == [f"P{i:03d}" for i in range(5)]
    assert [(r[1], r[2]) for r in _table(html, "ranking-bottom")] == [
        (str(i + 1), f"P{i:03d}") for i in range(115, 120)
    ]
    assert 'data-total="120"' in html and "page=2" in html


def test_page_two_starts_at_rank_fifty_one_and_keeps_the_citys_ends(city, login):
    html = _get(login(city.regulator), "&page=2").content.decode()
    rows = _table(html, "ranking")
    # P049 and P050 tie at rank 50: the tie carries across the page break
    assert (rows[0][1], rows[0][2]) == ("50", "P050")
    assert (rows[1][1], rows[1][2]) == ("52", "P051")
    assert [r[2] for r in _table(html, "ranking-top")] == [f"P{i:03d}" for i in range(5)]
    assert [r[2] for r in _table(html, "ranking-bottom")] == [f"P{i:03d}" for i in range(115, 120)]
    assert not any(r[0] for r in rows)  # neither end is on page 2


def test_the_last_page_highlights_the_bottom_five(city, login):
    rows = _table(_get(login(city.regulator), "&page=3").content.decode(), "ranking")
    assert len(rows) == 20
    assert [r[0] for r in rows[-6:]] == [""] + ["sup-bottom"] * 5
    assert rows[-1][1:] == ("120", "P119")


def test_pages_join_up_to_the_full_ranking_with_movement(city):
    street = city.a.community.parent
    full = selectors.compound_ranking("2026-12", street)
    paged = []
    for number in (1, 2, 3):
        paged += selectors.ranking_page("2026-12", street, number)["rows"]
    assert len(full) == len(paged) == N
    assert [(r["rank"], r["compound_id"], r["move"]) for r in paged] == [
        (r["rank"], r["compound_id"], r["move"]) for r in full
    ]
    assert paged[0]["move"] == 119  # last of 120 last month, first now
    assert paged[0]["company"] == city.a.company.name


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "", "1.5", "99999999999999999999"])
def test_a_bad_page_number_shows_the_first_page(city, login, raw):
    response = _get(login(city.regulator), f"&page={raw}")
    assert response.status_code == 200
    assert _table(response.content.decode(), "ranking")[0][2] == "P000"


def test_a_page_past_the_last_is_a_clean_404(city, login):
    assert _get(login(city.regulator), "&page=4").status_code == 404


def test_an_empty_month_is_page_one_without_ends(world, login):
    response = login(world.regulator).get("/gov/supervision/ranking/?period=2026-10")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ranking-top" not in html and "ranking-bottom" not in html


def test_the_excel_export_still_lists_every_compound(city, login):
    response = _get(login(city.regulator), "&format=xlsx&page=2")
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == N
    assert names[0] == "P000" and names[-1] == "P119"


def test_the_page_runs_the_same_queries_for_a_bigger_city(
    city, login, django_assert_max_num_queries
):
    client = login(city.regulator)
    _get(client)  # warm: session, caches
    with django_assert_max_num_queries(14):
        _get(client, "&page=2")


def test_the_job_writes_the_places_of_the_city_its_districts_and_streets(world):
    w = world
    rollup_month("2026-12")
    street = w.a.community.parent
    regions = {street.pk, street.parent_id, street.parent.parent_id}
    places = RankPlace.objects.filter(period="2026-12", compound_id=w.a.pk)
    assert set(places.values_list("region_id", flat=True)) == regions
    for region in regions:
        positions = list(
            RankPlace.objects.filter(period="2026-12", region_id=region)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))
    rollup_month("2026-12")  # a rerun: the same places, none twice
    assert RankPlace.objects.filter(period="2026-12", compound_id=w.a.pk).count() == places.count()


def test_a_community_area_is_ranked_too(city, login):
    response = _get(login(city.regulator), f"&area={city.a.community.pk}&page=3")
    rows = _table(response.content.decode(), "ranking")
    assert rows[-1][1:] == ("120", "P119")
