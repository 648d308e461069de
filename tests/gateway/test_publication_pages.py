"""三审三校 and targets by form against a real stack: a piece submitted, signed through the three reviews
by three different people and published, each step shown at once on the page it leads to; one person
signing two stages refused in Chinese on the page; a target set by form shown in the plan; forms offered
only to those who may use them, forged ones refused, and another county's unit the 404 of a missing one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from services.gateway.app import GatewayRuntime
from services.gateway.publication_forms import usable_outlets
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_LEADER_TOKEN,
    COUNTY_TOKEN,
    bearer,
    register_units,
    running_gateway,
)
from tests.helpers import wait_until

COUNTY, OTHER_COUNTY, MISSING = "3205.320506", "3205.320507", "3205.320599"
OUTLET = "o-320506-wechat"
WRITER = COUNTY_TOKEN  # clerk@320506
PEOPLE = {
    "first-reviewer-token": {"id": "first@320506", "scope": COUNTY, "roles": ["clerk"]},
    "second-reviewer-token": {"id": "second@320506", "scope": COUNTY, "roles": ["clerk"]},
    "county-assessor-token": {"id": "assessor@320506", "scope": COUNTY, "roles": ["assessor"]},
}
FIRST, SECOND, ASSESSOR = PEOPLE
LEADER = COUNTY_LEADER_TOKEN  # leader@320506


@pytest.fixture
async def gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    async with running_gateway(nats_url, database_url, tmp_path, tokens=PEOPLE) as runtime:
        base = f"http://127.0.0.1:{runtime.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            await register_units(api)
            await register_outlet(api)
        yield runtime


async def register_outlet(api: httpx.AsyncClient) -> None:
    """吴中区's WeChat account, owned by its filled information-officer post."""
    post = {"post_id": "post-320506-info", "unit": COUNTY}
    kind = {"kind": "information_officer", "title": "信息宣传员"}
    holder = {"staff_no": "SZ-0001", "person_name": "王芳", "effective_on": "2025-01-02"}
    outlet = {
        "outlet_id": OUTLET,
        "unit": COUNTY,
        "kind": "wechat_account",
        "name": "吴中民政公众号",
        "owner_post_id": post["post_id"],
        "effective_on": "2025-01-02",
    }
    for name, body in (
        ("create_post", post | kind),
        ("fill_post", post | holder),
        ("register_outlet", outlet),
    ):
        sent = await api.post(f"/api/v1/commands/duty/{name}", json=body, headers=bearer(CITY_TOKEN))
        assert sent.status_code == 200, sent.text


@pytest.fixture
async def browser(gateway: GatewayRuntime) -> AsyncIterator[Any]:
    """A logged-in browser-like client per token: ``await browser(token)``."""
    opened: list[httpx.AsyncClient] = []

    async def login(token: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=30)
        opened.append(client)
        assert (await client.post("/login", data={"token": token, "next": "/"})).status_code == 303
        return client

    yield login
    for client in opened:
        await client.aclose()


def state_of(page: str) -> str:
    found = re.search(r'id="publication-state">([^<]+)<', page)
    assert found is not None, "the publication page shows no state"
    return found[1].strip()


def stage_row(page: str, stage: str) -> str:
    found = re.search(rf"<td>{stage}</td>(.*?)</tr>", page.split('id="stages"', 1)[1], re.S)
    assert found is not None, f"no row for {stage}"
    return found[1]


async def step(client: httpx.AsyncClient, url: str, data: dict[str, str]) -> str:
    """Send a form; it must lead (303, ``after=``) to the page that already shows what was written."""
    sent = await client.post(url, data=data)
    assert sent.status_code == 303, sent.text[:3000]
    assert httpx.URL(sent.headers["location"]).params["after"]  # read-your-writes
    page = await client.get(sent.headers["location"])
    assert page.status_code == 200
    return page.text


async def submitted(writer: httpx.AsyncClient, title: str) -> str:
    """Submit a piece by the form (retried while outreach has not yet learned the outlet from duty); its
    page shows it at once; answers the page's path."""
    form = {"kind": "article", "title": title, "outlet_id": OUTLET, "column": "政策解读"}
    found: list[str] = []

    async def sent() -> bool:
        answer = await writer.post(f"/outreach/units/{COUNTY}/publications", data=form)
        if answer.status_code == 303:
            found.append(answer.headers["location"])
        return bool(found)

    await wait_until(sent, message="outreach never learned the outlet")
    assert httpx.URL(found[0]).params["after"]
    assert state_of((await writer.get(found[0])).text) == "待初审"
    return httpx.URL(found[0]).path


