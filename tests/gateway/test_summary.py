"""The work summary read back over HTTP after a year of records written through commands: JSON and xlsx
equal the hand counts (summary_year.py), the quarters add up to the year, the docx opens and holds the
figures, another county's clerk gets 404 and bad parameters a 422 naming them."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document
from openpyxl import load_workbook

from services.gateway.summary_xlsx import figure_code
from tests.gateway.summary_year import PLANS, PREVIOUS_YEAR, SCORES, YEAR, record_year
from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, bearer, running_gateway
from tests.helpers import wait_until
from tests.opinion.builders import COUNTY, OTHER_COUNTY
from tests.opinion.support import setup_city
from tests.projection.assessment_support import assessment_events
from tests.stack import client

pytestmark = pytest.mark.slow
SERVICES = ("duty", "outreach", "opinion", "projection")
DATA_NAMES = (
    "吴中区民政局",
    "苏州市民政局",
    "红色教育基地现场教学",
    "民政观察",
    "长桥街道公众号",
    "长桥街道",
    "郭巷街道",
    "中文",
)
PERIODS = ("2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")


@pytest.fixture
async def http(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway over duty, outreach, opinion and projection, with the year recorded and projected."""
    async with (
        running_gateway(nats_url, database_url, tmp_path, SERVICES) as runtime,
        client(nats_url) as sanji,
    ):
        await setup_city(sanji)
        await record_year(sanji)
        async with assessment_events(
            nats_url, database_url
        ) as events:  # as the assessment service writes them
            await events.emit(*SCORES)
        base = f"http://127.0.0.1:{runtime.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            await wait_until(lambda: all_projected(http), timeout=60, message="the year was never projected")
            yield http


async def summary(http: httpx.AsyncClient, period: str, path: str = COUNTY, **params: str) -> httpx.Response:
    return await http.get(
        f"/api/v1/summaries/{path}", params={"period": period, **params}, headers=bearer(CITY_TOKEN)
    )


