"""A bulletin as an Excel workbook: one sheet per level (排名, 单位名称, …), Chinese headers, the header
row frozen, then a sheet with the bulletin's own particulars."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from contracts.units import Level
from services.gateway.assessment_labels import AssessmentWords
from services.gateway.labels import local_time

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("排名", "单位名称", "单位代码", "本级得分", "综合得分", "一票否决", "排名范围")
WIDTHS = (8, 30, 30, 12, 12, 10, 24)  # in characters; a CJK character takes about two
SCORE_FORMAT = "0.00"
HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
LEVEL_ORDER = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)


def sections(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The rows by level, city first; within a level by the unit ranked under, then rank."""
    found = []
    for level in LEVEL_ORDER:
        members = [row for row in rows if row["level"] == level]
        if members:
            no_rank = len(rows) + 1
            members.sort(key=lambda r: (r["parent"] or "", r["rank"] or no_rank, -r["total"], r["unit"]))
            found.append((level.value, members))
    return found


def header_row(sheet: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    """A bold, shaded header row with the columns' widths, frozen (also the work summary's sheets)."""
    sheet.append(list(headers))
    for column, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling


def _level_sheet(sheet: Worksheet, rows: list[dict[str, Any]]) -> None:
    header_row(sheet, HEADERS, WIDTHS)
    for row in rows:
        ranked_under = row["parent_name"] or row["parent"] or ""
        sheet.append(
            [
                row["rank"],
                row["name"],
                row["unit"],
                row["own"],
                row["total"],
                "是" if row["vetoed"] else "",
                ranked_under,
            ]
        )
        line = sheet.max_row
        for column in (4, 5):
            sheet.cell(row=line, column=column).number_format = SCORE_FORMAT
        sheet.cell(row=line, column=3).number_format = "@"  # a division code is text, not a number


def workbook(bulletin: dict[str, Any]) -> bytes:
    """The bulletin's workbook as .xlsx bytes."""
    words = AssessmentWords("zh")
    book = Workbook()
    first = True
    for level, rows in sections(bulletin["rows"]):
        sheet = book.active if first and book.active is not None else book.create_sheet()
        assert isinstance(sheet, Worksheet)
        sheet.title = words.level(level)
        _level_sheet(sheet, rows)
        first = False
    about = book.active if first and book.active is not None else book.create_sheet()
    assert isinstance(about, Worksheet)
    about.title = "通报信息"
    header_row(about, ("项目", "内容"), (16, 48))
    for key, value in (
        ("标题", bulletin["title"]),
        ("发布单位", f"{bulletin['name']}（{bulletin['unit']}）"),
        ("考核期间", bulletin["period"]),
        ("版本", bulletin["version"]),
        ("指标体系版本", bulletin["scheme_version"]),
        ("发布时间", local_time(bulletin["published_at"])),
        ("申诉截止", bulletin["appeal_deadline"]),
        ("因申诉重新发布", bulletin["reissued_for"] or ""),
    ):
        about.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def disposition(bulletin: dict[str, Any]) -> str:
    """``attachment`` with an ASCII fallback name and the Chinese one (RFC 5987) for every browser."""
    plain = f"bulletin-{bulletin['unit']}-{bulletin['period']}-v{bulletin['version']}.xlsx"
    named = f"{bulletin['name']}-{bulletin['period']}-考核通报-第{bulletin['version']}版.xlsx"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(named)}"
