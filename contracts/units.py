"""Unit paths: where a unit sits in the city → county → township tree.

A path is the chain of statistical division codes (统计用区划代码) from the city down, then optional
local codes for departments, branches and institutions, joined by dots:
``3205`` (city), ``3205.320506`` (county), ``3205.320506.320506001`` (township),
``3205.320506.320506001.dept01`` (a section of that township office).
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

# ASCII digits only and \Z, not $: `$` also matches before a trailing newline, and `\d` matches
# full-width and other Unicode digits, either of which would leak into NATS subjects.
CITY_CODE = re.compile(r"^[0-9]{2}(0[1-9]|[1-9][0-9])\Z")
COUNTY_CODE = re.compile(r"^[0-9]{4}(0[1-9]|[1-9][0-9])\Z")
TOWNSHIP_CODE = re.compile(r"^[0-9]{6}(00[1-9]|0[1-9][0-9]|[1-9][0-9][0-9])\Z")
LOCAL_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}\Z")
MAX_DEPTH = 8
NOT_APPLICABLE = "_"


class Level(StrEnum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


class UnitPathError(ValueError):
    """A unit path that does not follow the division-code rules."""


def parse_unit_path(value: str) -> str:
    """Validate a unit path and return it unchanged; raise UnitPathError naming the bad segment."""
    if not isinstance(value, str) or not value:
        raise UnitPathError("unit path is empty")
    return _checked_path(value)


# A deployment has a few thousand units and every event names some of them several times (command,
# event, envelope): remembering the valid ones takes path checks off the hot path. Errors are not kept.
@lru_cache(maxsize=16_384)
def _checked_path(value: str) -> str:
    segments = value.split(".")
    if len(segments) > MAX_DEPTH:
        raise UnitPathError(
            f"unit path has {len(segments)} levels, at most {MAX_DEPTH} are allowed "
            f"('{segments[MAX_DEPTH]}' is one too deep)"
        )
    city = segments[0]
    if not CITY_CODE.match(city):
        raise UnitPathError(f"'{city}' is not a 4-digit city division code (e.g. 3205)")
    parent_code = city
    local_started = False
    for position, segment in enumerate(segments[1:], start=1):
        if not segment:
            raise UnitPathError(f"level {position + 1} of the unit path is empty (a doubled or trailing dot)")
        if segment.isdigit() and local_started:
            raise UnitPathError(
                f"'{segment}' is a division code after a local code: division codes come first"
            )
        if segment.isdigit():
            if position > 2:
                raise UnitPathError(
                    f"'{segment}' is a division code below township level: use a local code there"
                )
            expected = COUNTY_CODE if position == 1 else TOWNSHIP_CODE
            label = "6-digit county" if position == 1 else "9-digit township"
            if not expected.match(segment):
                raise UnitPathError(f"'{segment}' is not a {label} division code")
            if not segment.startswith(parent_code):
                raise UnitPathError(
                    f"'{segment}' does not lie under '{parent_code}' (its code must start with it)"
                )
            parent_code = segment
            continue
        if not LOCAL_CODE.match(segment):
            raise UnitPathError(
                f"'{segment}' is neither a division code nor a local code "
                "(lowercase letter first, then letters, digits or _; at most 32)"
            )
        local_started = True
    return value


# The checks parse_unit_path makes, as far as a regular expression can say them (it cannot say
# that a county code starts with its city code, nor count levels): shown to other systems.
UNIT_PATH_PATTERN = (
    r"^[0-9]{2}(0[1-9]|[1-9][0-9])"
    r"(\.[0-9]{4}(0[1-9]|[1-9][0-9])(\.[0-9]{6}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2}))?)?"
    r"(\.[a-z][a-z0-9_]{0,31})*$"
)
UNIT_PATH_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": UNIT_PATH_PATTERN,
    "description": (
        "Unit path: division codes (统计用区划代码) from the city down, joined by dots: city 4 digits, "
        "county 6 and township 9 digits, each starting with its parent's code; then local codes "
        "(lowercase letter first, at most 32 characters). At most 8 levels."
    ),
    "examples": ["3205", "3205.320506", "3205.320506.320506001", "3205.320506.320506001.dept01"],
}


class UnitPathDocs:
    """Adds the unit-path format to the string schema pydantic generates (keeping its bounds), so every
    document made from the models (JSON Schema files, AsyncAPI, the gateway's OpenAPI) shows it: a
    validator function alone shows a plain string."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), **UNIT_PATH_SCHEMA}


UnitPath = Annotated[str, AfterValidator(parse_unit_path), UnitPathDocs]


def division_codes(path: str) -> list[str]:
    """The division-code segments of a path (city, county, township), without local codes."""
    codes: list[str] = []
    for segment in path.split("."):
        if not segment.isdigit():
            break
        codes.append(segment)
    return codes


def is_office(path: str) -> bool:
    """A city, county or township office (its path is division codes only), not a section inside one."""
    return len(division_codes(path)) == len(path.split("."))


def level_of(path: str) -> Level:
    """The administrative level a unit belongs to (a section belongs to the level of its office)."""
    return (Level.CITY, Level.COUNTY, Level.TOWNSHIP)[len(division_codes(path)) - 1]


def parent_of(path: str) -> str | None:
    head, sep, _ = path.rpartition(".")
    return head if sep else None


@lru_cache(maxsize=8192)  # a city has a few thousand units; the projections ask once per event
def ancestors_and_self(path: str) -> tuple[str, ...]:
    """``a.b.c`` → ``(a, a.b, a.b.c)``: every unit whose subtree contains this one."""
    segments = path.split(".")
    return tuple(".".join(segments[: i + 1]) for i in range(len(segments)))


def is_within(path: str, scope: str) -> bool:
    """True when ``path`` is ``scope`` itself or lies in its subtree."""
    return path == scope or path.startswith(scope + ".")


def subject_tokens(path: str) -> tuple[str, str, str]:
    """The three fixed subject tokens (city, county, township), ``_`` where a level does not apply."""
    codes = division_codes(path) + [NOT_APPLICABLE] * 3
    return codes[0], codes[1], codes[2]
