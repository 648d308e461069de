"""The assessment forms against a real stack (duty, outreach, assessment, projection and the gateway): an
assessor adjusts a score with its reason and publishes a bulletin, a township appeals and the assessor
decides, each form leading to the page that already shows it; refusals in Chinese next to their field;
a clerk is offered none of the assessor's forms and a forged POST is refused; another county's unit is
the 404 of a missing one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from contracts.envelope import utc_now
from services.gateway.app import GatewayRuntime
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_TOKEN,
    DEMO_TOKEN,
    TOWN_TOKEN,
    bearer,
    register_units,
    running_gateway,
)
from tests.helpers import wait_until

CITY, COUNTY, TOWN, OTHER_COUNTY = "3205", "3205.320506", "3205.320506.320506001", "3205.320507"
PERIOD = "2026-Q1"
SCHEME = {
    "title": "2026年度考核",
    "indicators": [{"id": "work", "name": "日常工作", "kind": "manual", "points": 100}],
    "appeal_window_days": 10,
}


class ShiftedClock:
    """Now, or ``days`` ahead of it once moved: an appeal filed after its bulletin's window."""

    def __init__(self) -> None:
        self.days = 0

    def __call__(self) -> datetime:
        return utc_now() + timedelta(days=self.days)


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def assessment_gateway(
    nats_url: str, database_url: str, tmp_path: Path, clock: ShiftedClock
) -> AsyncIterator[GatewayRuntime]:
    services = ("duty", "outreach", "assessment", "projection")
    async with running_gateway(nats_url, database_url, tmp_path, services, clock=clock) as runtime:
        yield runtime


@pytest.fixture
async def site(assessment_gateway: GatewayRuntime) -> str:
    """The gateway's address, the city set up: units, a scheme, a scored township."""
    base = f"http://127.0.0.1:{assessment_gateway.http_port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as setup:
        await scored_city(setup)
    return base


@asynccontextmanager
async def session(base: str, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client logged in with ``token``."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        assert (await http.post("/login", data={"token": token, "next": "/"})).status_code == 303
        yield http


async def command(http: httpx.AsyncClient, name: str, body: dict[str, object]) -> httpx.Response:
    return await http.post(f"/api/v1/commands/assessment/{name}", json=body, headers=bearer(DEMO_TOKEN))


async def scored_city(http: httpx.AsyncClient) -> None:
    """The units, the 2026 scheme and 80 points entered for the township's first quarter, once scored."""
    await register_units(http)

    async def assessment_knows_units() -> bool:  # a known unit refuses 0 points, an unknown one is missing
        probe = {"unit": OTHER_COUNTY, "period": PERIOD, "points": 0, "reason": "探测"}
        answer = await command(http, "adjust_score", probe)
        return bool(answer.json()["error"]["code"] == "rejected")

    await wait_until(assessment_knows_units, message="assessment never learned the units")
    assert (
        await command(http, "adopt_scheme", {"unit": CITY, "year": 2026, "scheme": SCHEME})
    ).status_code == 200
    entered = {"unit": TOWN, "period": PERIOD, "indicator_id": "work", "points": 80, "note": "日常工作扎实"}
    assert (await command(http, "enter_manual_score", entered)).status_code == 200

    async def town_scored() -> bool:
        found = await http.get(
            f"/api/v1/assessment/units/{TOWN}", params={"period": PERIOD}, headers=bearer(CITY_TOKEN)
        )
        return (
            found.status_code == 200
            and found.json()["score"] is not None
            and found.json()["score"]["total"] > 0
        )

    await wait_until(town_scored, message="the township was never scored")


def field_error(page: str, form: str, field: str) -> str:
    """The refusal shown right after the input ``<form>-<field>``."""
    found = re.search(rf'id="{form}-{field}".*?<span class="field-error">([^<]+)</span>', page, re.S)
    assert found is not None, f"no refusal next to {form}-{field}"
    return found[1]


async def sent(http: httpx.AsyncClient, url: str, data: dict[str, str], lands_on: str) -> str:
    """Send a form; it must lead (303, ``after=``) to ``lands_on``, whose page is returned."""
    answer = await http.post(url, data=data)
    assert answer.status_code == 303, answer.text[:3000]
    location = httpx.URL(answer.headers["location"])
    assert location.path == lands_on
    assert location.params["after"]  # read-your-writes: the page waits until it shows the write
    page = await http.get(answer.headers["location"])
    assert page.status_code == 200, page.text[:3000]
    return page.text


def total(page: str) -> str:
    found = re.search(r"<h2>综合得分</h2><p><strong>([^<]+)</strong>", page)
    assert found is not None, "the page shows no total"
    return found[1]


def appeal_state(page: str) -> str:
    found = re.search(r'<td class="appeal-state">([^<]+)</td>', page)
    assert found is not None, "the page lists no appeal"
    return found[1]


async def test_an_assessor_adjusts_a_score_and_publishes_a_bulletin_by_form(site: str) -> None:
    async with session(site, CITY_TOKEN) as city:
        page = (await city.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})).text
        assert total(page) == "80"
        assert 'id="adjust"' in page
        assert 'id="publish"' in page

        empty = await city.post(
            f"/assessment/units/{TOWN}/adjust?period={PERIOD}", data={"points": "2", "reason": ""}
        )
        assert empty.status_code == 422
        assert field_error(empty.text, "adjust", "reason") == "不能为空"
        zero = await city.post(
            f"/assessment/units/{TOWN}/adjust?period={PERIOD}", data={"points": "0", "reason": "无"}
        )
        assert zero.status_code == 422
        assert field_error(zero.text, "adjust", "points") == "调整分值不能为0"
        assert total(zero.text) == "80"

        for not_a_number in ("nan", "inf", "两分"):  # refused by name, never a 500
            bad = await city.post(
                f"/assessment/units/{TOWN}/adjust?period={PERIOD}",
                data={"points": not_a_number, "reason": "台账不规范"},
            )
            assert bad.status_code == 422, not_a_number
            assert field_error(bad.text, "adjust", "points") == "请填写数字"
        forged = {"points": "-2.5", "reason": "台账不规范", "unit": OTHER_COUNTY, "period": "2026-Q2"}
        page = await sent(
            city, f"/assessment/units/{TOWN}/adjust?period={PERIOD}", forged, f"/assessment/units/{TOWN}"
        )
        assert total(page) == "77.5"  # the new score at once, the form's unit and period ignored
        explained = re.search(r"<td>台账不规范</td>\s*<td>调整</td>\s*<td>([^<]*)</td>", page)
        assert explained is not None, "the reason is not in the explanation"
        assert explained[1].strip() == "经审核调整"  # said in words, no event id beside it
        other = await city.get(
            f"/api/v1/assessment/units/{OTHER_COUNTY}",
            params={"period": "2026-Q2"},
            headers=bearer(CITY_TOKEN),
        )
        assert other.status_code == 200
        assert other.json()["score"]["explanation"]["adjustments"] == []

        page = await sent(
            city,
            f"/assessment/units/{CITY}/bulletins?period={PERIOD}",
            {"period": PERIOD},
            f"/assessment/bulletins/{CITY}/{PERIOD}",
        )
        assert "长桥街道" in page
        assert "77.5" in page
        assert "<h1>苏州市民政局2026年第一季度考核通报</h1>" in page  # the period in words, not 2026-Q1
        again = await city.post(
            f"/assessment/units/{CITY}/bulletins?period={PERIOD}", data={"period": PERIOD}
        )
        assert again.status_code == 409
        assert field_error(again.text, "publish", "period") == "本期通报已发布，只能因申诉决定重新发布"

        page = (await city.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})).text
        assert "已通报（成绩冻结）" in page
        assert 'id="adjust"' not in page  # a published score changes only by an appeal


