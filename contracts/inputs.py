"""The door every input passes once: JSON read with bounded nesting and finite numbers, then strict
models whose text and dates are checked by one base class (design trap 9).

Input is validated in pydantic's JSON mode with ``strict=True`` (``validate_input``): ``true`` is not
1 and ``"10"`` is not 10, while ISO dates, times and enum values given as JSON strings still parse
(python-mode strict would refuse those). The text and date rules run only through that door (the
validation context carries the clock), so events already stored are never re-judged on replay.
"""

from __future__ import annotations

import functools
import json
import math
import re
import typing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Final, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError, from_json

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_JSON_DEPTH = 16  # the deepest command (a scheme's indicator tree) needs under 10
EARLIEST_DATE = date(2000, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)  # a clock a little ahead, or a date entered just after midnight
PLAN_HORIZON_YEARS = 5  # targets and schemes may be set this many years ahead
# Bidirectional embeddings, overrides and isolates: they make text read differently from what is stored.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# What no stored text may hold: C0 controls but tab and line feed, DEL and the C1 controls, bidi
# controls, lone surrogates (which UTF-8 cannot encode); a single line refuses tab and line feed too.
MULTILINE_REFUSED = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}\\ud800-\\udfff]")
LINE_REFUSED = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}\\ud800-\\udfff]")
MULTILINE: Final = "multiline"  # Annotated marker: the field may hold \n and \t
PLANNED: Final = "planned"  # Annotated marker: a plan or target, which may lie ahead within the horizon
# Annotated marker: raw items each validated through the door later (a bulk import's rows), so that one
# bad item fails alone, named by its own fields
EACH_LATER: Final = "each item passes the door on its own"

M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Input refused before any model saw it: the field (dotted path) and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Door:
    """What the door knows while validating: the moment the input arrived (for the date windows)."""

    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(SHANGHAI).date()


def read_json(raw: bytes | str, field: str) -> Any:
    """Parse untrusted JSON: no NaN or Infinity, no lone surrogates, nesting at most MAX_JSON_DEPTH.
    ``field`` names the whole document in errors ("" for a request whose top-level keys are fields)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise InputError(field or "request", f"not UTF-8 (byte {error.start})") from None
    try:
        # jiter stops at 200 levels, far below Python's recursion limit; the walk below is stricter
        value = from_json(text, allow_inf_nan=False)
    except ValueError as error:
        raise InputError(field or "request", f"not valid JSON ({json_reason(str(error), text)})") from None
    check_json_value(value, field)
    return value


def json_reason(message: str, text: str) -> str:
    if "hex escape" in message or "surrogate" in message:
        return f"a \\u escape that is not a character, such as a lone surrogate: {message}"
    if "expected value" in message and ("NaN" in text or "Infinity" in text):
        return f"{message}; NaN and Infinity are not JSON numbers"
    if "recursion limit" in message:
        return f"nested deeper than {MAX_JSON_DEPTH} levels"
    return message


def check_json_value(value: Any, path: str, depth: int = 0) -> None:
    """Refuse nesting beyond MAX_JSON_DEPTH and non-finite numbers (1e999 parses as infinity)."""
    if depth >= MAX_JSON_DEPTH:  # depth counts from 0: at most MAX_JSON_DEPTH nested levels
        raise InputError(path or "request", f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(path or "request", "NaN and Infinity are not numbers")
    if isinstance(value, dict):
        for key, item in value.items():
            check_json_value(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json_value(item, f"{path}.{index}" if path else str(index), depth + 1)


def validate_input(model: type[M], data: Any, now: datetime) -> M:
    """``data`` (parsed JSON) as ``model``, strictly, with the text and date rules of the door."""
    check_json_value(data, "")
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return model.model_validate_json(text, strict=True, context=Door(now))


class Problem(str):
    """Why a value is refused: the words (English, for the API and the logs) with a stable code and its
    parameters, so that a page can say it in its own language."""

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, text: str, **params: object) -> Problem:
        problem = super().__new__(cls, text)
        problem.code, problem.params = code, {name: str(value) for name, value in params.items()}
        return problem


def text_problem(text: str, multiline: bool) -> Problem | None:
    """Why ``text`` may not be stored, or None: NUL, control, bidi-control or surrogate characters."""
    found = (MULTILINE_REFUSED if multiline else LINE_REFUSED).search(text)
    if found is None:
        return None
    char = found.group()
    code = ord(char)
    if code == 0:
        return Problem("text_nul", "contains a NUL character (U+0000)")
    if 0xD800 <= code <= 0xDFFF:
        return Problem(
            "text_surrogate", f"contains a lone surrogate (U+{code:04X}), which is not a character"
        )
    if char in BIDI_CONTROLS:
        return Problem(
            "text_bidi", f"contains the bidirectional control U+{code:04X}, which can disguise the text"
        )
    if char in "\n\t":
        return Problem("text_line_break", "contains a line break or tab; this field is a single line")
    return Problem("text_control", f"contains the control character U+{code:04X}", char=f"U+{code:04X}")


def date_problem(value: date, door: Door, planned: bool = False) -> Problem | None:
    """Why a stated date lies outside its window, or None."""
    if value < EARLIEST_DATE:
        text = f"{value} is before {EARLIEST_DATE}, the earliest date Sanji records"
        return Problem("date_too_early", text, earliest=EARLIEST_DATE)
    if planned:
        latest = date(door.today.year + PLAN_HORIZON_YEARS, 12, 31)
        if value > latest:
            text = f"{value} is more than {PLAN_HORIZON_YEARS} years ahead (at most {latest})"
            return Problem("date_too_far_ahead", text, latest=latest)
    elif value > door.today + FUTURE_TOLERANCE:
        text = f"{value} is in the future (today is {door.today} in Asia/Shanghai)"
        return Problem("date_in_future", text, today=door.today)
    return None


def plan_year_problem(year: int, door: Door) -> Problem | None:
    latest = door.today.year + PLAN_HORIZON_YEARS
    if not EARLIEST_DATE.year <= year <= latest:
        text = f"{year} is outside {EARLIEST_DATE.year}–{latest} (at most {PLAN_HORIZON_YEARS} years ahead)"
        return Problem("year_out_of_range", text, earliest=EARLIEST_DATE.year, latest=latest)
    return None


PlanYear = Annotated[int, Field(ge=EARLIEST_DATE.year, le=2100), PLANNED]


def has_marker(annotation: Any, metadata: list[Any], marker: str) -> bool:
    """Whether a field's type carries ``marker`` (also inside ``X | None`` and ``list[X]``)."""
    if marker in metadata:
        return True
    if marker in getattr(annotation, "__metadata__", ()):
        return True
    return any(has_marker(arg, [], marker) for arg in typing.get_args(annotation))


