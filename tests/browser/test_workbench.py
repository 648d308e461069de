"""The workbench in a real browser against the full demo: log in, drill city → county → township and back,
log an activity by form and see the count rise, run an opinion item through its loop by forms (a refusal
shown in Chinese beside its field) and another across city, county and township by their own clerks and a
leader (levels.py), page, sort and download a list, every chart drawn with data, submit a publication, and
every page worked on in English without Chinese-only gaps or leaks, shot at laptop and phone widths in
artifacts/browser/ (survey.py)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Page

from services import registry
from services.cli import demo_assessment
from services.cli.demo import CITY, Seeder, demo_units, local_today, seed_demo
from services.cli.demo_assessment import example_scheme, settled
from services.cli.demo_opinion import seed_opinion
from services.cli.demo_outreach import demo_targets
from tests.browser.chromium import LAPTOP, charts_drawn, chromium, count, shoot
from tests.browser.levels import case_state, local_input, opinion_across_levels, send_step
from tests.browser.survey import WORKED_ON, no_language_gaps, publication_by_form, screenshots
from tests.gateway.support import CITY_TOKEN, DEMO_TOKEN, bearer, running_gateway
from tests.helpers import wait_until

SERVICES = tuple(name for name in registry.names() if name != "gateway")  # every service behind the pages
CITY_PATH, CITY_NAME = CITY
# Each context page of the city and the charts it must draw with data after the demo.
CHARTS = {
    "/units/3205": {"chart-kinds", "chart-trend", "chart-children", "chart-plan-children", "chart-funnel"},
    "/outreach/units/3205": {"chart-kinds", "chart-plan", "chart-children"},
    "/opinion/units/3205?period=2026": {"chart-loop", "chart-severity", "chart-times", "chart-children"},
    "/assessment/units/3205": {"chart-trend", "chart-children"},
}

pytestmark = pytest.mark.slow
ACTIVITIES, OPINION_ITEMS = 120, 40  # enough for every chart; the full demo takes minutes on a busy machine
BULLETIN = "2026-Q1"  # published (frozen); the later quarters stay provisional, drawn dashed


async def seed(base: str) -> None:
    """The demo's units, activities, duty and outreach, a smaller opinion year, the scheme and one bulletin."""
    await seed_demo(base, DEMO_TOKEN, ACTIVITIES, echo=lambda _line: None)
    async with httpx.AsyncClient(base_url=base, headers=bearer(DEMO_TOKEN), timeout=30) as http:
        seeder, city = Seeder(http), CITY_PATH
        for target in demo_targets(demo_units(), 2026):
            await seeder.send(
                "outreach.set_target", target, f"browser-target-{target['unit']}-{target['kind']}"
            )
        await seed_opinion(http, seeder, demo_units(), local_today(), lambda _line: None, items=OPINION_ITEMS)
        scheme = {"unit": city, "year": 2026, "scheme": example_scheme()}
        await seeder.send("assessment.adopt_scheme", scheme, "browser-scheme-2026")
        await settled(http, city, BULLETIN)
        bulletin = {"unit": city, "period": BULLETIN, "title": "2026年第一季度意识形态工作责任制考核通报"}
        await seeder.send("assessment.publish_bulletin", bulletin, "browser-bulletin-2026-Q1")


async def log_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/units/{CITY_PATH}")
    assert "/login" in page.url
    await page.fill("#token", CITY_TOKEN)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{base}/units/{CITY_PATH}")


async def drill_down_and_back(page: Page) -> str:
    """City → its first county → that county's first township by links, back to the city by the breadcrumb;
    answers the township's page URL."""
    assert CITY_NAME in await page.inner_text("h1")
    county = page.locator("#chart-children table a").first
    county_name = await county.inner_text()
    await county.click()
    assert county_name in await page.inner_text("h1")
    township = page.locator("#chart-children table a").first
    township_name = await township.inner_text()
    await township.click()
    assert township_name in await page.inner_text("h1")
    crumbs = await page.locator("nav.crumbs").inner_text()
    assert CITY_NAME in crumbs
    assert county_name in crumbs
    township_url = page.url
    await page.locator("nav.crumbs a", has_text=county_name).click()
    assert county_name in await page.inner_text("h1")
    await page.locator("nav.crumbs a", has_text=CITY_NAME).click()
    assert CITY_NAME in await page.inner_text("h1")
    return township_url


async def own_activities(page: Page) -> int:
    return count(await page.locator(".total strong").first.inner_text())


async def log_activity_by_form(page: Page, township_url: str) -> None:
    await page.goto(township_url)
    before = await own_activities(page)
    await page.select_option("#kind", "outreach_talk")
    await page.fill("#topic", "浏览器测试：入户宣讲")
    await page.fill("#held_on", local_today().isoformat())
    await page.fill("#audience", "35")
    await page.click("#log ~ form button[type=submit]")
    await page.wait_for_url("**logged=1**")
    assert await page.locator(".notice").count() == 1

    async def risen() -> bool:
        await page.reload()
        return await own_activities(page) == before + 1

    await wait_until(risen, timeout=30, interval=0.5, message="the township's count never rose")


COUNTY = "3205.320506"
LISTS = ("/outreach/units/3205/activities", "/opinion/units/3205/cases")