async def test_a_township_appeals_and_the_assessor_decides(site: str) -> None:
    async with session(site, CITY_TOKEN) as city:
        await sent(
            city,
            f"/assessment/units/{CITY}/bulletins?period={PERIOD}",
            {"period": PERIOD},
            f"/assessment/bulletins/{CITY}/{PERIOD}",
        )
    async with session(site, TOWN_TOKEN) as town:
        bulletin = (await town.get(f"/assessment/bulletins/{CITY}/{PERIOD}")).text
        assert "申诉期至" in bulletin  # the window is open: the township's row leads to its appeal form
        assert f'href="/assessment/units/{TOWN}?period={PERIOD}#appeal"' in bulletin
        assert f'href="/assessment/units/{COUNTY}?' not in bulletin  # above the township: not its page
        page = (await town.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})).text
        assert 'id="appeal"' in page
        for assessors_only in ('id="adjust"', 'id="publish"', 'id="waiting-appeals"'):
            assert assessors_only not in page, assessors_only
        empty = await town.post(
            f"/assessment/units/{TOWN}/appeals?period={PERIOD}", data={"period": PERIOD, "reason": ""}
        )
        assert empty.status_code == 422
        assert field_error(empty.text, "appeal", "reason") == "不能为空"
        forged = {"period": PERIOD, "reason": "二月学习记录漏报", "unit": COUNTY}
        page = await sent(
            town, f"/assessment/units/{TOWN}/appeals?period={PERIOD}", forged, f"/assessment/units/{TOWN}"
        )
        assert appeal_state(page) == "待决定"
        assert "二月学习记录漏报" in page

    async with session(site, CITY_TOKEN) as city:
        page = (await city.get(f"/assessment/units/{CITY}", params={"period": PERIOD})).text
        waiting = page.index('id="waiting-appeals"')
        assert waiting < page.index("评分明细")  # what needs the assessor comes first
        appeal_id = re.search(r'id="decide-([^"]+)"', page)
        assert appeal_id is not None
        decide = f"/assessment/units/{CITY}/appeals/{appeal_id[1]}/decide?period={PERIOD}"
        rejected_with_points = await city.post(
            decide, data={"upheld": "no", "points": "3", "reason": "不属实"}
        )
        assert rejected_with_points.status_code == 422
        assert field_error(rejected_with_points.text, f"decide-{appeal_id[1]}", "points").startswith(
            "不支持申诉时不调整分值"
        )
        page = await sent(
            city, decide, {"upheld": "yes", "points": "3", "reason": "核实属实"}, f"/assessment/units/{CITY}"
        )
        assert appeal_state(page) == "已支持"
        assert "核实属实" in page
        assert 'id="waiting-appeals"' not in page
        town_page = (await city.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})).text
        assert total(town_page) == "83"  # the re-issued bulletin's row