async def test_three_people_sign_the_three_reviews_and_it_is_published(browser: Any) -> None:
    writer, first, second, leader = [await browser(token) for token in (WRITER, FIRST, SECOND, LEADER)]
    listing = await writer.get(f"/outreach/units/{COUNTY}/publications")
    assert listing.status_code == 200
    assert 'id="submit"' in listing.text
    assert f'<option value="{OUTLET}">吴中民政公众号（吴中区民政局）</option>' in listing.text
    url = await submitted(writer, "吴中区养老服务补贴政策解读")
    page = (await writer.get(url)).text
    assert state_of(page) == "待初审"
    assert "<td>吴中民政公众号（吴中区民政局） · 政策解读</td>" in page  # the outlet by name, not its id
    assert 'id="step-review_first"' not in page  # the author signs no review

    mine = (await first.get(f"/outreach/units/{COUNTY}/publications")).text
    assert re.search(r"id=\"waiting\">[^<]*<strong>1</strong>", mine)
    assert "待我审核" in mine.split('id="publications"', 1)[1]
    page = (await first.get(url)).text
    assert 'id="step-review_first"' in page
    assert 'id="step-review_second"' not in page  # only the stage it is in
    page = await step(first, f"{url}/review_first", {"decision": "approve"})
    assert state_of(page) == "待复审"
    assert "first@320506" in stage_row(page, "初审")
    assert 'id="step-review_second"' not in page  # the first reviewer is not offered the second

    page = await step(second, f"{url}/review_second", {"decision": "approve", "comments": "同意"})
    assert state_of(page) == "待终审"
    assert "second@320506" in stage_row(page, "复审")
    assert 'id="step-review_third"' not in page  # 终审 is a leader's

    page = await step(leader, f"{url}/review_third", {"decision": "approve"})
    assert state_of(page) == "待发布"
    assert "leader@320506" in stage_row(page, "终审")

    page = (await writer.get(url)).text
    assert 'id="step-publish"' in page
    today = local_date(utc_now())
    assert f'value="{today.isoformat()}"' in page  # published today unless changed
    page = await step(writer, f"{url}/publish", {"published_on": today.isoformat()})
    assert state_of(page) == "已发布"
    assert f"{today.year}年{today.month}月{today.day}日" in page
    assert re.findall(r'id="step-(\w+)"', page) == ["record_views"]  # only the outlet's figure is left
    assert re.search(r'id="publication-views"><th>阅读量</th><td>0</td>', page)

    refused = await writer.post(f"{url}/record_views", data={"views": "-5", "as_of": today.isoformat()})
    assert refused.status_code == 422
    beside = re.search(
        r'id="step-record_views-views"[^>]*>\s*<span class="field-error">([^<]+)<', refused.text
    )
    assert beside is not None
    assert beside[1] == "不能小于 0"
    page = await step(writer, f"{url}/record_views", {"views": "12345", "as_of": today.isoformat()})
    assert re.search(r'id="publication-views"><th>阅读量</th><td>12,345</td>', page)

    # a leader signs reviews but records no views: no form, and a forged one is refused
    page = (await leader.get(url)).text
    assert 'id="step-record_views"' not in page
    forged = await leader.post(f"{url}/record_views", data={"views": "1", "as_of": today.isoformat()})
    assert forged.status_code == 403
    assert re.search(r"<td>12,345</td>", (await writer.get(url)).text)


async def test_one_person_signing_two_stages_is_refused_in_chinese(browser: Any) -> None:
    writer, first = await browser(WRITER), await browser(FIRST)
    await submitted(writer, "早先提交的稿件")
    url = await submitted(writer, "社会救助工作动态")
    sent_back = await first.post(f"{url}/review_first", data={"decision": "send_back"})
    assert sent_back.status_code == 422
    assert "退回修改时须写明修改意见" in sent_back.text  # next to the field, in Chinese
    await step(first, f"{url}/review_first", {"decision": "approve"})
    listing = (await first.get(f"/outreach/units/{COUNTY}/publications")).text
    # the piece waiting for this reviewer first, though the other was changed later
    assert listing.index("早先提交的稿件") < listing.index("社会救助工作动态")
    again = await first.post(f"{url}/review_second", data={"decision": "approve"})
    assert again.status_code == 403
    assert "三审须由三位不同的人分别签署" in again.text
    assert "signed" not in again.text  # no English sentence on the Chinese page
    assert state_of(again.text) == "待复审"
    authored = await writer.post(f"{url}/review_second", data={"decision": "approve"})
    assert authored.status_code == 403
    assert "稿件的作者或修改人不能审核该稿件" in authored.text


async def test_a_returned_piece_is_revised_and_reviewed_again(browser: Any) -> None:
    writer, first = await browser(WRITER), await browser(FIRST)
    url = await submitted(writer, "婚姻登记便民措施")
    page = await step(first, f"{url}/review_first", {"decision": "send_back", "comments": "补充数据来源"})
    assert state_of(page) == "退回修改"
    assert "补充数据来源" in page
    page = await step(
        writer, f"{url}/revise", {"note": "已补充数据来源", "title": "婚姻登记便民措施（修订）"}
    )
    assert state_of(page) == "待初审"
    assert "婚姻登记便民措施（修订）" in page
    assert 'id="step-review_first"' not in page  # the reviser signs no review


