"""The list pages' filters against a real stack: the cases by severity and by subunit, the activities by
kind and by subunit; each filter returns exactly the matching rows, on the page and in both downloads,
kept in the sort and page links; a bad value is a 422 naming it; a subunit outside the unit is refused and
another county's list is the 404 of a missing unit."""

from __future__ import annotations

import csv
import io
import re

import httpx
from openpyxl import load_workbook

from services.gateway.app import GatewayRuntime
from tests.gateway.opinion_support import COUNTY, OTHER_COUNTY, TOWN, logged_in, report_case, step
from tests.gateway.support import COUNTY_TOKEN, activity, log_activity
from tests.helpers import wait_until

CASES = f"/opinion/units/{COUNTY}/cases"
ACTIVITIES = f"/outreach/units/{COUNTY}/activities"


def titles(page: str) -> set[str]:
    return set(re.findall(r'<a href="/opinion/cases/[^"]+">([^<]+)</a>', page))


async def downloaded(http: httpx.AsyncClient, url: str, params: dict[str, str], column: int) -> list[str]:
    """One column of the CSV download's rows, checked to be the xlsx download's too."""
    sheet = await http.get(f"{url}.csv", params=params)
    book = await http.get(f"{url}.xlsx", params=params)
    assert sheet.status_code == book.status_code == 200
    lines = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))[1:]
    cells = list(load_workbook(io.BytesIO(book.content)).worksheets[0].iter_rows(values_only=True))[1:]
    assert [line[column] for line in lines] == [str(row[column]) for row in cells]
    return sorted(line[column] for line in lines)


async def test_cases_filter_by_severity_and_subunit(clerk: httpx.AsyncClient) -> None:
    town_graded = await report_case(clerk, TOWN, "街道重大")
    await report_case(clerk, TOWN, "街道未定级")
    county_graded = await report_case(clerk, COUNTY, "区县一般")
    for case_id, severity, owner in ((town_graded, "II", TOWN), (county_graded, "IV", COUNTY)):
        grade = {"relevant": "yes", "category": "elderly_care", "severity": severity, "owning_unit": owner}
        await step(clerk, case_id, "grade", grade)

    async def all_listed() -> bool:
        return titles((await clerk.get(CASES)).text) == {"街道重大", "街道未定级", "区县一般"}

    await wait_until(all_listed, message="the cases list never showed the three items")
    expected = {
        (("severity", "II"),): {"街道重大"},
        (("severity", "IV"),): {"区县一般"},
        (("severity", "I"),): set(),
        (("child", TOWN),): {"街道重大", "街道未定级"},
        (("child", TOWN), ("severity", "II")): {"街道重大"},
        (("child", TOWN), ("severity", "IV")): set(),
    }
    for filters, wanted in expected.items():
        params = dict(filters)
        listed = await clerk.get(CASES, params=params)
        assert listed.status_code == 200
        assert titles(listed.text) == wanted, filters
        assert f"共 {len(wanted)} 条" in listed.text
        assert await downloaded(clerk, CASES, params, 0) == sorted(wanted), filters

    page = (await clerk.get(CASES, params={"child": TOWN, "severity": "II"})).text
    assert '<option value="II" selected>' in page  # a select, the choice kept
    assert f'<option value="{TOWN}" selected>长桥街道</option>' in page  # the subunit by name
    sort_link = re.search(r'<a class="sort" data-column="title" href="([^"]+)"', page)
    assert sort_link is not None
    assert f"severity=II&amp;child={TOWN}" in sort_link[1]  # the filters kept when sorting
    assert f"severity=II&amp;child={TOWN}" in page.split('id="download"', 1)[1].split(">", 1)[0]
    about = load_workbook(
        io.BytesIO((await clerk.get(f"{CASES}.xlsx", params={"child": TOWN, "severity": "II"})).content)
    ).worksheets[1]
    conditions = str({row[0]: row[1] for row in about.iter_rows(values_only=True)}["筛选条件"])
    assert "长桥街道" in conditions  # by name and word, not by code
    assert "重大" in conditions

    for name, value in (("severity", "V"), ("child", OTHER_COUNTY), ("child", "3205.x"), ("child", COUNTY)):
        for url in (CASES, f"{CASES}.csv", f"{CASES}.xlsx"):
            bad = await clerk.get(url, params={name: value})
            assert bad.status_code == 422, (url, name, value)
            assert name in bad.text


async def test_activities_filter_by_kind_and_subunit(
    clerk: httpx.AsyncClient, opinion_gateway: GatewayRuntime
) -> None:
    logged = [
        ("f-town-training", TOWN, "training", 11),
        ("f-town-lecture", TOWN, "lecture", 12),
        ("f-county-training", COUNTY, "training", 13),
        ("f-county-lecture", COUNTY, "lecture", 14),
    ]
    for activity_id, unit, kind, audience in logged:
        body = activity(activity_id, unit, audience, kind) | {"held_on": "2026-03-02"}
        assert (await log_activity(clerk, body)).status_code == 200

    async def all_listed() -> bool:
        return "共 4 条" in (await clerk.get(ACTIVITIES, params={"period": "2026"})).text

    await wait_until(all_listed, message="the activities list never showed the four")
    for params in (
        {"kind": "training"},
        {"child": TOWN},
        {"child": TOWN, "kind": "lecture"},
        {"kind": "drill"},
    ):
        wanted = sorted(
            str(audience)
            for _, unit, kind, audience in logged
            if params.get("kind", kind) == kind and unit.startswith(params.get("child", COUNTY))
        )
        query = {"period": "2026", **params}
        page = (await clerk.get(ACTIVITIES, params=query)).text
        shown = re.findall(r'<td class="num">([\d,]+)</td>', page.split('<table id="list">', 1)[-1])
        assert sorted(shown if "<table" in page else []) == wanted, params
        assert f"共 {len(wanted)} 条" in page
        assert await downloaded(clerk, ACTIVITIES, query, 5) == wanted, params

    paged = (await clerk.get(ACTIVITIES, params={"period": "2026", "child": TOWN})).text
    assert f'<option value="{TOWN}" selected>长桥街道</option>' in paged
    assert f"child={TOWN}" in paged.split('id="download-csv"', 1)[1].split(">", 1)[0]

    for name, value in (("kind", "party"), ("child", OTHER_COUNTY), ("period", "last-year")):
        bad = await clerk.get(f"{ACTIVITIES}.csv", params={name: value})
        assert bad.status_code == 422
        assert name in bad.text

    async with logged_in(opinion_gateway, COUNTY_TOKEN) as county:
        mine = await county.get(ACTIVITIES, params={"child": TOWN})
        assert mine.status_code == 200
        missing = f"{COUNTY}.320506099"
        for url in ("/outreach/units/{}/activities", "/opinion/units/{}/cases.csv"):
            theirs = await county.get(url.format(OTHER_COUNTY), params={"severity": "II"})
            gone = await county.get(url.format(missing), params={"severity": "II"})
            assert theirs.status_code == gone.status_code == 404
            assert theirs.text.replace(OTHER_COUNTY, "P") == gone.text.replace(missing, "P")
