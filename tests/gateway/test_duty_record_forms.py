"""The duty page's record forms against a real stack: the city's inspection cadence (city admins only), an
office's half-yearly report with when it was made, and a social organization's party coverage and
inspection, the organization picked by name on the page of the office above it. Each form shows the new
state at once; a bad field is refused in Chinese beside it; a clerk gets no cadence form and a forged one
is refused; another county's organization is never reached, by a forged field or by its page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from contracts.envelope import utc_now
from services.eventkit.localtime import SHANGHAI, local_date
from services.gateway.app import GatewayRuntime
from tests.gateway.duty_support import COUNTY, OTHER_COUNTY, browser, field_error, option, send
from tests.gateway.support import CITY_TOKEN, COUNTY_TOKEN, bearer, register_units, running_gateway

CITY = "3205"
CITY_CLERK = "city-clerk-token"
PEOPLE = {CITY_CLERK: {"id": "clerk@3205", "scope": CITY, "roles": ["clerk"]}}
ORGANIZATION, OTHER_ORGANIZATION = f"{COUNTY}.so01", f"{OTHER_COUNTY}.so01"


@pytest.fixture
async def gateway(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[GatewayRuntime]:
    """The units, with a social organization below each of the two counties."""
    async with running_gateway(nats_url, database_url, tmp_path, tokens=PEOPLE) as runtime:
        base = f"http://127.0.0.1:{runtime.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            await register_units(api)
            for path, name in ((ORGANIZATION, "吴中区慈善总会"), (OTHER_ORGANIZATION, "相城区慈善总会")):
                body = {"path": path, "name": name, "kind": "social_organization"}
                sent = await api.post(
                    "/api/v1/commands/duty/register_unit", json=body, headers=bearer(CITY_TOKEN)
                )
                assert sent.status_code == 200, sent.text
        yield runtime


def organization_row(page: str, name: str) -> str:
    found = re.search(rf"<tr><td>{name}</td>(.*?)</tr>", page, re.S)
    assert found is not None, f"no row for {name}"
    return found[1]


def half_year_now() -> tuple[str, str]:
    """The half-year running now: its label and its name on the page."""
    today = local_date(utc_now())
    first = today.month <= 6
    return f"{today.year}-H{1 if first else 2}", f"{today.year}年{'上' if first else '下'}半年"


async def test_each_record_form_sends_and_the_page_shows_the_new_state(gateway: GatewayRuntime) -> None:
    today = local_date(utc_now()).isoformat()
    async with browser(gateway, CITY_TOKEN) as city:
        page = (await city.get(f"/duty/units/{CITY}")).text
        assert 'id="form-set_inspection_cadence"' in page
        cadence = {"kind": "wechat_account", "months": "3", "effective_on": today}
        page = await send(city, CITY, "set_inspection_cadence", cadence)
        assert "微信公众号 每3个月检查一次" in page.split('id="cadences"', 1)[1].split("</p>", 1)[0]

        page = (await city.get(f"/duty/units/{COUNTY}")).text
        assert 'id="form-set_inspection_cadence"' not in page  # the cadence is the city's alone
        half, name = half_year_now()
        chosen = option(page, "form-record_half_year_report-half_year", name)
        assert chosen == half  # the half-year by its name, not yet reported on
        now = datetime.now(SHANGHAI)
        begun = now.replace(
            month=1 if now.month <= 6 else 7, day=1, hour=0, minute=0, second=0, microsecond=0
        )
        made = max(now - timedelta(minutes=5), begun)  # within the half-year, never before it began
        report = {"half_year": chosen, "reported_to": "中共苏州市吴中区委宣传部"}
        page = await send(
            city, COUNTY, "record_half_year_report", report | {"occurred_at": made.strftime("%Y-%m-%dT%H:%M")}
        )
        reports = page.split("向上级党组织半年汇报", 1)[1].split("<h3", 1)[0]
        assert f"{made.year}年{made.month}月{made.day}日" in reports
        assert (
            chosen
            not in page.split('id="form-record_half_year_report-half_year"', 1)[1].split("</select>")[0]
        )

        organization = option(page, "form-set_party_coverage-organization", "吴中区慈善总会")
        assert organization == ORGANIZATION
        assert "相城区慈善总会" not in page  # another county's organization is never offered
        coverage = {"organization": organization, "coverage": "liaison", "effective_on": today}
        page = await send(city, COUNTY, "set_party_coverage", coverage)
        assert "选派党建联络员" in organization_row(page, "吴中区慈善总会")

        inspection = {"organization": organization, "inspected_on": today, "inspector": "区社会组织管理科"}
        page = await send(city, COUNTY, "record_organization_inspection", inspection)
        row = organization_row(page, "吴中区慈善总会")
        day = local_date(utc_now())
        assert f"{day.year}年{day.month}月{day.day}日" in row
        assert '<td class="num">1</td>' in row


async def test_a_bad_field_is_refused_in_chinese_beside_it(gateway: GatewayRuntime) -> None:
    async with browser(gateway, CITY_TOKEN) as city:
        refused = await city.post(
            f"/duty/units/{CITY}/set_inspection_cadence",
            data={"kind": "website", "months": "13", "effective_on": local_date(utc_now()).isoformat()},
        )
        assert refused.status_code == 422
        assert field_error(refused.text, "set_inspection_cadence", "months") == "不能大于 12"
        refused = await city.post(
            f"/duty/units/{COUNTY}/record_organization_inspection",
            data={"organization": ORGANIZATION, "inspected_on": "2026-13-01", "inspector": "张检查"},
        )
        assert refused.status_code == 422
        assert "日期" in field_error(refused.text, "record_organization_inspection", "inspected_on")
        page = (await city.get(f"/duty/units/{CITY}")).text
        assert 'id="cadences"' not in page  # nothing was set


async def test_a_clerk_gets_no_cadence_form_and_a_forged_one_is_refused(gateway: GatewayRuntime) -> None:
    async with browser(gateway, CITY_CLERK) as clerk:
        page = (await clerk.get(f"/duty/units/{CITY}")).text
        assert 'id="form-record_half_year_report"' in page  # a clerk keeps the records
        assert 'id="form-set_inspection_cadence"' not in page
        forged = await clerk.post(
            f"/duty/units/{CITY}/set_inspection_cadence",
            data={"kind": "website", "months": "3", "effective_on": local_date(utc_now()).isoformat()},
        )
        assert forged.status_code == 403
    async with browser(gateway, CITY_TOKEN) as city:
        assert 'id="cadences"' not in (await city.get(f"/duty/units/{CITY}")).text


async def test_another_countys_organization_is_never_reached(gateway: GatewayRuntime) -> None:
    today = local_date(utc_now()).isoformat()
    async with browser(gateway, COUNTY_TOKEN) as clerk:
        missing = await clerk.get(f"/duty/units/{OTHER_ORGANIZATION}")
        forged_page = await clerk.post(
            f"/duty/units/{OTHER_COUNTY}/set_party_coverage",
            data={"organization": OTHER_ORGANIZATION, "coverage": "liaison", "effective_on": today},
        )
        unknown = await clerk.get(f"/duty/units/{COUNTY}.so99")
        assert missing.status_code == forged_page.status_code == unknown.status_code == 404

        named = {"organization": OTHER_ORGANIZATION, "coverage": "liaison", "effective_on": today}
        refused = await clerk.post(f"/duty/units/{COUNTY}/set_party_coverage", data=named)
        assert refused.status_code == 422
        assert field_error(refused.text, "set_party_coverage", "organization") == "请从列表中选择"

        # a forged ``unit`` field is never read: the organization picked is the one recorded
        forged = {"organization": ORGANIZATION, "unit": OTHER_ORGANIZATION, "coverage": "party_organization"}
        page = await send(clerk, COUNTY, "set_party_coverage", forged | {"effective_on": today})
        assert "已建党组织" in organization_row(page, "吴中区慈善总会")
    async with browser(gateway, CITY_TOKEN) as city:
        other = (await city.get(f"/duty/units/{OTHER_COUNTY}")).text
        assert "未覆盖" in organization_row(other, "相城区慈善总会")