@functools.cache
def field_markers(model: type[BaseModel], name: str) -> frozenset[str]:
    """The door's markers on a field (looked up once per field)."""
    field = model.model_fields[name]
    return frozenset(
        marker
        for marker in (MULTILINE, PLANNED, EACH_LATER)
        if has_marker(field.annotation, field.metadata, marker)
    )


class InputModel(BaseModel):
    """Base of every model that takes input from outside: frozen, unknown fields and NaN refused, and
    through the door every string and date of every field checked (one rule, not per-field copies)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _door_rules(cls, value: Any, info: ValidationInfo) -> Any:
        door = info.context
        if not isinstance(door, Door) or info.field_name is None:
            return value
        markers = field_markers(cls, info.field_name)
        if EACH_LATER in markers:
            return value
        multiline, planned = MULTILINE in markers, PLANNED in markers
        if problem := value_problem(value, door, multiline=multiline, planned=planned):
            # The words are the message as they are (no template), the code and parameters its context.
            raise PydanticCustomError(
                problem.code, problem.replace("{", "{{").replace("}", "}}"), problem.params
            )
        return value


def value_problem(value: Any, door: Door, *, multiline: bool, planned: bool) -> Problem | None:
    """The first thing wrong with a field's value (walking lists, sets and dicts), or None."""
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        return scalar_problem(value, door, multiline=multiline, planned=planned)
    for item in items:
        if problem := value_problem(item, door, multiline=multiline, planned=planned):
            return problem
    return None


def scalar_problem(value: Any, door: Door, *, multiline: bool, planned: bool) -> Problem | None:
    """Text, dates and planned years; anything else (nested input models check their own) passes."""
    if isinstance(value, str):
        return text_problem(value, multiline)
    if isinstance(value, datetime):
        local = value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
        return date_problem(local, door, planned)
    if isinstance(value, date):
        return date_problem(value, door, planned)
    if isinstance(value, int) and not isinstance(value, bool) and planned:
        return plan_year_problem(value, door)
    return None