async def test_an_appeal_after_the_deadline_is_refused_next_to_the_period(
    site: str, clock: ShiftedClock
) -> None:
    async with session(site, CITY_TOKEN) as city:
        await sent(
            city,
            f"/assessment/units/{CITY}/bulletins?period={PERIOD}",
            {"period": PERIOD},
            f"/assessment/bulletins/{CITY}/{PERIOD}",
        )
    clock.days = 11  # the scheme's window is 10 days after publication
    async with session(site, TOWN_TOKEN) as town:
        late = await town.post(
            f"/assessment/units/{TOWN}/appeals?period={PERIOD}", data={"period": PERIOD, "reason": "漏报"}
        )
        assert late.status_code == 422
        assert field_error(late.text, "appeal", "period") == "申诉期已过，不能再申诉"
        assert 'value="' in late.text
        assert "漏报" in late.text
        english = await town.post(
            f"/assessment/units/{TOWN}/appeals?period={PERIOD}&lang=en",
            data={"period": PERIOD, "reason": "late"},
        )
        assert field_error(english.text, "appeal", "period") == "the appeal window has closed"
        assert "暂无申诉" in (await town.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})).text


async def test_a_clerk_gets_no_assessor_form_and_a_forged_post_is_refused(site: str) -> None:
    async with session(site, COUNTY_TOKEN) as clerk:
        shown = await clerk.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})
        assert shown.status_code == 200
        for assessors_only in ('id="adjust"', 'id="publish"', 'id="waiting-appeals"'):
            assert assessors_only not in shown.text, assessors_only
        adjust = await clerk.post(
            f"/assessment/units/{TOWN}/adjust?period={PERIOD}", data={"points": "5", "reason": "想加分"}
        )
        assert adjust.status_code == 403
        assert "您的角色不能进行此项操作" in adjust.text
        publish = await clerk.post(
            f"/assessment/units/{COUNTY}/bulletins?period={PERIOD}", data={"period": PERIOD}
        )
        assert publish.status_code == 403
        assert total((await clerk.get(f"/assessment/units/{TOWN}", params={"period": PERIOD})).text) == "80"

    async with session(site, CITY_TOKEN) as city:
        await sent(
            city,
            f"/assessment/units/{CITY}/bulletins?period={PERIOD}",
            {"period": PERIOD},
            f"/assessment/bulletins/{CITY}/{PERIOD}",
        )
    async with session(site, TOWN_TOKEN) as town:
        await sent(
            town,
            f"/assessment/units/{TOWN}/appeals?period={PERIOD}",
            {"period": PERIOD, "reason": "漏报"},
            f"/assessment/units/{TOWN}",
        )
    async with session(site, COUNTY_TOKEN) as clerk:
        page = (await clerk.get(f"/assessment/units/{COUNTY}", params={"period": PERIOD})).text
        assert appeal_state(page) == "待决定"
        assert 'id="waiting-appeals"' not in page
        appeal_id = re.search(r'<tr id="appeal-([^"]+)"', page)
        assert appeal_id is not None
        # the city's bulletin is decided by the city: to a county clerk this appeal's decision is not there
        decide = await clerk.post(
            f"/assessment/units/{COUNTY}/appeals/{appeal_id[1]}/decide",
            data={"upheld": "yes", "reason": "同意"},
        )
        assert decide.status_code == 404
        assert (
            appeal_state((await clerk.get(f"/assessment/units/{COUNTY}", params={"period": PERIOD})).text)
            == "待决定"
        )


async def test_another_countys_unit_is_the_404_of_a_missing_one(site: str) -> None:
    async with session(site, COUNTY_TOKEN) as clerk:
        missing = await clerk.get("/assessment/units/3205.320599", params={"period": PERIOD})
        other = await clerk.get(f"/assessment/units/{OTHER_COUNTY}", params={"period": PERIOD})
        assert (missing.status_code, other.status_code) == (404, 404)
        assert other.text.replace(OTHER_COUNTY, "3205.320599") == missing.text
        for path in ("adjust", "bulletins", "appeals"):
            forged = await clerk.post(
                f"/assessment/units/{OTHER_COUNTY}/{path}?period={PERIOD}",
                data={"period": PERIOD, "reason": "x", "points": "1"},
            )
            assert forged.status_code == 404, path
