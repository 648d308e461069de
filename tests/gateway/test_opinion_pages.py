"""The opinion loop by forms against a real stack: register an item, grade, dispatch, acknowledge, act, give
feedback and close it, each form leading to the case page that already shows the step; refusals in
Chinese next to the field they name; the acting unit from the case and the session, never from the form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx

from contracts.envelope import utc_now
from services.eventkit.localtime import SHANGHAI
from services.gateway.app import GatewayRuntime
from services.gateway.deadline_words import deadline_words
from tests.gateway.opinion_support import (
    COUNTY,
    OTHER_COUNTY,
    TOWN,
    field_error,
    local_input,
    state_line,
    step,
)
from tests.gateway.support import (
    COUNTY_TOKEN,
)


async def test_a_clerk_runs_the_whole_loop_by_forms(clerk: httpx.AsyncClient) -> None:
    captured = local_input(utc_now() - timedelta(hours=1))
    report = {
        "channel": "weibo",
        "title": "养老院伙食投诉",
        "excerpt": "网友反映伙食差",
        "captured_at": captured,
    }
    sent = await clerk.post(f"/opinion/units/{COUNTY}/cases", data=report)
    assert sent.status_code == 303, sent.text[:2000]
    case_url = sent.headers["location"]
    case_id = httpx.URL(case_url).path.rsplit("/", 1)[-1]
    page = (await clerk.get(case_url)).text
    assert state_line(page) == "待研判"
    assert "微博" in page
    assert 'id="step-grade"' in page
    assert 'id="step-close"' not in page  # only the steps the state allows

    grade = {"relevant": "yes", "category": "elderly_care", "severity": "IV", "owning_unit": COUNTY}
    page = await step(clerk, case_id, "grade", grade)
    assert state_line(page) == "待派单"
    assert re.search(r"剩余\d+个工作日|今日到期", page), "the deadlines are not in working days"
    page = await step(clerk, case_id, "assign", {"to_unit": TOWN})
    assert state_line(page) == "待签收"
    page = await step(clerk, case_id, "acknowledge", {})
    assert 'id="step-supervise"' in page  # the city is a level above the township handling it
    page = await step(clerk, case_id, "supervise", {"reason": "群众关注度高，市局督办"})
    assert re.search(r"<th>督办单位</th><td>苏州市民政局</td>", page)
    assert 'id="step-supervise"' not in page
    page = await step(clerk, case_id, "record_action", {"action": "verify", "description": "已上门核实"})
    assert state_line(page) == "处置中"
    page = await step(clerk, case_id, "give_feedback", {"said": "已整改伙食", "reception": "accepted"})
    page = await step(clerk, case_id, "close", {"resolution": "已办结"})
    assert state_line(page) == "已办结"
    assert "已上门核实" in page
    assert "认可" in page
    assert re.findall(r'id="step-([a-z_]+)"', page) == ["reopen"]  # nothing left to do but reopen it


async def test_refusals_show_in_chinese_next_to_the_field(clerk: httpx.AsyncClient) -> None:
    tomorrow = local_input(utc_now() + timedelta(days=1))
    report = {"channel": "weibo", "title": "未来的舆情", "excerpt": "内容", "captured_at": tomorrow}
    refused = await clerk.post(f"/opinion/units/{COUNTY}/cases", data=report)
    assert refused.status_code == 422
    assert field_error(refused.text, "report", "captured_at").startswith("不能晚于当前时间")
    assert 'value="未来的舆情"' in refused.text  # what was typed stays

    report["captured_at"] = local_input(utc_now() - timedelta(minutes=5))
    case_url = (await clerk.post(f"/opinion/units/{COUNTY}/cases", data=report)).headers["location"]
    case_id = httpx.URL(case_url).path.rsplit("/", 1)[-1]
    assert (await clerk.get(case_url)).status_code == 200  # the form is sent from the case page
    outside = {"relevant": "yes", "category": "charity", "severity": "III", "owning_unit": OTHER_COUNTY}
    refused = await clerk.post(f"/opinion/cases/{case_id}/grade", data=outside)
    assert refused.status_code == 422
    assert "不在本案受理单位的管辖范围内" in field_error(refused.text, "step-grade", "owning_unit")
    assert OTHER_COUNTY not in field_error(refused.text, "step-grade", "owning_unit")

    incomplete = await clerk.post(f"/opinion/cases/{case_id}/grade", data={"relevant": "yes"})
    assert incomplete.status_code == 422
    assert "认定为相关时，须选择类别、等级和责任单位" in incomplete.text

    forged = {**outside, "owning_unit": COUNTY, "unit": OTHER_COUNTY, "case_id": "another-case-id"}
    page = await step(clerk, case_id, "grade", forged)  # the form's unit and case are not the command's
    assert state_line(page) == "待派单"
    assert "相城区" not in page.split('id="timeline"', 1)[1]

    early = await clerk.post(f"/opinion/cases/{case_id}/close", data={"resolution": "想直接办结"})
    assert early.status_code == 422
    assert "本案当前状态不能办理此步骤" in early.text


async def test_the_acting_unit_comes_from_the_case_and_the_session(
    clerk: httpx.AsyncClient, opinion_gateway: GatewayRuntime
) -> None:
    report = {"channel": "news", "title": "相城区的舆情", "excerpt": "内容"}
    report["captured_at"] = local_input(utc_now() - timedelta(minutes=5))
    case_url = (await clerk.post(f"/opinion/units/{OTHER_COUNTY}/cases", data=report)).headers["location"]
    case_id = httpx.URL(case_url).path.rsplit("/", 1)[-1]
    assert (await clerk.get(case_url)).status_code == 200
    base = f"http://127.0.0.1:{opinion_gateway.http_port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as county:
        await county.post("/login", data={"token": COUNTY_TOKEN, "next": "/"})
        # a 吴中区 clerk naming another unit, actor or case in the form still acts as the session says
        forged = {"relevant": "no", "unit": OTHER_COUNTY, "actor": "admin@3205", "case_id": case_id}
        refused = await county.post(f"/opinion/cases/{case_id}/grade", data=forged)
        assert refused.status_code == 404
        reported = await county.post(f"/opinion/units/{OTHER_COUNTY}/cases", data=report)
        assert reported.status_code == 404
    page = (await clerk.get(case_url)).text
    assert state_line(page) == "待研判"


def test_deadlines_are_counted_in_statutory_working_days() -> None:
    national_day = datetime(2025, 9, 30, 10, tzinfo=SHANGHAI)  # 10月1日–8日放假
    assert deadline_words("2025-10-10T15:59:59+00:00", national_day, "zh") == "剩余2个工作日"
    monday = datetime(2025, 9, 29, 10, tzinfo=SHANGHAI)  # 9月28日 (Sunday) is a make-up workday
    assert deadline_words("2025-09-26T15:59:59+00:00", monday, "zh") == "已超期2个工作日"
    assert deadline_words("2025-09-29T15:59:59+00:00", monday, "zh") == "今日到期"
    assert deadline_words("2025-09-26T15:59:59+00:00", monday, "en") == "Overdue by 2 working days"