def figures(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {figure_code(figure): figure for figure in answer["figures"]}


def value(found: dict[str, dict[str, Any]], code: str) -> Any:
    """A figure's value; a subtype, column or outlet with nothing in either period is not listed (0)."""
    if code in found:
        return found[code]["value"]
    return 0 if any(f".{by}." in code for by in ("subtype", "column", "outlet")) else "missing"


async def all_projected(http: httpx.AsyncClient) -> bool:
    """Every view has caught up: the last record of each kind shows in the year's figures."""
    response = await summary(http, "2025")
    if response.status_code != 200:
        return False
    found = figures(response.json())
    last = (
        "opinion.items",
        "rectifications.closed_on_time",
        "publications.published",
        "activities.activities",
        "half_year_reports.reports_late",
        "social_organizations.inspections",
        "submissions.adopted",
    )
    return (
        all(found[code]["value"] == YEAR[code][0] for code in last)
        and found["opinion.incidents"]["value"] == 2
    )


async def test_the_summary_holds_the_hand_counted_figures_and_the_quarters_add_up(
    http: httpx.AsyncClient,
) -> None:
    answers = {}
    for period in PERIODS:
        response = await summary(http, period)
        assert response.status_code == 200, response.text
        answers[period] = figures(response.json())
    for code, expected in YEAR.items():
        got = tuple(value(answers[period], code) for period in PERIODS)
        assert got == expected, code
    year = answers["2025"]
    # Subtypes are "of which" lines: activities logged without one are in their kind's line only.
    subtypes = sorted(code for code in year if ".subtype." in code)
    assert subtypes == [
        "activities.activities.subtype.lecture/red_base",
        "activities.audience.subtype.lecture/red_base",
    ]
    assert {code: year[code]["previous"] for code in PREVIOUS_YEAR} == PREVIOUS_YEAR
    assert year["meetings.meetings"]["previous"] == 0
    assert answers["2025-Q2"]["activities.activities"]["previous"] == 2  # Q1 is the quarter before Q2
    for code, (whole, quarter) in PLANS.items():
        assert year[code]["plan"] == whole, code
        assert answers["2025-Q3"][code]["plan"] == quarter, code
    for code, figure in year.items():  # every additive figure: Q1 + Q2 + Q3 + Q4 = the year
        if figure["additive"]:
            quarters = sum(answers[period].get(code, {}).get("value") or 0 for period in PERIODS[1:])
            assert quarters == figure["value"], code
    assert year["activities.activities.kind.lecture"]["link"] == {
        "query": "outreach.activities",
        "params": {"path": COUNTY, "period": "2025", "kind": "lecture"},
    }


async def test_every_figure_a_summary_quotes_is_recorded_none_named_missing(http: httpx.AsyncClient) -> None:
    answer = (await summary(http, "2025")).json()
    missing = {(item["section"], item["name"]) for item in answer["not_recorded"]}
    assert missing == set()  # 信息报送, 三校 and social organizations are all recorded now
    sections = {figure["section"] for figure in answer["figures"]}
    assert {"submissions", "social_organizations", "half_year_reports"} <= sections


async def test_the_records_behind_a_meeting_figure_are_listed(http: httpx.AsyncClient) -> None:
    link = figures((await summary(http, "2025")).json())["meetings.meetings.kind.situation_analysis"]["link"]
    params = {k: v for k, v in link["params"].items() if k != "path"}
    response = await http.get(
        f"/api/v1/summaries/{COUNTY}/records", params=params, headers=bearer(CITY_TOKEN)
    )
    assert response.status_code == 200, response.text
    assert sorted(row["held_on"] for row in response.json()["records"]) == ["2025-06-25", "2025-12-10"]


async def test_the_workbook_holds_the_same_figures(http: httpx.AsyncClient) -> None:
    response = await summary(http, "2025", format="xlsx")
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == ["类别", "指标", "分项", "本期", "上期", "计划", "指标代码"]
    rows = {row[6]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    for code, expected in YEAR.items():
        assert rows[code][3] == expected[0], code
    assert rows["activities.activities.kind.lecture"][1:3] == ("活动场次", "民政大讲堂")
    assert rows["activities.activities.kind.lecture"][5] == 4
    assert rows["submissions.submitted"][1:6] == ("报送信息", None, 4, 1, 8)
    assert rows["submissions.adopted.level.province"][1:4] == ("录用信息", "省级", 1)
    assert rows[f"submissions.without_officer.unit.{COUNTY}"][1:3] == (
        "未配备信息宣传员的单位",
        "吴中区民政局",
    )
    assert book.worksheets[1]["B3"].value == "吴中区民政局"


async def test_the_word_draft_opens_and_holds_the_figures(http: httpx.AsyncClient) -> None:
    response = await summary(http, "2025", format="docx")
    assert response.status_code == 200, response.text
    doc = Document(io.BytesIO(response.content))
    text = [paragraph.text for paragraph in doc.paragraphs]
    assert text[0] == "关于吴中区民政局2025年度意识形态工作情况的报告"
    body = "\n".join(text)
    assert "本期活动场次5（上期1，计划4）" in body
    assert "本期发布篇数（评论文章）1" in body
    assert "【请在此处撰写" in body
    assert "暂无记录" not in body  # every figure is recorded: no note of what to fill in by hand
    assert "本期报送信息4（上期1，计划8）" in body
    title_run = doc.paragraphs[0].runs[0]
    assert title_run.font.name == "方正小标宋简体"
    assert doc.paragraphs[1].runs[0].font.name == "仿宋_GB2312"
    heading = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    assert heading.text == "一、宣传教育活动"
    assert heading.runs[0].font.name == "黑体"
    section = doc.sections[0]
    top, left = section.top_margin, section.left_margin
    assert top is not None
    assert left is not None
    assert (round(top.mm), round(left.mm)) == (37, 28)  # GB/T 9704


async def test_another_countys_clerk_gets_not_found_and_bad_parameters_are_named(
    http: httpx.AsyncClient,
) -> None:
    mine = await http.get(
        f"/api/v1/summaries/{COUNTY}", params={"period": "2025"}, headers=bearer(COUNTY_TOKEN)
    )
    assert mine.status_code == 200, mine.text
    for fmt in ("json", "xlsx", "docx"):
        other = await http.get(
            f"/api/v1/summaries/{OTHER_COUNTY}",
            params={"period": "2025", "format": fmt},
            headers=bearer(COUNTY_TOKEN),
        )
        assert other.status_code == 404, other.text
    missing_unit = "3205.320506.320506999"
    missing = await http.get(
        f"/api/v1/summaries/{missing_unit}", params={"period": "2025"}, headers=bearer(COUNTY_TOKEN)
    )
    assert missing.status_code == 404  # outside the scope reads exactly like a unit that does not exist
    assert missing.json()["error"]["message"].replace(missing_unit, "?") == other.json()["error"][
        "message"
    ].replace(OTHER_COUNTY, "?")
    records = await http.get(
        f"/api/v1/summaries/{OTHER_COUNTY}/records",
        params={"period": "2025", "section": "meetings"},
        headers=bearer(COUNTY_TOKEN),
    )
    assert records.status_code == 404
    for params, field in (
        ({"period": "2025-03"}, "query.period"),
        ({"period": "20x5"}, "query.period"),
        ({}, "query.period"),
        ({"period": "2025", "format": "pdf"}, "format"),
    ):
        response = await http.get(f"/api/v1/summaries/{COUNTY}", params=params, headers=bearer(CITY_TOKEN))
        assert response.status_code == 422, (params, response.text)
        assert [f["field"] for f in response.json()["error"]["fields"]] == [field], params


def visible_text(page: str) -> str:
    """What a reader sees: the page without scripts, styles and tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def test_the_page_is_reached_from_the_unit_page_and_speaks_only_chinese(
    http: httpx.AsyncClient,
) -> None:
    """A plain HTTP render (the browser suite would need the whole demo): no English word, no code."""
    await http.post("/login", data={"token": CITY_TOKEN, "next": "/"})
    unit_page = await http.get(f"/units/{COUNTY}")
    assert f'href="/summaries/{COUNTY}"' in unit_page.text
    bare = await http.get(f"/summaries/{COUNTY}")
    assert bare.status_code == 303
    assert bare.headers["location"].startswith(f"/summaries/{COUNTY}?period=")
    page = await http.get(f"/summaries/{COUNTY}", params={"period": "2025"})
    assert page.status_code == 200, page.text
    text = visible_text(page.text)
    # Allowed: the switch to English, the product names Excel and Word, the statutory grades (较大(III))
    # as the catalog writes them, and the signed-in actor's id.
    words = set(re.findall(r"[A-Za-z_]{2,}", text)) - {"English", "Excel", "Word", "II", "III", "IV", "admin"}
    assert not words, sorted(words)
    assert "吴中区民政局 2025年度工作总结" in text
    assert "活动场次（民政大讲堂）" in text
    assert "红色教育基地现场教学" in text
    assert f'href="/summaries/{COUNTY}/download?period=2025&amp;format=docx"' in page.text
    xlsx = await http.get(f"/summaries/{COUNTY}/download", params={"period": "2025", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["A1"].value == "类别"
    english = visible_text(
        (await http.get(f"/summaries/{COUNTY}", params={"period": "2025", "lang": "en"})).text
    )
    assert "Work summary" in english
    for name in DATA_NAMES:  # names the records give stay as written
        english = english.replace(name, "")
    assert not re.search(r"[\u3400-\u9fff]", english)
