"""The console menu folds into groups once a user has more sections than a
phone's header can show, and keeps a guard's three entries on the bar."""

import pytest
from django.urls import reverse

from wanjia.core import nav
from wanjia.core.nav import FLAT_UP_TO, nav_links_for, nav_menu_for


def _bar(menu):
    return [item["link"]["url_name"] if "link" in item else item["group"] for item in menu]


@pytest.mark.django_db
def test_a_manager_sees_groups_and_the_page_shown_marks_its_group(world):
    links = nav_links_for(world.manager_a)
    assert len(links) > FLAT_UP_TO
    menu = nav_menu_for(world.manager_a, current="disputes_home")
    bar = _bar(menu)
    assert bar[:2] == ["console_home", "console_search"]
    assert "govern" in bar and "serve" in bar
    # every link the role may use is still reachable, once
    inside = [link["url_name"] for item in menu for link in item.get("links", [item.get("link")])]
    assert sorted(inside) == sorted(link["url_name"] for link in links)
    govern = next(item for item in menu if item.get("group") == "govern")
    assert govern["on"] and [link["url_name"] for link in govern["links"] if link["on"]] == [
        "disputes_home"
    ]
    assert not any(item.get("on") for item in menu if item.get("group") not in (None, "govern"))


@pytest.mark.django_db
def test_a_group_holding_one_link_for_this_user_is_that_link(world, monkeypatch):
    monkeypatch.setattr(nav, "FLAT_UP_TO", 0)
    menu = nav_menu_for(world.manager_a)
    for item in menu:
        if "group" in item:
            assert len(item["links"]) >= 2, item["group"]
    lone = [item["link"]["url_name"] for item in menu if "link" in item and item["link"]["group"]]
    for name in lone:
        group = next(
            link["group"] for link in nav_links_for(world.manager_a) if link["url_name"] == name
        )
        assert sum(link["group"] == group for link in nav_links_for(world.manager_a)) == 1


@pytest.mark.django_db
def test_few_sections_stay_on_the_bar(world):
    links = nav_links_for(world.leader_a)  # a building leader: a few sections
    assert 2 < len(links) <= FLAT_UP_TO
    menu = nav_menu_for(world.leader_a)
    assert [item["link"]["url_name"] for item in menu] == [link["url_name"] for link in links]


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        nav.console_nav_link("x", "nav_test_unknown_group", group="nope")


@pytest.mark.django_db
def test_the_page_renders_groups_that_open_without_hover(login, world):
    html = login(world.manager_a).get(reverse("disputes_home")).content.decode()
    assert '<details class="navgroup on" data-navgroup="govern">' in html
    assert 'aria-current="page"' in html


def test_the_regulators_bar_folds_into_its_groups(world):
    """Thirteen entries wrapped onto four lines on a phone: the supervision
    pages fold into 监管数据, 信用 and 检查, each link reachable from one."""
    from wanjia.core.nav import nav_links_for, nav_menu_for

    menu = nav_menu_for(world.regulator, "credit_companies", "gov")
    groups = {item["group"]: item for item in menu if "group" in item}
    assert set(groups) == {"oversee", "credit", "inspect"}
    assert groups["credit"]["on"] and not groups["oversee"]["on"]
    folded = [link["url_name"] for g in groups.values() for link in g["links"]]
    flat = [item["link"]["url_name"] for item in menu if "link" in item]
    assert sorted(folded + flat) == sorted(
        link["url_name"] for link in nav_links_for(world.regulator, "gov")
    )
    assert nav_menu_for(world.manager_a, "", "gov") == []  # not the regulator's bar
