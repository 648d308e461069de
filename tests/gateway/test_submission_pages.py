"""信息报送 by form against a real stack: an item recorded and adopted on a unit's submissions page, a quota
set by a leader, each shown at once (items with adoptions, counts by level, quotas with shortfalls, the
child's shortfall, units without an information officer); a bad field refused in Chinese beside it; a
clerk gets no quota form and a forged one is refused; another county's unit is the 404 of a missing one;
a forged unit field is ignored; the work summary's submissions figures link to the page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from contracts.envelope import utc_now
from services.eventkit.localtime import local_date
from services.gateway.app import GatewayRuntime
from tests.gateway.duty_support import COUNTY, OTHER_COUNTY, TOWN, browser, field_error, option
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_LEADER_TOKEN,
    COUNTY_TOKEN,
    register_units,
    running_gateway,
)

PAGE = f"/outreach/units/{COUNTY}/submissions"


@pytest.fixture
async def gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    async with running_gateway(nats_url, database_url, tmp_path) as runtime:
        base = f"http://127.0.0.1:{runtime.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            await register_units(api)
        yield runtime


async def send(
    client: httpx.AsyncClient, form: str, data: dict[str, str], unit: str = COUNTY, period: str = ""
) -> str:
    """Send one form of the page (showing ``period``); it must lead back to the page for that period,
    already showing what was sent."""
    shown = {"period": period} if period else {}
    sent = await client.post(f"/outreach/units/{unit}/submissions/{form}", data=data, params=shown)
    assert sent.status_code == 303, sent.text[:3000]
    location = httpx.URL(sent.headers["location"])
    assert location.path == f"/outreach/units/{unit}/submissions"
    assert location.params["after"]  # read-your-writes
    assert location.params.get("period", "") == period
    page = await client.get(sent.headers["location"])
    assert page.status_code == 200
    return page.text


def section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"', 1)[1].split("<h2", 1)[0]


async def test_items_adoptions_and_quotas_by_form_show_at_once(gateway: GatewayRuntime) -> None:
    today = local_date(utc_now())
    async with browser(gateway, COUNTY_TOKEN) as clerk:
        page = (await clerk.get(PAGE)).text
        assert 'id="form-record_submission"' in page
        assert "长桥街道" in section(page, "without-officer")  # no information officer anywhere yet
        item = {"title": "吴中区开展养老服务政策宣讲", "submitted_on": today.isoformat()}
        item |= {"level": "city", "recipient": "市民政局办公室"}
        page = await send(clerk, "record_submission", item)
        items = section(page, "items")
        assert "吴中区开展养老服务政策宣讲" in items
        assert "市民政局办公室（市级）" in items
        assert re.search(r"报送信息条数</h2>\s*<p><strong>1</strong>", page)

        chosen = option(page, "form-record_adoption-submission_id", "吴中区开展养老服务政策宣讲")
        adoption = {"submission_id": chosen, "adopted_on": today.isoformat(), "level": "province"}
        page = await send(clerk, "record_adoption", adoption | {"outlet": "江苏民政"})
        assert f"江苏民政（省级，{today.year}年{today.month}月{today.day}日）" in section(page, "items")
        by_level = section(page, "by-level")
        assert re.search(r"<td>省级</td>\s*<td class=\"num\">0</td><td class=\"num\">1</td>", by_level)
        assert 'id="form-quota"' not in page  # a clerk records items; quotas are set by leaders

    async with browser(gateway, COUNTY_LEADER_TOKEN) as leader:
        page = (await leader.get(PAGE)).text
        assert 'id="form-quota"' in page
        quota = {"year": str(today.year), "measure": "submitted", "cadence": "month", "count": "3"}
        page = await send(leader, "quota", quota)
        quotas = section(page, "quotas")
        assert "报送信息条数 ≥ 3" in quotas
        assert re.search(
            r'<td class="num">3</td><td class="num">1</td>\s*<td class="num"><span class="field-error">2</span>',
            quotas,
        )

        month = f"{today.year}-{today.month:02d}"
        page = await send(leader, "quota", quota | {"count": "2"}, unit=TOWN, period=month)
        assert "2026年" in page.split("<h1>", 1)[1].split("</h1>", 1)[0]
        page = (await leader.get(PAGE, params={"period": month})).text
        child = re.search(r"长桥街道</a></td>(.*?)</tr>", section(page, "children"), re.S)
        assert child is not None
        assert '<span class="field-error">2</span>' in child[1]  # the township's shortfall this month


async def test_a_bad_field_is_refused_in_chinese_beside_it(gateway: GatewayRuntime) -> None:
    async with browser(gateway, COUNTY_TOKEN) as clerk:
        item = {"title": "", "submitted_on": "2026-01-05", "level": "city", "recipient": "市民政局"}
        refused = await clerk.post(f"{PAGE}/record_submission", data=item)
        assert refused.status_code == 422
        assert field_error(refused.text, "record_submission", "title") == "不能为空"
        assert 'value="市民政局"' in refused.text  # what was typed stays
        assert "暂无报送信息" in (await clerk.get(PAGE)).text  # nothing recorded
    async with browser(gateway, COUNTY_LEADER_TOKEN) as leader:
        quota = {"year": "2026", "measure": "adopted", "cadence": "year", "count": "-1"}
        refused = await leader.post(f"{PAGE}/quota", data=quota)
        assert refused.status_code == 422
        assert field_error(refused.text, "quota", "count") == "不能小于 0"


async def test_a_clerk_cannot_set_a_quota_nor_reach_another_county(gateway: GatewayRuntime) -> None:
    quota = {"year": "2026", "measure": "submitted", "cadence": "month", "count": "3"}
    async with browser(gateway, COUNTY_TOKEN) as clerk:
        forged = await clerk.post(f"{PAGE}/quota", data=quota)
        assert forged.status_code == 403
        other = await clerk.get(f"/outreach/units/{OTHER_COUNTY}/submissions")
        missing = await clerk.get("/outreach/units/3205.320599/submissions")
        posted = await clerk.post(
            f"/outreach/units/{OTHER_COUNTY}/submissions/record_submission",
            data={"title": "x", "submitted_on": "2026-01-05", "level": "city", "recipient": "y"},
        )
        assert other.status_code == missing.status_code == posted.status_code == 404
        assert other.text.replace(OTHER_COUNTY, "") == missing.text.replace("3205.320599", "")

        # a forged ``unit`` is never read: the item is the page's unit's
        today = local_date(utc_now()).isoformat()
        item = {
            "title": "伪造单位的信息",
            "submitted_on": today,
            "level": "county",
            "recipient": "区融媒体中心",
        }
        page = await send(clerk, "record_submission", item | {"unit": OTHER_COUNTY})
        assert re.search(r"伪造单位的信息</td><td>吴中区民政局</td>", page)
        # an adoption of an item the page does not list is refused beside the field
        adoption = {"submission_id": "not-listed", "adopted_on": today, "level": "city", "outlet": "苏州日报"}
        refused = await clerk.post(f"{PAGE}/record_adoption", data=adoption)
        assert refused.status_code == 422
        assert field_error(refused.text, "record_adoption", "submission_id") == "请从列表中选择"
    async with browser(gateway, CITY_TOKEN) as city:
        other_page = (await city.get(f"/outreach/units/{OTHER_COUNTY}/submissions")).text
        assert "伪造单位的信息" not in other_page
        quotas = section((await city.get(PAGE)).text, "quotas")
        assert "本年度未设定报送指标" in quotas  # the forged quota changed nothing


async def test_the_outreach_page_and_the_summary_link_to_it(gateway: GatewayRuntime) -> None:
    year = str(local_date(utc_now()).year)
    async with browser(gateway, CITY_TOKEN) as city:
        outreach = (await city.get(f"/outreach/units/{COUNTY}")).text
        found = re.search(r'id="submissions-page" href="([^"]+)"', outreach)
        assert found is not None
        assert httpx.URL(found[1].replace("&amp;", "&")).path == PAGE
        summary = (await city.get(f"/summaries/{COUNTY}", params={"period": year})).text
        links = re.findall(r'href="(/outreach/units/[^"]+/submissions[^"]*)"', summary)
        assert links, "no submissions figure links to the submissions page"
        assert all(httpx.URL(link.replace("&amp;", "&")).params["period"] == year for link in links)
        page = await city.get(links[0].replace("&amp;", "&"))
        assert page.status_code == 200
        assert f"{year}年" in page.text.split("<h1>", 1)[1].split("</h1>", 1)[0]
