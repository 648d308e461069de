"""Reading an activity spreadsheet (CSV or XLSX) into import rows: headers in Chinese or English,
activity kinds by their Chinese labels, dates as Excel writes them. Nothing is judged here beyond
reading: the outreach service checks every row and reports what is wrong with it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from contracts.outreach import ActivityKind
from services.gateway.catalog import LOCALES, Messages

MAX_ROWS = 50_000
LIST_FIELDS = frozenset({"participants", "speakers", "evidence"})
HEADERS: dict[str, tuple[str, ...]] = {
    "external_id": ("外部编号", "来源编号", "编号"),
    "unit": ("单位代码", "单位", "unitpath"),
    "kind": ("活动类型", "类型"),
    "topic": ("主题", "活动主题"),
    "held_on": ("日期", "活动日期"),
    "starts_at": ("开始时间", "时间"),
    "audience": ("人次", "参加人次"),
    "participants": ("参加人员", "参会人员"),
    "duration_minutes": ("时长（分钟）", "时长(分钟)", "时长"),
    "venue": ("地点", "活动地点"),
    "speakers": ("主讲人", "宣讲人"),
    "evidence": ("佐证材料",),
}
COLUMN_OF = {alias.lower(): name for name, aliases in HEADERS.items() for alias in (name, *aliases)}
KIND_OF = {
    Messages(lang).name("activity_kind", kind).lower(): kind.value
    for kind in ActivityKind
    for lang in LOCALES
} | {
    "主题党日": "branch_study",
    "支部学习": "branch_study",
    "大讲堂": "lecture",
}
LOCAL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


class TableError(ValueError):
    """A file that cannot be read as a table of activities at all."""


@dataclass
class Table:
    rows: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    has_external_ids: bool = True


NUMBER_FIELDS = frozenset({"audience", "duration_minutes"})
WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,9}$")


def read_table(filename: str, data: bytes) -> Table:
    """The rows of a .csv or .xlsx file, each with its spreadsheet row number (the header is row 1)."""
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        grid = _xlsx_grid(data)
    elif name.endswith((".csv", ".txt")) or not name:
        grid = list(csv.reader(io.StringIO(_decode_text(data))))
    else:
        raise TableError("only .csv and .xlsx files can be imported")
    if not grid:
        raise TableError("the file is empty")
    return _rows(grid)


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030: what Excel on a Chinese Windows saves a CSV in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise TableError("the CSV is neither UTF-8 nor GB18030 text") from None


def _xlsx_grid(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # the gateway only needs it when a workbook arrives

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"the workbook cannot be read ({type(error).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        grid = []
        for values in sheet.iter_rows(values_only=True):
            grid.append(list(values))
            if len(grid) > MAX_ROWS + 1:
                raise TableError(f"the file has more than {MAX_ROWS} rows; split it")
        return grid
    finally:
        workbook.close()


def _rows(grid: list[list[Any]]) -> Table:
    header = [str(cell).strip() if cell is not None else "" for cell in grid[0]]
    columns = [COLUMN_OF.get(title.lower()) for title in header]
    missing = {"unit", "kind", "topic", "held_on", "audience"} - set(filter(None, columns))
    if missing:
        wanted = "、".join(f"{HEADERS[m][0]} ({m})" for m in sorted(missing))
        raise TableError(f"the first row must name the columns; missing: {wanted}")
    if len(grid) > MAX_ROWS + 1:
        raise TableError(f"the file has more than {MAX_ROWS} rows; split it")
    table = Table(
        ignored_columns=[
            title for title, column in zip(header, columns, strict=True) if title and not column
        ],
        has_external_ids="external_id" in columns,
    )
    for number, cells in enumerate(grid[1:], start=2):
        row: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            value = _cell(column, cell) if column else None
            if value not in (None, "", []):
                row[str(column)] = value
        if row:
            if not table.has_external_ids:
                row["external_id"] = content_id(row)
            table.rows.append({"row": number, **row})
    return table


def content_id(row: dict[str, Any]) -> str:
    """An external id from what the row says (for files without one): the same activity in a file
    uploaded again is then a duplicate, not a second activity."""
    key = {name: row.get(name) for name in ("unit", "kind", "topic", "held_on", "starts_at")}
    return (
        "content-"
        + hashlib.sha256(json.dumps(key, ensure_ascii=False, default=str).encode()).hexdigest()[:32]
    )


def _cell(column: str | None, value: Any) -> Any:
    """A cell as the import row wants it: text cleaned up, Excel's dates and numbers made plain."""
    if isinstance(value, str):
        return _text(column, value.strip())
    if isinstance(value, datetime):
        return value.time().isoformat() if column == "starts_at" else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps every number as a float
    if isinstance(value, int | float) and column in ("external_id", "unit", "topic", "venue"):
        return str(value)
    return value


def _text(column: str | None, text: str) -> Any:
    if column in NUMBER_FIELDS and WHOLE_NUMBER.match(text):
        return int(text)  # a CSV cell is text; the contract takes numbers as JSON numbers only
    if column in LIST_FIELDS:
        return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]
    if column == "kind":
        return KIND_OF.get(text.lower(), text)
    if column == "held_on" and (found := LOCAL_DATE.match(text)):
        year, month, day = (int(part) for part in found.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return text
