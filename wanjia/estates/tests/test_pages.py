"""Registry pages in the console: allowed, wrong role (403), other tenant (404),
denied writes change nothing, reveals are audited and refused without the
capability."""

import pytest
from django.urls import reverse

from wanjia.core.models import AuditLog
from wanjia.estates.models import Resident
from wanjia.estates.services import staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords hash with a cheap hasher: these tests are about pages."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return response.content.decode()


def zhang(world) -> Resident:
    return Resident.objects.get(household=world.home)


# ---- compound list and page ------------------------------------------------------------


def test_compound_list_is_scoped(login, world):
    page = text(login(world.manager_a).get(reverse("compound_list")))
    assert "幸福里" in page and "和平苑" not in page
    r = login(world.regulator).get(reverse("compound_list"))
    assert {c.name for c, _f in r.context["rows"]} == {"幸福里", "和平苑"}


def test_compound_list_filters_stay_in_the_url(login, world):
    c = login(world.regulator)
    r = c.get(reverse("compound_list"), {"q": "和平"})
    assert [x.name for x, _f in r.context["rows"]] == ["和平苑"]
    r = c.get(reverse("compound_list"), {"company": world.a.company_id})
    assert [x.name for x, _f in r.context["rows"]] == ["幸福里"]
    r = c.get(reverse("compound_list"), {"kind": "public_rental"})
    assert r.context["rows"] == []
    assert c.get(reverse("compound_list"), {"kind": "castle"}).status_code == 400


@pytest.mark.parametrize("who", ["resident_a", "volunteer_a"])
def test_registry_pages_refuse_residents_and_volunteers(login, world, who):
    c = login(getattr(world, who))
    urls = [
        reverse("compound_list"),
        reverse("compound_detail", args=[world.a.pk]),
        reverse("compound_staff", args=[world.a.pk]),
        reverse("building_detail", args=[world.home.building_id]),
        reverse("household_detail", args=[world.home.pk]),
        reverse("household_detail", args=[world.other_home.pk]),
        reverse("console_search_in", args=["estates"]) + "?q=zw",
        reverse("resident_new", args=[world.home.pk]),
    ]
    for url in urls:
        assert c.get(url).status_code == 403, url


def test_compound_page_counts(login, world):
    r = login(world.manager_a).get(reverse("compound_detail", args=[world.a.pk]))
    assert r.status_code == 200
    f = r.context["figures"]
    assert (f.buildings, f.households, f.residents, f.elderly_alone) == (
        2,
        world.a.households.count(),
        2,
        1,
    )
    assert [b.name for b, _f in r.context["buildings"]] == ["1栋", "2栋"]
    assert "标记为独居、且年满60周岁" in text(r)


def test_other_tenants_compound_is_404(login, world):
    c = login(world.outsider_b)
    assert c.get(reverse("compound_detail", args=[world.a.pk])).status_code == 404
    assert c.get(reverse("compound_detail", args=[999999])).status_code == 404
    assert c.get(reverse("compound_staff", args=[world.a.pk])).status_code == 404


# ---- buildings and households -------------------------------------------------------------


def test_building_grid(login, world):
    r = login(world.leader_a).get(reverse("building_detail", args=[world.home.building_id]))
    assert r.status_code == 200
    units = r.context["units"]
    floors = [f["floor"] for f in units[0]["floors"]]
    assert floors == sorted(floors, reverse=True)  # top floor first, as on the building
    page = text(r)
    assert reverse("household_detail", args=[world.home.pk]) in page
    assert "has-alone" in page


def test_building_leader_sees_only_own_building(login, world):
    c = login(world.leader_a)
    second = world.a.buildings.exclude(pk=world.home.building_id).get()
    assert c.get(reverse("building_detail", args=[second.pk])).status_code == 404
    own_compound = c.get(reverse("compound_detail", args=[world.a.pk]))
    assert [b.pk for b, _f in own_compound.context["buildings"]] == [world.home.building_id]
    other_home = second.households.first()
    assert c.get(reverse("household_detail", args=[other_home.pk])).status_code == 404


def test_household_page_masks_and_offers_reveal_to_manager(login, world):
    page = text(login(world.manager_a).get(reverse("household_detail", args=[world.home.pk])))
    assert "张伟" in page and "138****5678" in page and "1101**********002X" in page
    assert "13812345678" not in page and "11010519491231002X" not in page
    assert reverse("resident_reveal", args=[zhang(world).pk, "phone"]) in page
    assert reverse("resident_reveal", args=[zhang(world).pk, "id_number"]) in page


