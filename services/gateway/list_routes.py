"""The list pages of a unit's subtree — its opinion cases and its activities — and their downloads: the
same filters, sort and rows as the page shows, every row of the filtered list in the spreadsheet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from contracts.commands import Actor
from contracts.opinion.common import Severity
from contracts.outreach import ActivityKind
from contracts.queries.opinion import CaseStateName
from services.gateway.api import sanji_of
from services.gateway.auth import page_actor
from services.gateway.catalog import Messages
from services.gateway.labels import Words, local_time
from services.gateway.list_csv import MEDIA_TYPE as CSV_TYPE
from services.gateway.list_csv import list_csv
from services.gateway.list_pages import ListSpec, all_rows, list_page, next_sort, page_links
from services.gateway.list_xlsx import MEDIA_TYPE, Cell, disposition, list_workbook
from services.gateway.pages import unit_crumbs, unit_names, views_of
from services.gateway.period_words import period_text
from services.gateway.reads import checked_path, unit_detail
from services.gateway.views import freshness_line, lang_of, link

router = APIRouter(include_in_schema=False)
PageActor = Annotated[Actor, Depends(page_actor)]
Row = dict[str, Any]
# opinion.cases' filters ("all" is the default): the overdue and supervised cases the unit page counts
CASE_FILTERS = ("open", "overdue", "supervised", "waiting", "drill")


@dataclass(frozen=True)
class ListPage:
    """A list page: its query, the words of its context, its filter choices and how a row reads in a
    spreadsheet (headers are catalog keys of ``words``)."""

    name: str  # the URL's last part and the catalog's title key
    context: str  # the URL's first part
    spec: ListSpec
    words: str  # the catalog prefix of its labels
    choices: dict[str, tuple[str, ...]]  # filter → its coded values (the unit's children added per page)
    headers: tuple[str, ...]
    widths: tuple[int, ...]
    cells: Callable[[Row, Messages, dict[str, str]], Sequence[Cell]]
    # filter → the catalog group of its values' labels, where that is not the filter's name
    groups: dict[str, str] = field(default_factory=dict)


def case_cells(row: Row, words: Messages, names: dict[str, str]) -> Sequence[Cell]:
    handler = row["assignee"] or row["desk"]
    return (
        row["title"],
        words.name("severity", row["severity"]),
        words.name("state", row["state"]),
        names.get(handler, handler),
        handler,
        local_time(row["captured_at"]),
        words.name("channel", row["channel"]),
    )


def activity_cells(row: Row, words: Messages, names: dict[str, str]) -> Sequence[Cell]:
    return (
        row["held_on"],
        row["topic"],
        words.name("activity_kind", row["kind"]),
        names.get(row["unit"], row["unit"]),
        row["unit"],
        row["audience"],
    )


def appeal_cells(row: Row, words: Messages, names: dict[str, str]) -> Sequence[Cell]:
    return (
        row["name"],
        row["unit"],
        period_text(row["period"], words.lang),
        words.name("appeal_state", row["state"]),
        local_time(row["filed_at"]) if row["filed_at"] else None,
        local_time(row["decided_at"]) if row["decided_at"] else None,
        row["reason"],
        row["decision"],
        row["points"],
    )


LISTS = {
    "cases": ListPage(
        "cases",
        "opinion",
        ListSpec(
            "projection.opinion.cases",
            "cases",
            ("filter", "state", "severity", "child", "period"),
            ("title", "severity", "state", "handler", "captured_at"),
            frozenset({"title", "severity", "state", "captured_at", "reported_at"}),
            "-reported_at",
        ),
        "opinion.",
        {"filter": CASE_FILTERS, "state": get_args(CaseStateName), "severity": tuple(Severity)},
        ("title", "severity", "state", "handler", "list.unit_code", "captured", "field.channel"),
        (40, 10, 10, 24, 28, 18, 12),
        case_cells,
    ),
    "activities": ListPage(
        "activities",
        "outreach",
        ListSpec(
            "projection.outreach.activities",
            "activities",
            ("kind", "child", "period"),
            ("held_on", "topic", "kind", "unit", "audience"),
            frozenset({"held_on", "topic", "kind", "unit", "audience"}),
            "-held_on",
        ),
        "",
        {"kind": tuple(kind.value for kind in ActivityKind)},
        ("field.held_on", "field.topic", "field.kind", "text.unit", "list.unit_code", "field.audience"),
        (12, 40, 14, 24, 28, 10),
        activity_cells,
        {"kind": "activity_kind"},
    ),
    "appeals": ListPage(
        "appeals",
        "assessment",
        ListSpec(
            "projection.assessment.appeals",
            "appeals",
            ("state", "child", "period"),
            ("unit", "period", "state", "filed_at", "decided_at"),
            frozenset({"unit", "period", "state", "filed_at", "decided_at"}),
            "-filed_at",
        ),
        "assessment.",
        {"state": ("filed", "upheld", "rejected")},
        (
            "unit",
            "list.unit_code",
            "period",
            "appeal_state",
            "filed_at",
            "decided_at",
            "appeal_reason",
            "decision",
            "points",
        ),
        (24, 28, 14, 10, 18, 18, 40, 40, 8),
        appeal_cells,
        {"state": "appeal_state"},
    ),
}


def unit_of(row: Row) -> str:
    return str(row.get("assignee") or row.get("desk") or row.get("unit") or "")


@dataclass(frozen=True)
class Listed:
    """The whole filtered, sorted list a page shows, ready for a download in the page's language."""

    name: str
    unit: Row
    title: str
    headers: list[str]
    rows: list[Sequence[Cell]]
    about: list[tuple[str, Cell]]

    def file_name(self, suffix: str) -> str:
        return disposition(
            f"{self.name}-{self.unit['path']}.{suffix}", f"{self.unit['name']}-{self.title}.{suffix}"
        )