async def opinion_loop_by_forms(page: Page, base: str) -> str:
    """A clerk registers an item (first with a capture time in the future: refused beside the field, in
    Chinese), grades, dispatches; the township returns it (退单); dispatched again, it is acknowledged,
    acted on, answered and closed, then reopened; answers the case URL."""
    await page.goto(f"{base}/opinion/units/{COUNTY}")
    await page.select_option("#report-channel", "weibo")
    await page.fill("#report-title", "浏览器测试：养老院伙食投诉")
    await page.fill("#report-excerpt", "网友反映某养老院伙食质量下降")
    await page.fill("#report-captured_at", local_input(24 * 60))
    async with page.expect_navigation():
        await page.click("#report button[type=submit]")
    refusal = await page.inner_text("#report .field-error")
    assert refusal.startswith("不能晚于当前时间"), refusal
    await shoot(page, "opinion-refusal-zh-laptop")
    await page.fill("#report-captured_at", local_input(-60))
    async with page.expect_navigation():
        await page.click("#report button[type=submit]")
    assert await case_state(page) == "待研判"
    await page.select_option("#step-grade-relevant", "yes")
    await page.select_option("#step-grade-category", "elderly_care")
    await page.select_option("#step-grade-severity", "IV")
    await page.select_option("#step-grade-owning_unit", COUNTY)
    await send_step(page, "grade")
    assert await case_state(page) == "待派单"
    assert "个工作日" in await page.inner_text("#deadlines") or "今日到期" in await page.inner_text(
        "#deadlines"
    )
    await page.select_option("#step-assign-to_unit", index=2)  # the county's first township
    await send_step(page, "assign")
    await page.fill("#step-return-reason", "不属于本街道职责")  # 退单: back to the county's desk
    await send_step(page, "return")
    assert await case_state(page) == "待派单"
    await page.select_option("#step-assign-to_unit", index=2)
    await send_step(page, "assign")
    await send_step(page, "acknowledge")
    await page.select_option("#step-record_action-action", "verify")
    await page.fill("#step-record_action-description", "已联系养老院核实并督促整改")
    await send_step(page, "record_action")
    await page.fill("#step-give_feedback-said", "已在评论区回应整改情况")
    await page.select_option("#step-give_feedback-reception", "accepted")
    await send_step(page, "give_feedback")
    await page.fill("#step-close-resolution", "伙食已改善，网友认可")
    await send_step(page, "close")
    assert await case_state(page) == "已办结"
    assert "认可" in await page.inner_text("#timeline")
    await shoot(page, "opinion-case-closed-zh-laptop")
    await page.fill("#step-reopen-reason", "网友仍有反映")
    await send_step(page, "reopen")
    assert await case_state(page) == "处置中"
    assert "退单" in await page.inner_text("#timeline")
    return page.url.split("?")[0]


async def list_pages_sorts_and_downloads(page: Page, base: str) -> None:
    """The subtree's activities: page 2 by its link, sorted by 人次 by its header, and the xlsx opens."""
    await page.goto(f"{base}{LISTS[0]}")
    assert "第 1/" in await page.inner_text("#list-total")
    async with page.expect_navigation():
        await page.click("#pager a[rel=next]")
    assert "第 2/" in await page.inner_text("#list-total")
    async with page.expect_navigation():
        await page.click("a.sort[data-column=audience]")
    shown = [count(text) for text in await page.locator("#list tbody td.num").all_inner_texts()]
    assert shown == sorted(shown)
    assert len(shown) == 20
    await shoot(page, "activities-list-zh-laptop")
    async with page.expect_download() as waiting:
        await page.click("#download")
    download = await waiting.value
    saved = Path(str(await download.path()))  # named without .xlsx, which openpyxl wants: read the bytes
    book = load_workbook(io.BytesIO(await asyncio.to_thread(saved.read_bytes)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("日期", "主题", "活动类型", "单位", "单位代码", "人次")
    audiences = [row[5] for row in rows[1:]]
    assert len(audiences) > 20
    assert audiences == sorted(audiences)  # the list shown: every page of it, in its order
    await page.goto(f"{base}{LISTS[1]}")
    await shoot(page, "opinion-list-zh-laptop")


async def every_chart_drawn(page: Page, base: str) -> None:
    """Each page's charts hold data (polled: the last facts seeded may still be on their way to the views)."""
    for path, expected in CHARTS.items():
        drawn: dict[str, int] = {}

        async def all_drawn(
            path: str = path, expected: set[str] = expected, drawn: dict[str, int] = drawn
        ) -> bool:
            await page.goto(base + path)
            drawn.update(await charts_drawn(page))
            return all(drawn.get(chart, 0) > 0 for chart in expected)

        try:
            await wait_until(all_drawn, timeout=60, interval=1.0)
        except AssertionError:
            raise AssertionError(
                f"{path}: charts drawn {drawn}, expected data in {sorted(expected)}"
            ) from None


@pytest.mark.timeout(900)  # seeding a year across five services on two shared cores
async def test_the_workbench_in_a_browser(
    nats_url: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_assessment, "SETTLE_WITHIN", 480.0)  # scoring a year of facts, loaded machine
    async with running_gateway(nats_url, database_url, tmp_path, SERVICES) as gateway:
        base = f"http://127.0.0.1:{gateway.http_port}"
        await seed(base)
        async with chromium() as browser:
            page = await browser.new_page(viewport=LAPTOP, locale="zh-CN")
            await log_in(page, base)
            township_url = await drill_down_and_back(page)
            await log_activity_by_form(page, township_url)
            case_url = await opinion_loop_by_forms(page, base)
            levels_case = await opinion_across_levels(browser, base)
            await list_pages_sorts_and_downloads(page, base)
            await every_chart_drawn(page, base)
            publication = await publication_by_form(page, base)
            worked_on = [*WORKED_ON, publication, levels_case]
            taken = await screenshots(page, base, worked_on)
            await no_language_gaps(
                page,
                base,
                [*worked_on, *LISTS, case_url.removeprefix(base), "/", "/outreach/import?unit=3205"],
            )
            assert all(shot.stat().st_size > 10_000 for shot in taken)