def test_household_page_no_reveal_button_without_capability(login, world):
    staff_page = text(login(world.staff_a).get(reverse("household_detail", args=[world.home.pk])))
    assert "138****5678" in staff_page
    assert "/reveal/" not in staff_page
    sec_page = text(login(world.secretary_a).get(reverse("household_detail", args=[world.home.pk])))
    assert reverse("resident_reveal", args=[zhang(world).pk, "phone"]) in sec_page
    assert reverse("resident_reveal", args=[zhang(world).pk, "id_number"]) not in sec_page


def test_other_tenants_household_is_404(login, world):
    c = login(world.outsider_b)
    other = c.get(reverse("household_detail", args=[world.home.pk]))
    missing = c.get(reverse("household_detail", args=[999999]))
    assert other.status_code == missing.status_code == 404


# ---- reveal -------------------------------------------------------------------------------------


def _reveals():
    return AuditLog.objects.filter(action__startswith="estates.resident.revealed").count()


def test_reveal_answers_in_place_and_is_audited(login, world):
    r = login(world.manager_a).post(
        reverse("resident_reveal", args=[zhang(world).pk, "phone"]), **HTMX
    )
    assert r.status_code == 200
    assert "13812345678" in text(r)
    entry = AuditLog.objects.get(action="estates.resident.revealed_phone")
    assert entry.actor == world.manager_a and entry.compound == world.a
    assert entry.object_id == str(zhang(world).pk)


@pytest.mark.parametrize(
    "who,field", [("staff_a", "phone"), ("secretary_a", "id_number"), ("leader_a", "id_number")]
)
def test_reveal_refused_without_capability(login, world, who, field):
    before = _reveals()
    r = login(getattr(world, who)).post(
        reverse("resident_reveal", args=[zhang(world).pk, field]), **HTMX
    )
    assert r.status_code == 403
    assert "11010519491231002X" not in text(r) and "13812345678" not in text(r)
    assert _reveals() == before


def test_reveal_other_tenant_404_and_bad_field_400(login, world):
    before = _reveals()
    url = reverse("resident_reveal", args=[zhang(world).pk, "phone"])
    assert login(world.outsider_b).post(url).status_code == 404
    assert login(world.resident_a).post(url).status_code == 403
    bad = login(world.manager_a).post(
        reverse("resident_reveal", args=[zhang(world).pk, "health_notes"])
    )
    assert bad.status_code == 400
    assert login(world.manager_a).get(url).status_code == 405
    assert _reveals() == before


# ---- add and edit residents -----------------------------------------------------------------


def test_manager_adds_a_resident(login, world):
    c = login(world.manager_a)
    url = reverse("resident_new", args=[world.other_home.pk])
    assert c.get(url).status_code == 200
    r = c.post(
        url,
        {
            "name": "王小明",
            "relation": "family",
            "phone": "13600001234",
            "birth_date": "1950-03-01",
            "lives_alone": "on",
            "ec1_name": "王大明",
            "ec1_phone": "13600004321",
            "ec1_relation": "儿子",
        },
        **HTMX,
    )
    assert r.status_code == 200
    assert r["HX-Redirect"] == reverse("household_detail", args=[world.other_home.pk])
    created = Resident.objects.get(name="王小明")
    assert created.household == world.other_home and created.lives_alone
    assert created.emergency_contacts == [
        {"name": "王大明", "phone": "13600004321", "relation": "儿子"}
    ]
    assert created.name_initials == "wxm"
    assert AuditLog.objects.filter(
        action="estates.resident.created", object_id=str(created.pk)
    ).exists()


def test_field_errors_show_in_place_and_nothing_is_written(login, world):
    c = login(world.manager_a)
    before = Resident.objects.count()
    r = c.post(
        reverse("resident_new", args=[world.other_home.pk]),
        {
            "name": "",
            "relation": "owner",
            "phone": "12345",
            "id_number": "110105194912310021",
            "ec1_phone": "13600004321",
        },
        **HTMX,
    )
    assert r.status_code == 422
    page = text(r)
    assert "<html" not in page  # only the form comes back, for htmx to swap
    assert "请填写姓名" in page
    assert "手机号应为11位" in page
    assert "身份证号校验位不正确" in page
    assert "紧急联系人需包含姓名" in page
    assert Resident.objects.count() == before


