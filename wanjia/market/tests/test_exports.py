"""Excel exports of the market: text that a spreadsheet would run as a formula
is written as text; numbers stay numbers."""

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from wanjia.market import exports


def test_formula_like_text_is_quoted_and_numbers_stay_numbers():
    row = ['=HYPERLINK("http://evil.example","点我")', "+8613800000000", "-3", "@SUM(A1)"]
    row += ["\t=1+1", "大白菜", -3, Decimal("-2.50"), None]
    book = exports.workbook([("sheet", [["h"] * len(row), row])])
    sheet = load_workbook(BytesIO(exports.xlsx_bytes(book)))["sheet"]
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in cells[:6]] == [
        "'" + row[0],
        "'+8613800000000",
        "'-3",
        "'@SUM(A1)",
        "'\t=1+1",
        "大白菜",
    ]
    assert all(c.data_type == "s" for c in cells[:6])
    assert (cells[6].value, cells[6].data_type) == (-3, "n")
    assert (cells[7].value, cells[7].data_type) == (-2.5, "n")
