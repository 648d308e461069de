"""The work summary as an Excel workbook: one sheet of figures (section, figure, breakdown, this period,
previous period, plan, code) with Chinese headers from the catalog and the header row frozen, then a
sheet saying what the file is, for which unit and period, how fresh, and what is not recorded."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.gateway.assessment_xlsx import header_row
from services.gateway.labels import local_time
from services.gateway.summary_words import SummaryWords

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("section", "figure", "breakdown", "value", "previous", "plan", "code")
WIDTHS = (16, 30, 30, 12, 12, 12, 44)  # in characters; a CJK character takes about two


def figure_code(figure: dict[str, Any]) -> str:
    """section.name[.by.key]: what a figure is, for a program reading the sheet."""
    parts = [figure["section"], figure["name"]]
    if figure.get("by") is not None:
        parts += [figure["by"], str(figure["key"])]
    return ".".join(parts)


def workbook(summary: dict[str, Any], lang: str = "zh") -> bytes:
    """The summary's workbook as .xlsx bytes: numbers as numbers, a missing value as an empty cell."""
    words = SummaryWords(lang)
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = words("sheet.figures")
    header_row(sheet, tuple(words(f"col.{column}") for column in COLUMNS), WIDTHS)
    for figure in summary["figures"]:
        sheet.append(
            [
                words.section(figure["section"]),
                words.figure_name(figure["name"]),
                words.breakdown(figure),
                figure["value"],
                figure["previous"],
                figure["plan"],
                figure_code(figure),
            ]
        )
    about = book.create_sheet(words("sheet.about"))
    header_row(about, (words("col.item"), words("col.content")), (16, 60))
    unit, period = summary["unit"], summary["period"]
    missing = "、".join(
        f"{words.section(item['section'])}·{words.figure_name(item['name'])}"
        for item in summary["not_recorded"]
    )
    for key, value in (
        ("about.what", words("about.what_text")),
        ("about.unit", unit["name"]),
        ("about.code", unit["path"]),
        ("about.period", f"{words.period(period['label'])}（{period['first_day']} — {period['last_day']}）"),
        ("about.previous", words.period(summary["previous_period"]["label"])),
        ("about.fresh", local_time(summary["freshness"]["updated_at"])),
        ("about.not_recorded", missing),
    ):
        about.append([words(key), value])
    about.cell(row=4, column=2).number_format = "@"  # a unit code is text, not a number
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def disposition(summary: dict[str, Any], suffix: str) -> str:
    """``attachment`` with an ASCII fallback name and the Chinese one (RFC 5987)."""
    unit, label = summary["unit"], summary["period"]["label"]
    plain = f"summary-{unit['path']}-{label}.{suffix}"
    named = f"{unit['name']}-{SummaryWords('zh').period(label)}-工作总结.{suffix}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(named)}"