def test_bad_date_is_a_field_error_without_htmx(login, world):
    r = login(world.manager_a).post(
        reverse("resident_new", args=[world.other_home.pk]),
        {"name": "赵六", "relation": "owner", "birth_date": "not-a-date"},
    )
    assert r.status_code == 400
    assert "出生日期格式应为" in text(r) and "<html" in text(r)
    assert not Resident.objects.filter(name="赵六").exists()


@pytest.mark.parametrize(
    "who,status", [("staff_a", 403), ("secretary_a", 403), ("outsider_b", 404)]
)
def test_denied_create_changes_nothing(login, world, who, status):
    before = Resident.objects.count()
    r = login(getattr(world, who)).post(
        reverse("resident_new", args=[world.other_home.pk]),
        {"name": "不该有", "relation": "owner"},
    )
    assert r.status_code == status
    assert Resident.objects.count() == before


def test_edit_keeps_masked_fields_when_left_empty(login, world):
    c = login(world.manager_a)
    resident = zhang(world)
    url = reverse("resident_edit", args=[resident.pk])
    form_page = text(c.get(url))
    assert "13812345678" not in form_page and "11010519491231002X" not in form_page
    assert "138****5678" in form_page
    r = c.post(url, {"name": "张伟民", "relation": "owner", "lives_alone": "on"})
    assert r.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "张伟民" and resident.name_initials == "zwm"
    assert resident.phone == "13812345678" and resident.id_number == "11010519491231002X"
    assert AuditLog.objects.filter(action="estates.resident.updated").exists()


@pytest.mark.parametrize(
    "who,status", [("leader_a", 403), ("outsider_b", 404), ("resident_a", 403)]
)
def test_denied_edit_changes_nothing(login, world, who, status):
    resident = zhang(world)
    r = login(getattr(world, who)).post(
        reverse("resident_edit", args=[resident.pk]), {"name": "篡改", "relation": "owner"}
    )
    assert r.status_code == status
    resident.refresh_from_db()
    assert resident.name == "张伟"


# ---- search and staff -------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["zw", "zhangwei", "张", "5678", "101"])
def test_search_finds_by_name_pinyin_initials_phone_tail_room(login, world, q):
    r = login(world.manager_a).get(reverse("console_search_in", args=["estates"]), {"q": q})
    assert "张伟" in [x.name for x in r.context["results"]], q


def test_search_is_scoped_and_live(login, world):
    r = login(world.outsider_b).get(reverse("console_search_in", args=["estates"]), {"q": "zw"})
    assert list(r.context["results"]) == []
    live = login(world.manager_a).get(
        reverse("console_search_in", args=["estates"]),
        {"q": "ln"},
        HTTP_HX_TARGET="results",
        **HTMX,
    )
    page = text(live)
    assert "<html" not in page and "李娜" in page and "139****1111" in page
    assert "13900001111" not in page


def test_search_flags(login, world):
    c = login(world.manager_a)
    r = c.get(reverse("console_search_in", args=["estates"]), {"flag": "alone_no_contact"})
    assert [x.name for x in r.context["results"]] == ["张伟"]
    r = c.get(reverse("console_search_in", args=["estates"]), {"flag": "party"})
    assert list(r.context["results"]) == []
    assert c.get(reverse("console_search_in", args=["estates"])).context["results"] == []


def test_staff_list_with_duties_and_party_badge(login, world):
    staff_create(
        actor=world.manager_a,
        company=world.a.company,
        compound=world.a,
        name="黄师傅",
        phone="13500001111",
        duties=["patrol", "repair"],
        is_party_member=True,
    )
    c = login(world.secretary_a)
    page = text(c.get(reverse("compound_staff", args=[world.a.pk])))
    assert "黄师傅" in page and "巡逻" in page and "维修" in page
    assert "badge-party" in page and "135****1111" in page and "13500001111" not in page
    r = c.get(reverse("compound_staff", args=[world.a.pk]), {"duty": "courier"})
    assert list(r.context["staff"]) == []


def test_region_links_from_the_regulators_figures(login, world):
    c = login(world.regulator)
    district = world.a.community.parent.parent
    r = c.get(reverse("compound_list"), {"region": district.pk})
    assert [x.name for x, _f in r.context["rows"]] == ["幸福里"]
    r = c.get(
        reverse("console_search_in", args=["estates"]),
        {"region": district.pk, "flag": "elderly_alone"},
    )
    assert [x.name for x in r.context["results"]] == ["张伟"]
    # a region does not widen anyone's scope
    other = world.b.community.parent.parent
    r = login(world.manager_a).get(
        reverse("console_search_in", args=["estates"]), {"region": other.pk}
    )
    assert list(r.context["results"]) == []
