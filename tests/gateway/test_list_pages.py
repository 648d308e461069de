"""The list pages against a real stack: 20 rows a page paged by the projection's query, sorted by a column,
filtered, a bad page or sort refused naming it, and the filtered list downloaded as a workbook that opens."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from contracts.envelope import utc_now
from services.eventkit.localtime import SHANGHAI
from services.gateway import list_pages
from tests.gateway.support import activity, log_activity
from tests.helpers import wait_until

TOWN, COUNTY = "3205.320506.320506001", "3205.320506"
LIST = f"/outreach/units/{COUNTY}/activities"


def list_rows(page: str) -> list[str]:
    """The first cell of each row of the list table."""
    body = page.split('<table id="list">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]*)</td>", body)


def audiences(page: str) -> list[int]:
    body = page.split('<table id="list">', 1)[1].split("</table>", 1)[0]
    return [int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td>', body)]


async def test_activities_page_sort_filter_and_download(
    clerk: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(25):
        body = activity(
            f"list-activity-{n:02d}", TOWN if n % 2 else COUNTY, 10 + n, "training" if n < 5 else "lecture"
        )
        body["held_on"] = f"2026-03-{n + 1:02d}"
        logged = await log_activity(clerk, body)
        assert logged.status_code == 200, logged.text

    async def all_listed() -> bool:
        page = await clerk.get(LIST, params={"period": "2026"})
        return "共 25 条" in page.text

    await wait_until(all_listed, message="the list never showed the 25 activities")
    first = (await clerk.get(LIST, params={"period": "2026"})).text
    assert "共 25 条 · 第 1/2 页" in first
    assert len(list_rows(first)) == 20
    assert list_rows(first)[0] == "2026年3月25日"  # newest first by default
    second = (await clerk.get(LIST, params={"period": "2026", "page": "2"})).text
    assert len(list_rows(second)) == 5
    assert list_rows(second)[-1] == "2026年3月1日"

    by_audience = (await clerk.get(LIST, params={"period": "2026", "sort": "audience"})).text
    assert audiences(by_audience) == list(range(10, 30))
    assert (
        'href="/outreach/units/3205.320506/activities?period=2026&amp;sort=-audience&amp;page=1"'
        in by_audience
    )
    trainings = (await clerk.get(LIST, params={"period": "2026", "kind": "training"})).text
    assert "共 5 条" in trainings
    assert "培训" in trainings

    bad_page = await clerk.get(LIST, params={"page": "0"})
    assert bad_page.status_code == 422
    assert "page" in bad_page.text
    bad_sort = await clerk.get(LIST, params={"sort": "secret_column"})
    assert bad_sort.status_code == 422
    assert "sort" in bad_sort.text
    bad_kind = await clerk.get(LIST, params={"kind": "party"})
    assert bad_kind.status_code == 422

    download = await clerk.get(
        f"{LIST}.xlsx", params={"period": "2026", "kind": "training", "sort": "audience"}
    )
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("日期", "主题", "活动类型", "单位", "单位代码", "人次")
    assert [row[5] for row in rows[1:]] == [10, 11, 12, 13, 14]  # the filter and the sort, numbers as numbers
    assert {row[2] for row in rows[1:]} == {"培训"}
    assert sheet.freeze_panes == "A2"
    about = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert "吴中区民政局" in str(about["单位"])
    assert "培训" in str(about["筛选条件"])

    monkeypatch.setattr(list_pages, "MAX_DOWNLOAD", 7)  # a download is bounded, and says so
    capped = await clerk.get(f"{LIST}.xlsx", params={"period": "2026"})
    book = load_workbook(io.BytesIO(capped.content))
    assert book.worksheets[0].max_row == 8
    assert {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}[
        "条数（导出/总数）"
    ] == "7 / 25"


async def test_cases_list_filters_by_state(clerk: httpx.AsyncClient) -> None:
    captured = (utc_now() - timedelta(hours=2)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    for n in range(3):
        report = {"channel": "forum", "title": f"舆情{n}", "excerpt": "内容", "captured_at": captured}
        sent = await clerk.post(f"/opinion/units/{COUNTY}/cases", data=report)
        assert sent.status_code == 303
    listed = f"/opinion/units/{COUNTY}/cases"

    async def all_listed() -> bool:
        return "共 3 条" in (await clerk.get(listed)).text

    await wait_until(all_listed, message="the cases list never showed the three items")
    by_title = (await clerk.get(listed, params={"sort": "-title"})).text
    assert re.findall(r">(舆情\d)</a>", by_title) == ["舆情2", "舆情1", "舆情0"]
    assert "共 0 条" in (await clerk.get(listed, params={"state": "closed"})).text
    assert "共 3 条" in (await clerk.get(listed, params={"state": "reported"})).text
    bad = await clerk.get(listed, params={"state": "lost"})
    assert bad.status_code == 422
    download = await clerk.get(f"{listed}.xlsx", params={"state": "reported"})
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert sheet.max_row == 4
    assert next(sheet.iter_rows(values_only=True))[:3] == ("标题", "等级", "状态")


def chart_option(page: str, chart: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{chart}-option">(.*?)</script>', page, re.S)
    assert found is not None, f"{chart} is not drawn"
    option: dict[str, Any] = json.loads(found[1])
    return option


async def test_the_unit_page_draws_the_years_months(clerk: httpx.AsyncClient) -> None:
    captured = (utc_now() - timedelta(minutes=30)).astimezone(SHANGHAI)
    body = activity("trend-activity-1", TOWN, 12)
    body["held_on"] = captured.date().replace(day=1).isoformat()  # this month, whenever the test runs
    assert (await log_activity(clerk, body)).status_code == 200
    report = {
        "channel": "forum",
        "title": "趋势",
        "excerpt": "内容",
        "captured_at": captured.strftime("%Y-%m-%dT%H:%M"),
    }
    assert (await clerk.post(f"/opinion/units/{TOWN}/cases", data=report)).status_code == 303
    month = captured.month - 1

    async def both_drawn() -> bool:
        page = (await clerk.get(f"/units/{COUNTY}")).text
        if 'id="chart-trend-option"' not in page:
            return False
        series = chart_option(page, "chart-trend")["series"]
        return bool(series[0]["data"][month] == 1 and series[1]["data"][month] == 1)

    await wait_until(both_drawn, message="the trend never showed the activity and the item")
    page = (await clerk.get(f"/units/{COUNTY}")).text
    option = chart_option(page, "chart-trend")
    assert [series["type"] for series in option["series"]] == ["line", "line"]
    assert len(option["xAxis"]["data"]) == 12
    assert option["xAxis"]["data"][month] == f"{captured.year}年{captured.month}月"
    table = page.split('id="chart-trend"', 1)[1].split("</figure>", 1)[0]
    assert table.count("<tr") == 13  # the header and the twelve months
