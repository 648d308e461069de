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

from contracts.assessment import AppealDecided, AppealFiled
from services.gateway.app import GatewayRuntime
from tests.gateway.opinion_support import COUNTY, OTHER_COUNTY, TOWN, logged_in, report_case, step
from tests.gateway.support import COUNTY_TOKEN, activity, log_activity
from tests.helpers import wait_until
from tests.projection.assessment_support import assessment_events

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
    assert f'<option value="{TOWN}" data-name selected>长桥街道</option>' in page  # the subunit by name
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
    assert f'<option value="{TOWN}" data-name selected>长桥街道</option>' in paged
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


APPEALS = f"/assessment/units/{COUNTY}/appeals"
APPEALED = {  # appeal id → (unit, period, decided as)
    "appeal-town-q3": (TOWN, "2026-Q3", None),
    "appeal-town-2025": (TOWN, "2025-Q4", False),
    "appeal-county-q3": (COUNTY, "2026-Q3", None),
    "appeal-other-q3": (OTHER_COUNTY, "2026-Q3", None),
}


async def record_appeals(nats_url: str, database_url: str) -> None:
    """Four appeals as assessment writes them, one rejected; one in the other county."""
    events: list[AppealFiled | AppealDecided] = []
    for appeal_id, (unit, period, upheld) in APPEALED.items():
        events.append(
            AppealFiled(
                appeal_id=appeal_id,
                unit=unit,
                period=period,
                bulletin_unit="3205",
                bulletin_version=1,
                reason="分数有误",
            )
        )
        if upheld is not None:
            decided = AppealDecided(
                appeal_id=appeal_id,
                unit=unit,
                period=period,
                bulletin_unit="3205",
                upheld=upheld,
                points=0,
                reason="不予支持",
            )
            events.append(decided)
    async with assessment_events(nats_url, database_url) as writer:
        await writer.emit(*events)


def appeal_rows(page: str) -> list[tuple[str, str]]:
    """(unit name, period) of each row of the appeals list."""
    if '<table id="list">' not in page:
        return []
    body = page.split('<table id="list">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]*)</td><td>([^<]*)</td>", body)


async def test_the_appeals_list_filters_and_the_panel_links_to_the_waiting_ones(
    clerk: httpx.AsyncClient, opinion_gateway: GatewayRuntime, nats_url: str, database_url: str
) -> None:
    await record_appeals(nats_url, database_url)

    async def all_listed() -> bool:
        return len(appeal_rows((await clerk.get(APPEALS)).text)) == 3

    await wait_until(all_listed, message="the appeals list never showed the county's three appeals")
    town, county = ("长桥街道", "吴中区民政局")
    expected = {
        (): {(town, "2026年第三季度"), (town, "2025年第四季度"), (county, "2026年第三季度")},
        (("state", "filed"),): {(town, "2026年第三季度"), (county, "2026年第三季度")},
        (("state", "rejected"),): {(town, "2025年第四季度")},
        (("state", "upheld"),): set(),
        (("child", TOWN),): {(town, "2026年第三季度"), (town, "2025年第四季度")},
        (("period", "2026"),): {(town, "2026年第三季度"), (county, "2026年第三季度")},
        (("period", "2026-Q3"), ("child", TOWN)): {(town, "2026年第三季度")},
    }
    for filters, wanted in expected.items():
        params = dict(filters)
        page = (await clerk.get(APPEALS, params=params)).text
        assert set(appeal_rows(page)) == wanted, filters
        assert f"共 {len(wanted)} 条" in page
        codes = {TOWN if unit == town else COUNTY for unit, _ in wanted}
        assert set(await downloaded(clerk, APPEALS, params, 1)) == codes, filters

    for name, value in (("state", "lost"), ("child", OTHER_COUNTY), ("period", "Q3"), ("sort", "reason")):
        bad = await clerk.get(APPEALS, params={name: value})
        assert bad.status_code == 422, (name, value)
        assert name in bad.text

    panel = (await clerk.get(f"/units/{COUNTY}")).text
    item = re.search(
        r'<li id="attention-appeals_waiting"[^>]*>.*?<a href="([^"]+)"><strong>(\d+)</strong>', panel, re.S
    )
    assert item is not None
    assert item[2] == "2"  # the two filed in the county, not the rejected one nor the other county's
    linked = (await clerk.get(item[1].replace("&amp;", "&"))).text
    assert set(appeal_rows(linked)) == expected[(("state", "filed"),)]

    async with logged_in(opinion_gateway, COUNTY_TOKEN) as clerk_of_county:
        mine = await clerk_of_county.get(APPEALS)
        assert set(appeal_rows(mine.text)) == expected[()]
        missing = f"{COUNTY}.320506099"
        for suffix in ("", ".csv", ".xlsx"):
            theirs = await clerk_of_county.get(f"/assessment/units/{OTHER_COUNTY}/appeals{suffix}")
            gone = await clerk_of_county.get(f"/assessment/units/{missing}/appeals{suffix}")
            assert theirs.status_code == gone.status_code == 404
            assert theirs.text.replace(OTHER_COUNTY, "P") == gone.text.replace(missing, "P")
