"""Excel import: the template, a valid file imported exactly, every kind of broken
file rejected with its row and column and nothing written, the background job,
and who may import."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from wanjia.core import pii
from wanjia.core.models import AuditLog, Building, Job, JobStatus
from wanjia.estates import import_check
from wanjia.estates.exporter import COLUMNS
from wanjia.estates.importer import residents_import
from wanjia.estates.models import Household, Resident, Unit
from wanjia.estates.services import pinyin_keys

HEADERS = [c.header for c in COLUMNS]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def valid_id(seq: int, birth: str = "19800101", male: bool = True) -> str:
    """A fictional ID number with a correct GB 11643 check digit."""
    serial = seq * 2 + (1 if male else 0)
    first17 = f"110105{birth}{serial % 1000:03d}"
    return first17 + pii.id_check_digit(first17)


def row(**cells) -> list:
    """One data row in template column order; unnamed cells are empty."""
    by_header = {
        "楼栋": "9栋",
        "单元": "1单元",
        "房号": "301",
        "姓名": "王小明",
        "与户关系": "业主",
    }
    by_header.update(cells)
    return [by_header.get(h) for h in HEADERS]


def xlsx(rows: list, headers: list | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if headers is not False:
        ws.append(headers or HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write(tmp_path: Path, content: bytes, name: str = "residents.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def snapshot(compound) -> tuple:
    return (
        Building.objects.filter(compound=compound).count(),
        Unit.objects.filter(building__compound=compound).count(),
        Household.objects.filter(compound=compound).count(),
        Resident.objects.filter(compound=compound).count(),
        AuditLog.objects.filter(action="estates.import.completed").count(),
    )


def run(world, tmp_path, content: bytes, actor=None):
    path = write(tmp_path, content)
    return residents_import(actor=actor or world.manager_a, compound=world.a, path=path)


def assert_rejected(world, tmp_path, content, *expected):
    """The file is refused with each expected (row, column, fragment) and nothing changed."""
    before = snapshot(world.a)
    result = run(world, tmp_path, content)
    assert not result.ok
    for exp_row, exp_column, fragment in expected:
        assert any(
            r == exp_row and c == exp_column and fragment in m for r, c, m in result.errors
        ), (exp_row, exp_column, fragment, result.errors)
    assert snapshot(world.a) == before
    return result


# ---- the template ---------------------------------------------------------------


def test_template_has_chinese_headers_an_example_and_a_help_sheet(world, login):
    r = login(world.manager_a).get(
        reverse("estates_import_template", kwargs={"compound_id": world.a.pk})
    )
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    sheet, help_sheet = wb.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    for needed in ["楼栋", "层数", "电梯", "单元", "房号", "楼层", "面积", "姓名", "与户关系"]:
        assert needed in rows[0]
    example = dict(zip(HEADERS, rows[1], strict=True))
    assert pii.id_number_error(example["身份证号"]) is None
    assert "示例" in example["姓名"]
    explained = {r[0]: r for r in help_sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    for header in HEADERS:
        assert header in explained and explained[header][2]
    assert "业主" in explained["与户关系"][2] and "家庭成员" in explained["与户关系"][2]


def test_template_as_downloaded_is_refused_because_of_its_example_row(world, login, tmp_path):
    content = (
        login(world.manager_a)
        .get(reverse("estates_import_template", kwargs={"compound_id": world.a.pk}))
        .content
    )
    assert_rejected(world, tmp_path, content, (2, "姓名", "示例"))


# ---- a valid file ----------------------------------------------------------------


def test_valid_file_imports_exactly(world, tmp_path):
    old_id = valid_id(7, "19450302", male=False)
    rows = [
        row(**{"层数": 18, "电梯": "是", "房号": "1801", "面积": 89.5, "姓名": "王小明",
               "手机号": "13800001234", "身份证号": valid_id(1), "独居": "是", "党员": "是",
               "紧急联系人": "王大明", "紧急联系人电话": "13900005678"}),
        row(**{"房号": "1801", "姓名": "李芳", "与户关系": "家庭成员", "性别": "女",
               "出生日期": date(1982, 5, 1), "慢性病": "是"}),
        row(**{"单元": "2单元", "房号": "502", "楼层": 5, "姓名": "赵老伯", "与户关系": "租户",
               "身份证号": old_id, "残疾": "是"}),
        row(**{"单元": "2单元", "房号": "503", "姓名": None, "与户关系": None}),
        [None] * len(HEADERS),  # a blank line between blocks is skipped
        row(**{"楼栋": "1栋", "单元": "1单元", "房号": "101", "姓名": "张小伟",
               "与户关系": "家庭成员", "出生日期": "2010/09/01"}),
    ]  # fmt: skip
    before = snapshot(world.a)
    result = run(world, tmp_path, xlsx(rows))
    assert result.ok, result.errors
    assert result.rows == 5
    assert result.created == {"buildings": 1, "units": 2, "households": 3, "residents": 4}
    assert result.reused == {"buildings": 1, "units": 1, "households": 1}
    after = snapshot(world.a)
    assert after[:4] == (before[0] + 1, before[1] + 2, before[2] + 3, before[3] + 4)

    b9 = Building.objects.get(compound=world.a, name="9栋")
    assert (b9.floors, b9.has_elevator) == (18, True)
    h1801 = Household.objects.get(compound=world.a, building=b9, room="1801")
    assert (h1801.floor, h1801.area_m2, h1801.unit.name) == (18, Decimal("89.50"), "1单元")
    assert h1801.code == f"{world.a.code}-9栋-1单元-1801"
    assert Household.objects.get(building=b9, room="502").floor == 5
    assert Household.objects.get(building=b9, room="503").residents.count() == 0

    wang = Resident.objects.get(compound=world.a, name="王小明")
    assert wang.household == h1801 and wang.building_id == b9.pk
    assert (wang.name_pinyin, wang.name_initials) == pinyin_keys("王小明")
    assert wang.relation == "owner" and wang.phone == "13800001234"
    assert wang.id_number == valid_id(1) and wang.id_number_hash == pii.lookup_hash(valid_id(1))
    assert wang.birth_date == date(1980, 1, 1) and wang.gender == "M"  # from the ID number
    assert wang.lives_alone and wang.is_party_member and not wang.disability
    assert wang.emergency_contacts == [{"name": "王大明", "phone": "13900005678"}]
    li = Resident.objects.get(compound=world.a, name="李芳")
    assert (li.relation, li.gender, li.birth_date, li.chronic_illness) == (
        "family",
        "F",
        date(1982, 5, 1),
        True,
    )
    zhao = Resident.objects.get(compound=world.a, name="赵老伯")
    assert (zhao.relation, zhao.gender, zhao.birth_date, zhao.disability) == (
        "tenant",
        "F",
        date(1945, 3, 2),
        True,
    )
    child = Resident.objects.get(compound=world.a, name="张小伟")
    assert child.household == world.home and child.birth_date == date(2010, 9, 1)
    assert world.home.residents.count() == 2  # appended beside 张伟

    log = AuditLog.objects.get(action="estates.import.completed")
    assert log.actor == world.manager_a and log.compound == world.a
    assert log.detail["created"]["residents"] == 4 and log.detail["rows"] == 5


def test_headers_with_hints_full_width_digits_and_number_cells_are_understood(world, tmp_path):
    headers = [f"{h}(必填)" if h == "姓名" else h for h in HEADERS]
    headers[HEADERS.index("电梯")] = "电梯(是/否)"
    rows = [row(**{"房号": "３０２", "单元": 1, "手机号": 13800001234, "楼层": "3"})]
    result = run(world, tmp_path, xlsx(rows, headers))
    assert result.ok, result.errors
    resident = Resident.objects.get(compound=world.a, name="王小明")
    assert resident.household.room == "302" and resident.household.unit.name == "1"
    assert resident.phone == "13800001234"


# ---- broken files: row and column named, nothing written -------------------------


def test_bad_id_checksum(world, tmp_path):
    bad = valid_id(1)[:-1] + ("0" if valid_id(1)[-1] != "0" else "1")
    rows = [row(**{"房号": "301"}), row(**{"房号": "302", "身份证号": bad})]
    assert_rejected(world, tmp_path, xlsx(rows), (3, "身份证号", "校验位"))


def test_missing_required_column(world, tmp_path):
    headers = [h for h in HEADERS if h != "姓名"]
    rows = [[c for h, c in zip(HEADERS, row(), strict=True) if h != "姓名"]]
    result = assert_rejected(world, tmp_path, xlsx(rows, headers), (1, "姓名", "缺少必需的列"))
    assert len(result.errors) == 1  # no row-by-row noise after a header problem


def test_unknown_and_repeated_columns(world, tmp_path):
    headers = [*HEADERS, "手机", "楼栋"]
    assert_rejected(
        world,
        tmp_path,
        xlsx([row() + ["13800001234", "9栋"]], headers),
        (1, "手机", "未知的列"),
        (1, "楼栋", "重复"),
    )


def test_duplicate_resident_in_the_same_room(world, tmp_path):
    rows = [row(), row(**{"姓名": "李芳"}), row()]
    assert_rejected(world, tmp_path, xlsx(rows), (4, "姓名", "与第2行重复"))


def test_a_duplicate_is_reported_in_the_same_pass_as_other_errors(world, tmp_path):
    rows = [row(**{"手机号": "12"}), row(**{"手机号": "13800001234"})]
    assert_rejected(world, tmp_path, xlsx(rows), (2, "手机号", "11位"), (3, "姓名", "与第2行重复"))


def test_duplicate_id_number_within_the_file(world, tmp_path):
    rows = [
        row(**{"身份证号": valid_id(3)}),
        row(**{"房号": "302", "姓名": "李芳", "身份证号": valid_id(3)}),
    ]
    assert_rejected(world, tmp_path, xlsx(rows), (3, "身份证号", "与第2行的身份证号重复"))


def test_residents_already_registered_are_refused(world, tmp_path):
    rows = [
        row(**{"楼栋": "1栋", "单元": "1单元", "房号": "101", "姓名": "张伟"}),
        row(**{"身份证号": "11010519491231002X"}),  # 张伟's number, in another room
    ]
    assert_rejected(
        world,
        tmp_path,
        xlsx(rows),
        (2, "姓名", "已登记同名居民"),
        (3, "身份证号", "已在本小区登记"),
    )


def test_importing_the_same_file_twice_adds_nothing_the_second_time(world, tmp_path):
    content = xlsx([row(**{"身份证号": valid_id(4)}), row(**{"姓名": "李芳"})])
    assert run(world, tmp_path, content).ok
    assert_rejected(world, tmp_path, content, (2, "姓名", "已登记同名居民"))


def test_wrong_types(world, tmp_path):
    rows = [
        row(**{"楼层": "三楼"}),
        row(**{"房号": "302", "层数": 4.5}),
        row(**{"房号": "303", "面积": "大"}),
        row(**{"房号": "304", "身份证号": 110105198001010011}),
        row(**{"房号": date(2024, 3, 1)}),
    ]
    assert_rejected(
        world,
        tmp_path,
        xlsx(rows),
        (2, "楼层", "应填写整数"),
        (3, "层数", "应填写整数"),
        (4, "面积", "应填写数字"),
        (5, "身份证号", "文本格式"),
        (6, "房号", "日期"),
    )


def test_bad_values(world, tmp_path):
    rows = [
        row(**{"手机号": "1380000123"}),
        row(**{"房号": "302", "与户关系": "房东"}),
        row(**{"房号": "303", "出生日期": "2023-02-30"}),
        row(**{"房号": "304", "出生日期": date(2999, 1, 1)}),
        row(**{"房号": "305", "电梯": "可能"}),
        row(**{"房号": "306", "性别": "未知"}),
        row(**{"房号": "307", "姓名": "刘一", "与户关系": None}),
        row(**{"房号": "308", "姓名": None, "手机号": "13800001234"}),
        row(**{"房号": None}),
        row(**{"房号": "309", "紧急联系人电话": "13900005678"}),
        row(**{"房号": "310", "身份证号": valid_id(5), "出生日期": date(1990, 1, 1)}),
    ]
    assert_rejected(
        world,
        tmp_path,
        xlsx(rows),
        (2, "手机号", "11位"),
        (3, "与户关系", "房东"),
        (4, "出生日期", "不存在"),
        (5, "出生日期", "晚于今天"),
        (6, "电梯", "是"),
        (7, "性别", "男"),
        (8, "与户关系", "请填写"),
        (9, "姓名", "请同时填写姓名"),
        (10, "房号", "必填"),
        (11, "紧急联系人", "联系人姓名"),
        (12, "出生日期", "不一致"),
    )


def test_inconsistent_building_and_too_high_floor(world, tmp_path):
    rows = [
        row(**{"层数": 6, "楼层": 3}),
        row(**{"房号": "302", "层数": 7}),
        row(**{"房号": "303", "楼层": 9}),
        row(**{"楼栋": "1栋", "房号": "909", "楼层": 9}),  # 1栋 exists with 3 floors
    ]
    assert_rejected(
        world,
        tmp_path,
        xlsx(rows),
        (3, "层数", "与第2行"),
        (4, "楼层", "6层"),
        (5, "楼层", "3层"),
    )


def test_empty_file(world, tmp_path):
    assert_rejected(world, tmp_path, b"", (None, "", "文件是空的"))


def test_workbook_without_any_row(world, tmp_path):
    assert_rejected(world, tmp_path, xlsx([], headers=False), (None, "", "文件是空的"))


def test_header_but_no_data(world, tmp_path):
    assert_rejected(world, tmp_path, xlsx([]), (None, "", "没有数据行"))


@pytest.mark.parametrize(
    "content",
    [PNG, "楼栋,单元,房号,姓名\n9栋,1单元,301,王小明\n".encode(), b"PK\x03\x04 broken zip"],
    ids=["png", "csv-text", "broken-zip"],
)
def test_not_an_xlsx(world, tmp_path, content):
    assert_rejected(world, tmp_path, content, (None, "", "Excel"))


def test_too_many_rows(world, tmp_path, monkeypatch):
    monkeypatch.setattr(import_check, "MAX_ROWS", 3)
    rows = [row(**{"房号": f"30{i}"}) for i in range(1, 6)]
    assert_rejected(world, tmp_path, xlsx(rows), (5, "", "超过3行"))


def test_errors_are_capped_but_all_counted(world, tmp_path, monkeypatch):
    monkeypatch.setattr(import_check, "MAX_ERRORS", 5)
    rows = [row(**{"房号": f"3{i:02d}", "手机号": "123"}) for i in range(1, 21)]
    result = assert_rejected(world, tmp_path, xlsx(rows), (2, "手机号", "11位"))
    assert len(result.errors) == 5 and result.error_count == 20


def test_messages_follow_the_language(world, tmp_path):
    from django.utils import translation

    with translation.override("en"):
        result = run(world, tmp_path, xlsx([row(**{"楼层": "三楼"})]))
    assert not result.ok and result.errors[0][:2] == (2, "楼层")


# ---- the page and the background job ---------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, world, content: bytes, name: str = "residents.xlsx"):
    return client.post(
        reverse("estates_import", kwargs={"compound_id": world.a.pk}),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_upload_runs_as_a_job_and_shows_the_counts(
    world, login, media, django_capture_on_commit_callbacks
):
    client = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, world, xlsx([row(), row(**{"姓名": "李芳"})]))
    job = Job.objects.get(kind="estates.import")
    assert r.status_code == 302 and r["Location"] == reverse("job_status", args=[job.pk])
    assert job.status == JobStatus.DONE and job.result["created"]["residents"] == 2
    assert job.created_by == world.manager_a and job.compound == world.a
    assert list((media / "imports").iterdir()) == []  # the upload is deleted when done
    page = client.get(r["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "已完成" in html and "hx-trigger" not in html  # ended: no more polling
    assert "新增居民2位" in html
    listing = client.get(reverse("estates_import", kwargs={"compound_id": world.a.pk}))
    assert reverse("job_status", args=[job.pk]) in listing.content.decode()


def test_upload_of_a_bad_file_lists_every_error_in_a_table(
    world, login, media, django_capture_on_commit_callbacks
):
    client = login(world.manager_a)
    before = snapshot(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        bad = xlsx([row(**{"楼层": "三楼"}), row(**{"姓名": "李芳", "手机号": "12"})])
        r = upload(client, world, bad)
    job = Job.objects.get(kind="estates.import")
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(2, "楼层"), (3, "手机号")]
    html = client.get(r["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<table" in html and "楼层" in html and "应填写整数" in html
    assert "未导入任何数据" in html
    assert snapshot(world.a) == before
    assert list((media / "imports").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("photo.xlsx", PNG, "不是 Excel"),
        ("list.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),
        ("empty.xlsx", b"", "请选择"),  # the browser sends no file part for 0 bytes
    ],
)
def test_upload_refuses_what_is_not_an_xlsx_at_once(world, login, media, name, content, fragment):
    r = upload(login(world.manager_a), world, content, name)
    assert r.status_code == 400
    assert fragment in r.content.decode()
    assert not Job.objects.exists()
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())


def test_upload_without_a_file(world, login, media):
    r = login(world.manager_a).post(reverse("estates_import", kwargs={"compound_id": world.a.pk}))
    assert r.status_code == 400 and "请选择" in r.content.decode()


def test_a_job_delivered_twice_runs_once(world, media, tmp_path):
    from wanjia.core.jobs import job_create
    from wanjia.estates.tasks import import_residents_task

    job = job_create(actor=world.manager_a, kind="estates.import", compound=world.a)
    path = write(tmp_path, xlsx([row()]))
    import_residents_task.call_local(job.pk, str(path), "a.xlsx", "zh-hans")
    path.write_bytes(xlsx([row(**{"姓名": "李芳"})]))
    import_residents_task.call_local(job.pk, str(path), "a.xlsx", "zh-hans")
    assert list(Resident.objects.filter(compound=world.a, building__name="9栋")) != []
    assert Resident.objects.filter(compound=world.a, building__name="9栋").count() == 1
    assert path.exists()  # the second delivery did not claim the job, so left the file


# ---- who may import ----------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["resident_a", "volunteer_a", "staff_a", "leader_a", "secretary_a", "regulator"]
)
def test_roles_without_import_get_403_and_nothing_changes(world, login, media, persona):
    client = login(getattr(world, persona))
    before = snapshot(world.a)
    kwargs = {"compound_id": world.a.pk}
    assert client.get(reverse("estates_import", kwargs=kwargs)).status_code == 403
    assert client.get(reverse("estates_import_template", kwargs=kwargs)).status_code == 403
    assert upload(client, world, xlsx([row()])).status_code == 403
    assert snapshot(world.a) == before and not Job.objects.exists()
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())


def test_another_compound_is_404(world, login, media):
    client = login(world.outsider_b)
    kwargs = {"compound_id": world.a.pk}
    assert client.get(reverse("estates_import", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("estates_import_template", kwargs=kwargs)).status_code == 404
    assert upload(client, world, xlsx([row()])).status_code == 404
    missing = {"compound_id": 999999}
    assert login(world.manager_a).get(reverse("estates_import", kwargs=missing)).status_code == 404
    assert not Job.objects.exists()


def test_company_admin_may_import(world, login):
    r = login(world.company_admin_a).get(
        reverse("estates_import", kwargs={"compound_id": world.a.pk})
    )
    assert r.status_code == 200 and "下载导入模板" in r.content.decode()


def test_the_service_refuses_without_the_capability(world, tmp_path):
    before = snapshot(world.a)
    with pytest.raises(PermissionDenied):
        run(world, tmp_path, xlsx([row()]), actor=world.outsider_b)
    with pytest.raises(PermissionDenied):
        run(world, tmp_path, xlsx([row()]), actor=world.staff_a)
    assert snapshot(world.a) == before


def test_anonymous_is_sent_to_login(world, client):
    r = client.get(reverse("estates_import", kwargs={"compound_id": world.a.pk}))
    assert r.status_code == 302 and "/login/" in r["Location"]


# ---- zip bombs -------------------------------------------------------------------


def bomb(megabytes: int = 64) -> bytes:
    """A real workbook whose first sheet inflates to ``megabytes`` of empty rows
    (written in pieces, so the test itself stays small; ~100 KB zipped)."""
    import zipfile

    good = zipfile.ZipFile(io.BytesIO(xlsx([row()])))
    out = io.BytesIO()
    piece = b'<row r="3"><c r="A3" t="inlineStr"><is><t>0</t></is></c></row>' * 16384
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, good.read(info))
                continue
            sheet = good.read(info).decode()
            head, tail = sheet.split("</sheetData>")
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                f.write(head.encode())
                for _ in range(megabytes * 1024 * 1024 // len(piece)):
                    f.write(piece)
                f.write(b"</sheetData>" + tail.encode())
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened(world, tmp_path, monkeypatch):
    content = bomb()
    assert len(content) < 1024 * 1024
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a))
    result = assert_rejected(world, tmp_path, content, (None, "", "压缩"))
    assert opened == []  # refused from the zip's directory, never inflated
    assert result.error_count == 1


def test_a_workbook_too_large_inflated_is_refused(world, tmp_path, settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    settings.XLSX_MAX_RATIO = 10_000  # only the total counts here
    assert_rejected(world, tmp_path, bomb(8), (None, "", "4 MB"))


def test_upload_of_a_zip_bomb_is_refused_at_once(world, login, media):
    r = upload(login(world.manager_a), world, bomb())
    assert r.status_code == 400 and "压缩炸弹" in r.content.decode()
    assert not Job.objects.exists()


def test_upload_of_a_zip_bomb_in_english(world, login, media):
    client = login(world.manager_a)
    r = client.post(
        reverse("estates_import", kwargs={"compound_id": world.a.pk}),
        {"file": SimpleUploadedFile("residents.xlsx", bomb())},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 400 and "zip bomb" in r.content.decode()
