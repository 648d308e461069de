"""A list shown on a page as an Excel workbook: the rows under the page's headers (header row frozen,
numbers as numbers, codes as text), then a sheet saying what the list is, for which unit, with which
filters, and how fresh the data was."""

from __future__ import annotations

import io
from collections.abc import Sequence
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.gateway.assessment_xlsx import header_row

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | None


def list_workbook(
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Sequence[Sequence[Cell]],
    *,
    about: Sequence[tuple[str, Cell]],
    about_title: str,
) -> bytes:
    """The list's workbook as .xlsx bytes: sheet ``title`` with the rows, sheet ``about_title`` after it."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title[:31]  # Excel's limit on a sheet name
    header_row(sheet, tuple(headers), tuple(widths))
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # a code or a date as typed, never reinterpreted by Excel
                cell.data_type = "s"  # openpyxl makes text starting with '=' a formula: a title is text
    particulars = book.create_sheet(about_title[:31])
    for key, value in about:
        particulars.append([key, value])
    particulars.column_dimensions["A"].width, particulars.column_dimensions["B"].width = 16, 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def disposition(ascii_name: str, name: str) -> str:
    """``attachment`` with an ASCII fallback name and the page-language one (RFC 5987)."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
