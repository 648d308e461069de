"""An opinion item run through its loop by forms as people of three levels, each in their own browser
session (signed in with their own token): the city clerk reports, grades and dispatches it to the
county; the county clerk acknowledges it and passes it down (转派) to a township; the township clerk
acknowledges it and asks for more time; the county leader supervises it (督办) and grants the extension;
the township acts and gives feedback; the county closes it. After each form the page shows the new state."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Browser, Page, ViewportSize

from contracts.envelope import utc_now
from services.eventkit.localtime import SHANGHAI
from tests.browser.chromium import LAPTOP, shoot
from tests.gateway.support import CITY_CLERK_TOKEN, COUNTY_LEADER_TOKEN, COUNTY_TOKEN, TOWN_TOKEN

CITY, COUNTY, TOWNSHIP = "3205", "3205.320506", "3205.320506.320506001"
COUNTY_NAME, TOWNSHIP_NAME = "吴中区民政局", "长桥街道"


def local_input(minutes: int) -> str:
    """A datetime-local input's value ``minutes`` from now, in Shanghai wall time."""
    return (utc_now() + timedelta(minutes=minutes)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


async def signed_in(browser: Browser, base: str, token: str, path: str, size: ViewportSize = LAPTOP) -> Page:
    """A fresh browser session (its own cookies) signed in by the login page with ``token``, on ``path``."""
    context = await browser.new_context(viewport=size, locale="zh-CN")
    page = await context.new_page()
    await page.goto(base + path)
    assert "/login" in page.url, page.url
    await page.fill("#token", token)
    async with page.expect_navigation():
        await page.click("form button[type=submit]")
    assert "/login" not in page.url, f"{token} was not let in"
    assert path.split("?", maxsplit=1)[0] in page.url, page.url
    return page


async def send_step(page: Page, step: str) -> None:
    """Submit the case page's form for ``step`` and wait for the case page it leads to."""
    async with page.expect_navigation():
        await page.click(f"#step-{step} button[type=submit]")
    assert "/opinion/cases/" in page.url, page.url
    assert await page.locator(".field-error").count() == 0, await page.inner_text("main")


async def case_state(page: Page) -> str:
    return (await page.inner_text("#case-state")).split("·")[0].strip()


async def offered(page: Page) -> set[str]:
    """The steps whose forms the case page offers this user."""
    ids = await page.eval_on_selector_all("section[id^=step-]", "els => els.map(e => e.id)")
    return {str(found).removeprefix("step-") for found in ids}


async def timeline(page: Page) -> str:
    return await page.inner_text("#timeline")


async def city_reports_and_dispatches(browser: Browser, base: str) -> Page:
    city = await signed_in(browser, base, CITY_CLERK_TOKEN, f"/opinion/units/{CITY}")
    await city.select_option("#report-channel", "wechat")
    await city.fill("#report-title", "浏览器测试：街道敬老院收费不透明")
    await city.fill("#report-excerpt", "网友反映长桥街道敬老院收费标准未公示")
    await city.fill("#report-captured_at", local_input(-30))
    async with city.expect_navigation():
        await city.click("#report button[type=submit]")
    assert await case_state(city) == "待研判"
    await city.select_option("#step-grade-relevant", "yes")
    await city.select_option("#step-grade-category", "elderly_care")
    await city.select_option("#step-grade-severity", "III")
    await city.select_option("#step-grade-owning_unit", COUNTY)
    await send_step(city, "grade")
    assert await case_state(city) == "待派单"
    assert "supervise" not in await offered(city)  # a clerk, not a leader: no 督办 form
    await city.select_option("#step-assign-to_unit", COUNTY)
    await send_step(city, "assign")
    assert await case_state(city) == "待签收"
    assert COUNTY_NAME in await timeline(city)
    return city


async def county_passes_down(browser: Browser, base: str, case_path: str) -> Page:
    county = await signed_in(browser, base, COUNTY_TOKEN, case_path)
    assert await offered(county) >= {"acknowledge", "return"}
    await send_step(county, "acknowledge")
    assert await case_state(county) == "已签收"
    units = await county.locator("#step-pass_down-to_unit option").all_inner_texts()
    assert COUNTY_NAME not in units  # only the units below the county
    await county.select_option("#step-pass_down-to_unit", TOWNSHIP)
    await county.fill("#step-pass_down-note", "请长桥街道核实收费公示情况")
    await send_step(county, "pass_down")
    assert await case_state(county) == "待签收"
    assert TOWNSHIP_NAME in await timeline(county)
    assert "转派" in await timeline(county)
    return county


async def leader_supervises_and_extends(browser: Browser, base: str, case_path: str) -> None:
    leader = await signed_in(browser, base, COUNTY_LEADER_TOKEN, case_path)
    assert await offered(leader) >= {"supervise", "decide_extension"}
    await leader.fill("#step-supervise-reason", "群众关注度高，区局跟踪督办")
    await send_step(leader, "supervise")
    assert "督办" in await timeline(leader)
    assert COUNTY_NAME in await leader.locator("main table").first.inner_text()  # the supervisor, by name
    await leader.select_option("#step-decide_extension-approved", "yes")
    await leader.fill("#step-decide_extension-note", "同意延期")
    await send_step(leader, "decide_extension")
    assert "批准延期" in await timeline(leader)
    assert await leader.locator("#pending-extension").count() == 0
    await leader.context.close()


async def opinion_across_levels(browser: Browser, base: str) -> str:
    """The loop across city, county and township; answers the case's path (its page mid-loop is shot)."""
    city = await city_reports_and_dispatches(browser, base)
    case_path = city.url.removeprefix(base).split("?")[0]
    county = await county_passes_down(browser, base, case_path)
    township = await signed_in(browser, base, TOWN_TOKEN, case_path)
    assert "close" not in await offered(township)  # the county's desk closes, not the township
    await send_step(township, "acknowledge")
    assert await case_state(township) == "已签收"
    await township.fill("#step-request_extension-workdays", "3")
    await township.fill("#step-request_extension-reason", "需协调第三方审计收费台账")
    await send_step(township, "request_extension")
    assert await township.locator("#pending-extension").count() == 1
    await leader_supervises_and_extends(browser, base, case_path)
    await township.goto(base + case_path)
    await township.select_option("#step-record_action-action", "verify")
    await township.fill("#step-record_action-description", "已核实并督促敬老院公示收费标准")
    await send_step(township, "record_action")
    assert await case_state(township) == "处置中"
    await shoot(township, "opinion-case-levels-zh-laptop")
    await township.goto(base + case_path)  # from the top, not the form's anchor the redirect scrolled to
    await shoot(township, "readme-case", full_page=False)
    await township.fill("#step-give_feedback-said", "已在公众号回应收费公示情况")
    await township.select_option("#step-give_feedback-reception", "accepted")
    await send_step(township, "give_feedback")
    assert await case_state(township) == "已反馈"
    await county.goto(base + case_path)
    assert "close" in await offered(county)
    await county.fill("#step-close-resolution", "收费标准已公示，网友认可")
    await send_step(county, "close")
    assert await case_state(county) == "已办结"
    await city.goto(base + case_path)
    assert await case_state(city) == "已办结"  # the city sees the county's close
    for page in (city, county, township):
        await page.context.close()
    return case_path