async def test_a_target_set_by_form_shows_in_the_plan(browser: Any) -> None:
    leader, clerk = await browser(LEADER), await browser(WRITER)
    year = str(local_date(utc_now()).year)
    page = (await leader.get(f"/outreach/units/{COUNTY}")).text
    assert 'id="target-activity"' in page
    assert 'id="target-meeting"' in page
    assert f'<option value="{year}" selected>' in page  # the year from a list, never typed
    target = {"year": year, "kind": "outreach_talk", "cadence": "quarter", "count": "3", "scope": "own"}
    bad = await leader.post(f"/outreach/units/{COUNTY}/targets/activity", data=target | {"count": "三次"})
    assert bad.status_code == 422
    assert re.search(r'id="target-activity-count".*?<span class="field-error">[^<]*整数', bad.text, re.S)
    page = await step(leader, f"/outreach/units/{COUNTY}/targets/activity", target)
    assert "宣讲 ≥ 3 每季度" in page
    meeting = {"year": year, "kind": "situation_analysis", "cadence": "year", "count": "2"}
    page = await step(leader, f"/outreach/units/{COUNTY}/targets/meeting", meeting)
    shown = page.split('id="meeting-targets"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>形势分析研判</td><td>每年</td><td class=\"num\">2</td>", shown), shown

    page = (await clerk.get(f"/outreach/units/{COUNTY}")).text
    assert 'id="target-activity"' not in page  # a clerk sets no targets
    forged = await clerk.post(f"/outreach/units/{COUNTY}/targets/activity", data=target | {"count": "9"})
    assert forged.status_code == 403
    assert "≥ 9" not in (await clerk.get(f"/outreach/units/{COUNTY}", params={"period": year})).text


async def test_no_review_role_no_review_form_and_a_forged_one_is_refused(browser: Any) -> None:
    writer, assessor, second = await browser(WRITER), await browser(ASSESSOR), await browser(SECOND)
    url = await submitted(writer, "民政服务热线开通")
    page = (await assessor.get(url)).text
    assert state_of(page) == "待初审"
    assert 'id="step-' not in page
    assert 'id="submit"' not in (await assessor.get(f"/outreach/units/{COUNTY}/publications")).text
    forged = await assessor.post(f"{url}/review_first", data={"decision": "approve"})
    assert forged.status_code == 403
    assert "您的角色不能进行此项操作" in forged.text
    assert state_of((await writer.get(url)).text) == "待初审"
    # a form naming another unit or publication acts on the one in the URL
    page = await step(second, f"{url}/review_first", {"decision": "approve", "unit": OTHER_COUNTY})
    assert state_of(page) == "待复审"
    # a clerk is not offered 终审, and forging it is refused by the rule that a leader signs it
    await step(await browser(FIRST), f"{url}/review_second", {"decision": "approve"})
    assert 'id="step-review_third"' not in (await writer.get(url)).text
    admin_clerk = await browser(CITY_TOKEN)  # admin and clerk, no leader, signed nothing
    assert 'id="step-review_third"' not in (await admin_clerk.get(url)).text
    third = await admin_clerk.post(f"{url}/review_third", data={"decision": "approve"})
    assert third.status_code == 403
    assert "终审须由领导签署" in third.text


async def test_another_countys_unit_is_the_404_of_a_missing_one(browser: Any) -> None:
    clerk = await browser(WRITER)
    for path in (OTHER_COUNTY, MISSING):
        listing = await clerk.get(f"/outreach/units/{path}/publications")
        assert listing.status_code == 404
        form = {"kind": "article", "title": "越权提交", "outlet_id": OUTLET}
        assert (await clerk.post(f"/outreach/units/{path}/publications", data=form)).status_code == 404
        target = {"year": "2026", "kind": "seminar", "cadence": "year", "count": "1"}
        assert (await clerk.post(f"/outreach/units/{path}/targets/activity", data=target)).status_code == 404
    outside = await clerk.get(f"/outreach/units/{OTHER_COUNTY}/publications")
    missing = await clerk.get(f"/outreach/units/{MISSING}/publications")
    assert outside.text.replace(OTHER_COUNTY, MISSING) == missing.text
    assert "相城区" not in outside.text


def test_only_active_outlets_on_the_units_line_are_offered() -> None:
    def outlet(outlet_id: str, unit: str, status: str = "active") -> dict[str, Any]:
        return {"outlet_id": outlet_id, "unit": unit, "status": status, "name": outlet_id}

    outlets = [
        outlet("own", COUNTY),
        outlet("above", "3205"),
        outlet("below", f"{COUNTY}.320506001"),
        outlet("sibling", OTHER_COUNTY),
        outlet("sibling-below", f"{OTHER_COUNTY}.320507001"),
        outlet("suspended", COUNTY, "suspended"),
    ]
    offered = [found["outlet_id"] for found in usable_outlets(outlets, COUNTY)]
    assert offered == ["own", "above", "below"]
