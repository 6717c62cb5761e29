"""The spreadsheet kernel: cells that cannot become formulas, archives that
cannot inflate a worker."""

import io
import zipfile

import pytest

from wanjia.core.sheets import ArchiveRefused, check_xlsx_archive, safe_cell, unquote_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_formula_triggers_are_quoted_and_read_back(text):
    assert safe_cell(text) == "'" + text
    assert unquote_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [-1, -2.5, 0, None, "张伟", "a=b", "'quoted", ""])
def test_everything_else_is_left_alone(value):
    assert safe_cell(value) == value
    if isinstance(value, str):
        assert unquote_cell(value) == value


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    out.seek(0)
    return out


def test_a_bomb_is_refused_by_its_ratio(settings):
    bomb = _zip({"xl/worksheets/sheet1.xml": b"0" * (20 * 1024 * 1024)})  # ~20 KB zipped
    with pytest.raises(ArchiveRefused):
        check_xlsx_archive(bomb)
    assert bomb.tell() == 0  # rewound for whoever reads it next


def test_too_much_in_all_is_refused_even_at_a_plain_ratio(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    import os

    noise = _zip({"a.xml": os.urandom(600 * 1024), "b.xml": os.urandom(600 * 1024)})
    with pytest.raises(ArchiveRefused) as exc:
        check_xlsx_archive(noise)
    assert "1 MB" in str(exc.value)


def test_an_ordinary_workbook_passes():
    from openpyxl import Workbook

    book = Workbook()
    for i in range(2000):
        book.active.append(["3栋", i, "张伟", "138****5678"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    check_xlsx_archive(out)
