"""Two party-member counts exist and every page names the one it shows:
居民党员 (residents the registry marks as members; the regulator's home, the
compound page, the console's cards) and 在册党员 (the branch's register; the party
pages). A bare "党员" beside a number once showed 57 on one page and 38 on another
for the same compound."""

import re

from django.urls import reverse

from wanjia.estates.models import Resident, StaffMember
from wanjia.party import services as party


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*>([\d,]+)<', html)
    assert match, name
    return match.group(1).replace(",", "")


def test_each_count_is_named_and_agrees_with_its_list(world, login):
    Resident.objects.filter(compound=world.a).update(is_party_member=True)  # 2 residents
    StaffMember.objects.create(
        company=world.a.company, compound=world.a, name="党员保安", is_party_member=True
    )
    branch = party.branch_create(actor=world.secretary_a, name="幸福里党支部", compounds=[world.a])
    resident = Resident.objects.filter(compound=world.a).first()
    party.member_add(actor=world.secretary_a, branch=branch, resident=resident)

    gov = login(world.regulator).get(reverse("gov_home")).content.decode()
    assert "居民党员" in gov and "另有在岗员工党员 1 人" in gov
    assert _figure(gov, "party_residents") == "2"
    found = (
        login(world.regulator)
        .get(reverse("console_search_in", args=["estates"]) + "?flag=party")
        .content.decode()
    )
    assert "居民党员" in found

    page = login(world.manager_a).get(reverse("compound_detail", args=[world.a.pk]))
    html = page.content.decode()
    assert _figure(html, "party_residents") == "2" and "另有在岗员工党员 1 人" in html
    assert '<th class="num">居民党员</th>' in html

    home = login(world.secretary_a).get(reverse("party_home") + f"?compound={world.a.pk}")
    html = home.content.decode()
    assert "在册党员" in html and _figure(html, "members") == "1"
    for shown in (gov, page.content.decode()):
        assert not re.search(r'kpi-label">党员<', shown)