async def listed(unitpath: str, name: str, request: Request, actor: Actor) -> Listed:
    """Every row of the list the URL describes (its filters and sort), as cells under the page's headers;
    the unit kept inside the actor's subtree like the page."""
    page = LISTS[name]
    unit = await unit_detail(sanji_of(request), actor, unitpath)
    rows, total = await all_rows(request, page.spec, unit["path"])
    lang = lang_of(request)
    words, common = Messages(lang, page.words), Messages(lang)
    names = await unit_names(request, [*(unit_of(row) for row in rows), request.query_params.get("child")])
    title = common(f"list.title.{name}")
    filters = [
        f"{common('list.filter.' + key)}: {filter_label(key, value, page, lang, names)}"
        for key, value in request.query_params.items()
        if key in page.spec.filters and value
    ]
    about: list[tuple[str, Cell]] = [
        (common("list.what"), title),
        (common("text.unit"), f"{unit['name']}（{unit['path']}）"),
        (common("list.filters"), "；".join(filters) or common("list.none")),
        (common("list.rows"), f"{len(rows)} / {total}"),
        (common("list.fresh"), freshness_line(unit.get("freshness"), Words(lang))),
    ]
    headers = [words.text(key) or common(key) for key in page.headers]
    cells = [page.cells(row, words, names) for row in rows]
    return Listed(name, unit, title, headers, cells, about)


async def download(unitpath: str, name: str, request: Request, actor: Actor) -> Response:
    """The whole filtered, sorted list the page shows, as a spreadsheet in the page's language."""
    found = await listed(unitpath, name, request, actor)
    about_title = Messages(lang_of(request))("list.about")
    widths = LISTS[name].widths
    body = list_workbook(
        found.title, found.headers, widths, found.rows, about=found.about, about_title=about_title
    )
    return Response(body, media_type=MEDIA_TYPE, headers={"Content-Disposition": found.file_name("xlsx")})


async def csv_download(unitpath: str, name: str, request: Request, actor: Actor) -> Response:
    """The same list as CSV (the same rows, columns and headers as the spreadsheet's first sheet)."""
    found = await listed(unitpath, name, request, actor)
    body = list_csv(found.headers, found.rows)
    return Response(body, media_type=CSV_TYPE, headers={"Content-Disposition": found.file_name("csv")})


def filter_label(key: str, value: str, page: ListPage, lang: str, names: dict[str, str]) -> str:
    """A filter's value as the page and the download name it: a period in words, a unit by name."""
    if key == "period":
        return period_text(value, lang)
    if key == "child":
        return names.get(value, value)
    return Messages(lang, page.words).name(page.groups.get(key, key), value)


async def list_view(unitpath: str, name: str, request: Request, actor: Actor) -> HTMLResponse:
    """A page of the list: filters, sortable headers, the pager and the download of the whole list."""
    page = LISTS[name]
    path = checked_path(unitpath, actor)
    unit = await unit_detail(sanji_of(request), actor, path)
    found = await list_page(request, page.spec, path)
    lang = lang_of(request)
    children = {child["path"]: child["name"] for child in unit["children"]}
    choices = {**page.choices, **({"child": tuple(children)} if children else {})}

    def here(*, suffix: str = "", **changes: str) -> str:
        """This list's URL (or its download's: ``suffix`` .xlsx or .csv) with the filters and sort shown,
        and ``changes``."""
        params = {**found["filters"], "sort": found["sort"], **changes}
        return link(f"/{page.context}/units/{path}/{name}{suffix}", lang, **params)

    return views_of(request).render(
        request,
        "list.html",
        actor=actor,
        unit=unit,
        list_name=name,
        context=page.context,
        words=Messages(lang, page.words),
        lists=Messages(lang, "list."),
        here=here,
        choices=choices,
        filters=page.spec.filters,
        choice_text=lambda key, value: filter_label(key, value, page, lang, children),
        columns=page.spec.columns,
        sortable=page.spec.sortable,
        found=found,
        pager=page_links(found["page"], found["pages"]),
        next_sort=next_sort,
        crumbs=await unit_crumbs(request, actor, path),
        names=await unit_names(request, (unit_of(row) for row in found["rows"])),
    )


Handler = Callable[[str, str, Request, Actor], Awaitable[Response]]


def list_endpoint(handler: Handler, name: str) -> Callable[..., Awaitable[Response]]:
    """The route of one list in one form (page, xlsx or CSV): the handler with the list's name bound."""

    async def endpoint(unitpath: str, request: Request, actor: PageActor) -> Response:
        return await handler(unitpath, name, request, actor)

    return endpoint


def add_list_routes() -> None:
    """Every list at /<context>/units/<unit>/<name>, with .xlsx and .csv beside it: one route table, not
    three functions per list."""
    for page in LISTS.values():
        for suffix, handler in (("", list_view), (".xlsx", download), (".csv", csv_download)):
            router.add_api_route(
                f"/{page.context}/units/{{unitpath}}/{page.name}{suffix}",
                list_endpoint(handler, page.name),
                methods=["GET"],
                response_model=None,
            )


add_list_routes()
