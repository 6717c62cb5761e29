"""The foundation's pages: login, language, elder mode, console home, resident
H5, regulator home and the audit log. Each page: allowed, wrong role (403),
other tenant (404)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wanjia.core.audit import audit
from wanjia.core.models import AuditLog, Region
from wanjia.estates.testing import PASSWORD, make_compound, make_region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords hash with a cheap hasher: these tests are about pages."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def text(response) -> str:
    return response.content.decode()


# ---- login, language, elder mode ---------------------------------------------------


def test_login_page_and_login_by_phone(client, world):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "用户名或手机号" in text(page)
    r = client.post(reverse("login"), {"username": "13812345678", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get(r.url, follow=True).request["PATH_INFO"] == reverse("h5_home")


def test_login_refused_says_why_in_place(client, world):
    r = client.post(reverse("login"), {"username": "mgr_a", "password": "wrong"})
    assert r.status_code == 400
    assert "用户名或密码不正确" in text(r)
    assert "_auth_user_id" not in client.session


def test_english_switch_translates_the_console(login, world):
    c = login(world.manager_a)
    assert "今日工作" in text(c.get(reverse("console_home")))
    r = c.post(reverse("set_language"), {"language": "en", "next": reverse("console_home")})
    assert r.status_code == 302
    page = text(c.get(reverse("console_home")))
    assert "Today's work" in page
    assert 'lang="en"' in page


def test_elder_mode_is_remembered_in_a_cookie(login, world):
    c = login(world.resident_a)
    assert 'class="elder"' not in text(c.get(reverse("h5_home")))
    r = c.get(reverse("elder_toggle") + "?next=/h5/")
    assert r.status_code == 302 and r.url == "/h5/"
    assert r.cookies["elder"].value == "1"
    assert 'class="elder"' in text(c.get(reverse("h5_me")))
    r = c.get(reverse("elder_toggle") + "?next=https://evil.example/")
    assert r.url == "/" and r.cookies["elder"].value == "0"


# ---- console home -------------------------------------------------------------------


def test_console_home_shows_the_managers_work(login, world):
    page = text(login(world.manager_a).get(reverse("console_home")))
    assert "我的小区" in page and "幸福里" in page
    assert "和平苑" not in page
    # 张伟 lives alone, no birth date (counted, so nobody is missed) and no contact
    assert "独居老人未登记紧急联系人" in page
    assert "st-due" in page
    assert reverse("household_detail", args=[world.home.pk]) in page


def test_console_home_for_leader_and_regulator(login, world):
    leader = text(login(world.leader_a).get(reverse("console_home")))
    assert "我的楼栋" in leader and "楼栋独居老人" in leader
    assert "我的小区" not in leader
    gov = text(login(world.regulator).get(reverse("console_home")))
    assert "辖区小区" in gov


def test_console_nav_shows_only_what_the_role_may_use(login, world):
    manager = text(login(world.manager_a).get(reverse("console_home")))
    assert reverse("compound_list") in manager and reverse("console_search") in manager
    # one search entry: the resident finder is a page of it, not a menu entry of its own
    assert reverse("resident_search") not in manager
    assert "查找居民</" not in manager
    assert reverse("audit_log") not in manager
    admin = text(login(world.company_admin_a).get(reverse("console_home")))
    assert reverse("audit_log") in admin


def test_console_home_sends_residents_to_the_h5(login, world):
    r = login(world.resident_a).get(reverse("console_home"))
    assert r.status_code == 302 and r.url == reverse("h5_home")


def test_console_home_needs_login(client):
    r = client.get(reverse("console_home"))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


# ---- resident H5 ----------------------------------------------------------------------


def test_h5_home_shows_only_my_household(login, world):
    from wanjia.core.notify import notify

    notify(recipients=[world.resident_a], title="停水通知")
    page = text(login(world.resident_a).get(reverse("h5_home")))
    assert "张伟" in page and "138****5678" in page
    assert "13812345678" not in page
    assert "李娜" not in page and "王芳" not in page
    assert "停水通知" in page
    assert 'class="tabbar"' in page


def test_h5_household_is_own_only(login, world):
    c = login(world.resident_a)
    assert c.get(reverse("h5_household", args=[world.home.pk])).status_code == 200
    other = c.get(reverse("h5_household", args=[world.other_home.pk]))
    missing = c.get(reverse("h5_household", args=[999999]))
    assert other.status_code == missing.status_code == 404
    assert c.get(reverse("h5_household", args=[world.b_home.pk])).status_code == 404
    # staff do not live there: the resident page is not a back door for them either
    assert (
        login(world.manager_a).get(reverse("h5_household", args=[world.home.pk])).status_code == 404
    )


def test_h5_services_says_plainly_when_empty(login, world, monkeypatch):
    from wanjia.core import pages

    monkeypatch.setattr(pages, "resident_services", lambda user=None: [])
    page = text(login(world.resident_a).get(reverse("h5_services")))
    assert "服务即将上线" in page


def test_h5_services_lists_registered_links(login, world, monkeypatch):
    from wanjia.core import pages
    from wanjia.core.today import ServiceLink

    links = [ServiceLink(title="测试服务", url_name="h5_me", description="说明")]
    monkeypatch.setattr(pages, "resident_services", lambda user=None: links)
    page = text(login(world.resident_a).get(reverse("h5_services")))
    assert "测试服务" in page and reverse("h5_me") in page


def test_h5_me_has_account_language_elder_and_logout(login, world):
    page = text(login(world.resident_a).get(reverse("h5_me")))
    for expected in ("res_a", "138****5678", "长辈模式", "English", reverse("logout")):
        assert expected in page


# ---- regulator --------------------------------------------------------------------------


def test_gov_home_kpis_and_drill_down(login, world):
    c = login(world.regulator)
    r = c.get(reverse("gov_home"))
    assert r.status_code == 200
    page = text(r)
    assert r.context["kpi"].compounds == 2
    assert r.context["kpi"].households == world.a.households.count() + world.b.households.count()
    assert r.context["kpi"].residents == 3
    assert r.context["kpi"].elderly_alone == 1
    assert "标记为独居、且年满60周岁" in page  # each figure says how it is computed
    main = page.split("<main", 1)[1]
    assert "<svg" in main and "<script" not in main  # server-rendered chart, no chart JS
    district = world.a.community.parent.parent
    r = c.get(reverse("gov_home"), {"region": district.pk})
    assert r.status_code == 200 and r.context["kpi"].compounds == 1
    r = c.get(reverse("gov_home"), {"region": world.a.community.pk})
    assert [row["name"] for row in r.context["rows"]] == ["幸福里"]
    assert reverse("compound_detail", args=[world.a.pk]) in text(r)


def test_gov_home_other_region_is_404(login, world):
    elsewhere = Region.objects.create(kind="city", name="外市", code="X-CITY", path="")
    elsewhere.path = f"/{elsewhere.pk}/"
    elsewhere.save()
    c = login(world.regulator)
    assert c.get(reverse("gov_home"), {"region": elsewhere.pk}).status_code == 404
    assert c.get(reverse("gov_home"), {"region": "x"}).status_code == 404
    assert c.get(reverse("gov_home"), {"region": 999999}).status_code == 404


def test_gov_home_district_regulator_sees_only_the_district(login, world):
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_user

    district = world.a.community.parent.parent
    official = grant(make_user("gov_d"), Role.REGULATOR, district)
    c = login(official)
    r = c.get(reverse("gov_home"))
    assert r.context["kpi"].compounds == 1
    city = district.parent
    assert c.get(reverse("gov_home"), {"region": city.pk}).status_code == 404
    other = world.b.community.parent.parent
    assert c.get(reverse("gov_home"), {"region": other.pk}).status_code == 404


@pytest.mark.parametrize("who", ["manager_a", "company_admin_a", "resident_a", "leader_a"])
def test_gov_home_wrong_role_403(login, world, who):
    assert login(getattr(world, who)).get(reverse("gov_home")).status_code == 403


# ---- audit log -----------------------------------------------------------------------------


@pytest.fixture
def entries(world):
    audit(actor=world.manager_a, action="estates.resident.updated", compound=world.a)
    audit(actor=world.outsider_b, action="estates.resident.updated", compound=world.b)
    audit(actor=world.manager_a, action="market.order.placed", compound=world.a)


def _actions(response):
    return [(e.action, e.compound_id) for e in response.context["page"]]


def test_audit_company_admin_sees_own_company_only(login, world, entries):
    r = login(world.company_admin_a).get(reverse("audit_log"))
    assert r.status_code == 200
    compounds = {cid for _a, cid in _actions(r)}
    assert compounds == {world.a.pk}
    assert "和平苑" not in text(r)


def test_audit_regulator_sees_region(login, world, entries):
    r = login(world.regulator).get(reverse("audit_log"))
    assert {cid for _a, cid in _actions(r)} >= {world.a.pk, world.b.pk}
    # a regulator of a district next door sees neither
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_user

    tree = make_region_tree("Z")
    make_compound("别处", community=tree["community"])
    official = grant(make_user("gov_z"), Role.REGULATOR, tree["district"])
    seen = {cid for _a, cid in _actions(login(official).get(reverse("audit_log")))}
    assert not seen & {world.a.pk, world.b.pk}


def test_audit_filters(login, world, entries):
    c = login(world.regulator)
    r = c.get(reverse("audit_log"), {"action": "market."})
    assert [a for a, _c in _actions(r)] == ["market.order.placed"]
    r = c.get(reverse("audit_log"), {"actor": "钱经理"})
    assert {cid for _a, cid in _actions(r)} == {world.b.pk}
    r = c.get(reverse("audit_log"), {"compound": world.a.pk, "action": "resident"})
    assert _actions(r) == [("estates.resident.updated", world.a.pk)]
    today = timezone.localdate()
    r = c.get(reverse("audit_log"), {"date_from": today - timedelta(days=1), "date_to": today})
    assert len(_actions(r)) >= 3
    r = c.get(reverse("audit_log"), {"date_from": today + timedelta(days=1)})
    assert _actions(r) == []


def test_audit_bad_filter_is_400_with_field_message(login, world, entries):
    c = login(world.regulator)
    r = c.get(reverse("audit_log"), {"date_from": "yesterday"})
    assert r.status_code == 400
    assert "field-error" in text(r)
    r = c.get(reverse("audit_log"), {"date_from": "2025-02-02", "date_to": "2025-02-01"})
    assert r.status_code == 400 and "结束日期不能早于开始日期" in text(r)
    # a compound outside the admin's scope is not a choice
    r = login(world.company_admin_a).get(reverse("audit_log"), {"compound": world.b.pk})
    assert r.status_code == 400


def test_audit_is_paged(login, world):
    for i in range(55):
        audit(actor=world.manager_a, action=f"test.thing.{i}", compound=world.a)
    c = login(world.company_admin_a)
    first = c.get(reverse("audit_log"))
    assert len(first.context["page"]) == 50 and first.context["page"].has_next()
    second = c.get(reverse("audit_log"), {"page": 2})
    assert len(second.context["page"]) == second.context["page"].paginator.count - 50


@pytest.mark.parametrize("who", ["manager_a", "resident_a", "leader_a", "staff_a"])
def test_audit_wrong_role_403(login, world, who):
    before = AuditLog.objects.count()
    assert login(getattr(world, who)).get(reverse("audit_log")).status_code == 403
    assert AuditLog.objects.count() == before


# ---- error pages ---------------------------------------------------------------------


def test_missing_and_out_of_scope_pages_say_so_in_chinese_with_the_same_body(world, login):
    client = login(world.manager_a)
    missing = client.get(reverse("compound_detail", args=[999999]))
    elsewhere = client.get(reverse("compound_detail", args=[world.b.pk]))
    assert missing.status_code == elsewhere.status_code == 404
    # the same page but for the CSRF token, which is masked afresh on each render
    token = re.compile(r'"X-CSRFToken": "[^"]*"')
    assert token.sub("", text(missing)) == token.sub("", text(elsewhere))
    assert "找不到该页面" in text(missing) and "回到首页" in text(missing)


def test_a_refusal_is_a_page_but_an_htmx_refusal_is_one_line(world, login):
    client = login(world.resident_a)
    page = client.get(reverse("audit_log"))
    assert page.status_code == 403 and "没有权限" in text(page) and "<html" in text(page)
    partial = client.get(reverse("audit_log"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 403 and "<html" not in text(partial)
    assert "没有做这件事的权限" in text(partial)
