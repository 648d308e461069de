"""What every query contract shares: parameters (empty = absent, text checked once), the answer's
freshness and staleness, and the contract that ties a query's name to its models and HTTP route."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contracts.inputs import text_problem
from contracts.units import UnitPath

MAX_LIMIT = 200  # a page of rows
MAX_OFFSET = 1_000_000  # far below bigint: a deeper page is a narrower filter away
MAX_TEXT = 300  # a unit path of eight levels fits


def whole(low: int, high: int) -> Callable[[Any], int]:
    """A whole number from ``low`` to ``high`` (digits in text too: query strings are text)."""

    def check(value: Any) -> int:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value

    return check


Limit = Annotated[int, BeforeValidator(whole(1, MAX_LIMIT)), Field(description="rows on a page")]
Offset = Annotated[int, BeforeValidator(whole(0, MAX_OFFSET)), Field(description="rows to skip")]
PeriodText = Annotated[
    str, Field(max_length=10, description="a year (2026), quarter (2026-Q1) or month (2026-03)")
]
RecordId = Annotated[str, Field(min_length=1, max_length=64)]


class QueryParams(BaseModel):
    """A query's parameters: unknown names refused, an empty value the same as none, text without
    control characters. ``after`` is the position a command reply carried (read-your-writes)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_max_length=MAX_TEXT)
    after: str | None = Field(
        None, max_length=200, description="answer once the view has applied this command position"
    )

    @model_validator(mode="before")
    @classmethod
    def empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {key: value for key, value in data.items() if value not in ("", None)}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def storable_text(cls, value: Any) -> Any:
        if isinstance(value, str) and (problem := text_problem(value, multiline=False)):
            raise ValueError(str(problem))
        return value


class NoParams(QueryParams):
    """A query that takes nothing but ``after``."""


class UnitParams(QueryParams):
    path: UnitPath


class ChildParams(UnitParams):
    """A list of ``path``'s subtree narrowed to the subtree of ``child``, a unit below ``path``."""

    child: UnitPath | None = Field(None, description="only the subtree of this unit below `path`")

    @field_validator("child")
    @classmethod
    def below_path(cls, child: str | None, info: ValidationInfo) -> str | None:
        path = info.data.get("path")
        if child is not None and path is not None and not child.startswith(f"{path}."):
            raise ValueError(f"a unit below {path}")
        return child


Year = Annotated[
    int, BeforeValidator(whole(2000, 2100)), Field(description="a year; this local year if omitted")
]


class MonthlyParams(UnitParams):
    year: Year | None = None


class AsOfParams(UnitParams):
    as_of: date | None = Field(None, description="a local date; today in Asia/Shanghai when omitted")


class Freshness(BaseModel):
    """How fresh an answer is: the stream sequence its view had applied, and how long ago."""

    model_config = ConfigDict(frozen=True)
    checkpoint: int
    updated_at: str | None
    age_seconds: float | None


class Answer(BaseModel):
    """Every answer says how fresh it is, and ``stale`` when it waited for ``after`` in vain."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    freshness: Freshness
    stale: bool = Field(False, description="true: the view had not applied `after` when the wait ran out")


Row = dict[str, Any]  # a row whose columns the view's SQL names (documented by the view's migration)


class MonthCount(BaseModel):
    model_config = ConfigDict(frozen=True)
    month: str = Field(description="2026-03")
    count: int


class MonthlyAnswer(Answer):
    """A unit subtree's count for each month of a year (twelve rows, a month without any counted as 0)."""

    path: str
    year: int
    months: list[MonthCount]


@dataclass(frozen=True)
class QueryContract:
    """One query: its name (subject ``sanji.qry.projection.<name>``), models and HTTP route.

    ``path`` is the GET route; ``unit_param`` names the parameter the route's ``{unitpath}`` fills (the
    gateway keeps it inside the actor's subtree), or ``record_param`` names the ``{id}`` of a record
    whose ``record_units(answer)`` must include a unit in the actor's subtree."""

    name: str
    params: type[QueryParams]
    answer: type[Answer]
    path: str | None = None
    unit_param: str | None = None
    record_param: str | None = None
    record_units: Callable[[Mapping[str, Any]], list[Any]] | None = None
    unscoped: bool = False  # any signed-in actor may read it (schemes)
    summary: str = ""
