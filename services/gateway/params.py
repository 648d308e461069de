"""Query-string and path parameters, bounded at the door like command bodies: a number out of range, a
date outside its window or text with control characters is a 422 naming the parameter, never a 500."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import Request

from contracts.envelope import utc_now
from contracts.inputs import Door, date_problem, text_problem
from services.gateway.errors import field_error

MAX_LIMIT = 200  # the projection's page size limit
MAX_OFFSET = 1_000_000  # far below bigint; deeper pages are a narrower filter away
MAX_TEXT = 100
MAX_POSITION = 200  # ``after``: a command reply's position (origin, transaction and insert position)
MAX_PATH_PARAM = 300  # a unit path of eight levels fits
NUMBERS = {"limit": (1, MAX_LIMIT), "offset": (0, MAX_OFFSET), "version": (1, 10_000)}
DATES = frozenset({"from", "to", "as_of"})
PERIOD = re.compile(r"^(?P<year>[0-9]{4})(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


def passed(request: Request, *names: str) -> dict[str, Any]:
    """The named query parameters that were given (non-empty), each checked against its bounds."""
    door = Door(utc_now())
    return {name: checked(name, value, door) for name in names if (value := request.query_params.get(name))}


def given_name(request: Request) -> str | None:
    """An upload's file name, from ``?filename=`` or the ``X-Filename`` header, checked like any text."""
    value = request.query_params.get("filename") or request.headers.get("x-filename")
    return checked("filename", value.strip(), Door(utc_now())) if value else None


def readable_path(request: Request) -> None:
    """Every path parameter is bounded text without control characters, or a 422 naming it (a NUL
    would otherwise reach PostgreSQL, which refuses it)."""
    for name, value in request.path_params.items():
        if not isinstance(value, str):
            continue
        if len(value) > MAX_PATH_PARAM:
            raise field_error(name, f"at most {MAX_PATH_PARAM} characters")
        if problem := text_problem(value, multiline=False):
            raise field_error(name, problem)


def checked(name: str, value: str, door: Door) -> str:
    """``value`` unchanged, or a 422 naming ``query.<name>`` and why."""
    field = f"query.{name}"
    longest = MAX_POSITION if name == "after" else MAX_TEXT
    if len(value) > longest:
        raise field_error(field, f"at most {longest} characters")
    if problem := text_problem(value, multiline=False):
        raise field_error(field, problem)
    if name in NUMBERS:
        low, high = NUMBERS[name]
        if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
            raise field_error(field, f"a whole number from {low} to {high}")
    elif name in DATES:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise field_error(field, "a date like 2026-03-02") from None
        if problem := date_problem(day, door, planned=True):
            raise field_error(field, problem)
    elif name == "period":
        match = PERIOD.match(value)
        if match is None:
            raise field_error(field, "a year (2026), quarter (2026-Q1) or month (2026-03)")
        if problem := date_problem(date(int(match["year"]), 1, 1), door, planned=True):
            raise field_error(field, problem)
    return value
