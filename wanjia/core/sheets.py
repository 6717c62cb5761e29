"""Spreadsheets in and out: the one place that makes a written cell safe to open
and an uploaded workbook safe to read.

Out: a text cell that begins with ``= + - @`` (or a tab or carriage return) is
a formula to Excel, LibreOffice and WPS once somebody edits it or the sheet is
saved as CSV; a resident named ``=HYPERLINK(...)`` would become a live link in
the office's export. Such text gets a leading ``'`` (OWASP, "CSV Injection"),
which spreadsheet programs show as text. Numbers stay numbers: only ``str``
values are touched, so a real ``-3`` is still a number in the sheet.

In: an .xlsx is a zip archive. A few kilobytes can declare a sheet of
gigabytes, which openpyxl would inflate into the worker's memory before any
row check runs. ``check_xlsx_archive`` reads only the zip's directory (sizes
as declared, then enforced while reading, by ``zipfile`` itself) and refuses
an archive whose total or whose per-member ratio is out of proportion."""

import zipfile
from io import BytesIO

from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as it may be written to a sheet: text that a spreadsheet would
    run as a formula gets a leading quote; everything else is unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


def unquote_cell(text: str) -> str:
    """The reverse of ``safe_cell`` for a value read back from our own export,
    so that an exported sheet imports to the same names."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class ArchiveRefused(ValueError):
    """The upload is not a workbook we are willing to open; ``str()`` says why
    in the user's language."""


def check_xlsx_archive(source) -> None:
    """Refuse a zip whose members would inflate to more than
    ``XLSX_MAX_UNCOMPRESSED_BYTES`` in all, or any member more than
    ``XLSX_MAX_RATIO`` times its compressed size (real sheets compress 5-20x;
    bombs a thousand-fold and more). ``source`` is a path or a seekable file;
    a file is rewound afterwards. Not a zip at all is left to the caller."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    limit = settings.XLSX_MAX_UNCOMPRESSED_BYTES
    ratio = settings.XLSX_MAX_RATIO
    total = sum(m.file_size for m in members)
    if total > limit:
        raise ArchiveRefused(
            _("文件解压后超过 %(mb)d MB，无法导入，请按楼栋拆分后分别导入。")
            % {"mb": limit // (1024 * 1024)}
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ratio * max(
            member.compress_size, 1
        ):
            raise ArchiveRefused(
                _("文件压缩比异常（可能是“压缩炸弹”），已拒绝。请用 Excel 重新保存后上传。")
            )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    title, rows: list[list], filename: str, *, widths=(24,), caption=None
) -> HttpResponse:
    """A one-sheet workbook download: ``rows[0]`` is the header (bold, frozen),
    ``caption`` an optional line above it, ``widths`` the first columns'
    widths; every cell made safe by :func:`safe_row`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    if caption is not None:
        sheet.append(safe_row([caption]))
    header_row = sheet.max_row + 1 if caption is not None else 1
    for row in rows:
        sheet.append(safe_row(row))
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{header_row + 1}"
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
