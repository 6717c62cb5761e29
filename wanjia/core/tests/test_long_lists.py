"""Long console lists page, and the pager says how many there are (the regulator's
lists stopped at 50, the market's order list at 300, without a word); deep pages
lead back to their parent."""

import re

from django.urls import reverse

from wanjia.estates.models import Resident
from wanjia.estates.testing import make_resident


def _total(html: str) -> int:
    return int(re.search(r'class="pager[^"]*"[^>]*data-total="(\d+)"', html).group(1))


def test_resident_search_pages_through_every_match(world, login, monkeypatch):
    from wanjia.estates import views

    monkeypatch.setattr(views, "SEARCH_LIMIT", 2)
    for n in range(3):
        make_resident(world.home, f"张{n}三", is_party_member=True)
    expected = Resident.objects.filter(compound=world.a, is_party_member=True).count()
    client = login(world.manager_a)
    base = reverse("console_search_in", args=["estates"])
    names = []
    page = 1
    while True:
        html = client.get(f"{base}?flag=party&page={page}").content.decode()
        assert _total(html) == expected
        names += re.findall(r'class="title-cell"><a [^>]+>([^<]+)</a>', html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert page == 2 and len(names) == len(set(names)) == expected
    assert f"共 {expected} 条" in html


def test_a_regulator_climbs_back_from_a_compound_to_the_regions(world, login):
    html = login(world.regulator).get(reverse("compound_detail", args=[world.a.pk]))
    html = html.content.decode()
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    regions = re.findall(r'href="/gov/\?region=(\d+)">([^<]+)<', crumbs)
    assert [name for _pk, name in regions][-1] == world.a.community.name
    assert len(regions) >= 2 and f"<b>{world.a.name}</b>" in crumbs
    for pk, _name in regions:
        assert login(world.regulator).get(f"/gov/?region={pk}").status_code == 200
    # a manager's way back is the compound list, as before
    manager = login(world.manager_a).get(reverse("compound_detail", args=[world.a.pk]))
    assert "/gov/?region=" not in manager.content.decode()


def test_a_case_page_leads_back_to_its_compound_on_the_board(world, login):
    from wanjia.disputes import services as disputes

    case = disputes.case_open(
        actor=world.resident_a,
        compound=world.a,
        category="leak",
        summary="楼上卫生间漏水",
        households=[world.other_home],
    )
    html = login(world.manager_a).get(reverse("disputes_case", args=[case.pk])).content.decode()
    crumbs = re.search(r'<nav class="crumbs.*?</nav>', html, re.S).group(0)
    assert f'href="/console/disputes/?compound={world.a.pk}">{world.a.name}</a>' in crumbs
    assert f"<b>#{case.pk} " in crumbs
