"""A list shown on a page as CSV for Excel: UTF-8 with a byte-order mark (without it Excel opens Chinese as
mojibake), the page's headers, CRLF line ends (RFC 4180), and text that Excel would run as a formula
(``=``, ``+``, ``-``, ``@`` first: an item's title comes from outside) kept as text with a leading quote."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from services.gateway.list_xlsx import Cell

MEDIA_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection


def as_text(cell: Cell) -> str | int | float:
    """A cell as CSV writes it: none as empty, text that starts like a formula behind a quote."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def list_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """The list's rows under its headers as CSV bytes (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([as_text(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
