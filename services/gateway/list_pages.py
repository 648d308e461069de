"""Lists on the pages — a unit subtree's opinion cases, its activities: 20 rows a page counted and paged by
the projection's query, sorted by a column, filtered, and the whole filtered list as a spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from contracts.queries.base import MAX_LIMIT
from services.gateway.api import sanji_of
from services.gateway.errors import field_error
from services.gateway.params import passed
from services.gateway.reads import query

PAGE_SIZE = 20
MAX_PAGE = 50_000  # 1,000,000 rows: the projection's deepest offset
MAX_DOWNLOAD = 10_000  # rows in one spreadsheet; a bigger list is a narrower filter away


@dataclass(frozen=True)
class ListSpec:
    """One list: its projection query, the answer's key for the rows, the filters passed through (the
    query's contract checks their values), the columns shown and which of them sort."""

    query: str
    rows: str
    filters: tuple[str, ...]
    columns: tuple[str, ...]
    sortable: frozenset[str]
    default_sort: str


def page_number(request: Request) -> int:
    """``?page=`` as a whole number from 1, or a 422 naming ``query.page``."""
    value = request.query_params.get("page") or "1"
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_PAGE):
        raise field_error("query.page", f"a whole number from 1 to {MAX_PAGE}")
    return int(value)


def sort_of(request: Request, spec: ListSpec) -> str:
    """``?sort=`` as a sortable column, ``-`` first for descending, or a 422 naming ``query.sort``."""
    value = request.query_params.get("sort") or spec.default_sort
    if value.removeprefix("-") not in spec.sortable:
        raise field_error(
            "query.sort", f"one of {', '.join(sorted(spec.sortable))}, '-' first for descending"
        )
    return value


def list_params(request: Request, spec: ListSpec, path: str) -> dict[str, Any]:
    """The query's parameters for the list the URL describes (without paging)."""
    return {"path": path, **passed(request, *spec.filters), "sort": sort_of(request, spec)}


async def list_page(request: Request, spec: ListSpec, path: str) -> dict[str, Any]:
    """One page of the list, with what the template needs to link the other pages and sorts."""
    page = page_number(request)
    params = list_params(request, spec, path)
    found = await query(
        sanji_of(request), spec.query, {**params, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    )
    total = int(found["total"])
    return {
        "rows": found[spec.rows],
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "sort": params["sort"],
        "filters": {name: params[name] for name in spec.filters if name in params},
        "freshness": found.get("freshness"),
    }


async def all_rows(request: Request, spec: ListSpec, path: str) -> tuple[list[dict[str, Any]], int]:
    """Every row of the filtered list (up to MAX_DOWNLOAD), read a query page at a time; and the total."""
    params = list_params(request, spec, path)
    rows: list[dict[str, Any]] = []
    total = MAX_DOWNLOAD
    while len(rows) < min(total, MAX_DOWNLOAD):
        found = await query(
            sanji_of(request), spec.query, {**params, "limit": MAX_LIMIT, "offset": len(rows)}
        )
        total = int(found["total"])
        if not found[spec.rows]:
            break
        rows += found[spec.rows]
    return rows[:MAX_DOWNLOAD], total


def next_sort(current: str, column: str) -> str:
    """The sort a column's header links to: ascending by it, or descending when it sorts ascending now."""
    return f"-{column}" if current == column else column


def page_links(page: int, pages: int) -> list[int | None]:
    """The page numbers a pager shows: the first, the last and two either side of ``page``; None for a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[int | None] = []
    for number in wanted:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links
