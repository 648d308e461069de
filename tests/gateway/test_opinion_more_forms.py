"""The rest of the opinion loop by forms against a real stack: return (退单), escalate (上报), reopen, pass
down (转派) and extensions (延期), each offered only when the case's state and rules allow it and only to
a session whose roles and scope allow it; the acting unit from the case and the session, never the form."""

from __future__ import annotations

import re

import httpx

from services.gateway.app import GatewayRuntime
from tests.gateway.opinion_support import (
    COUNTY,
    OTHER_COUNTY,
    TOWN,
    field_error,
    logged_in,
    report_case,
    state_line,
    step,
)
from tests.gateway.support import COUNTY_LEADER_TOKEN, COUNTY_TOKEN, TOWN_TOKEN

GRADE = {"relevant": "yes", "category": "elderly_care", "severity": "IV"}


def offered(page: str) -> list[str]:
    """The steps the case page offers as forms, in order."""
    return re.findall(r'<section class="card" id="step-([a-z_]+)"', page)


def timeline(page: str) -> str:
    return page.split('id="timeline"', 1)[1]


def close_due(page: str) -> str:
    """The close deadline as the deadlines table shows it."""
    found = re.search(r"<tr><td>办结</td><td>([^<]+)", page)
    assert found is not None, "the page shows no close deadline"
    return found[1].strip()


async def test_a_case_is_returned_escalated_and_reopened_by_forms(
    clerk: httpx.AsyncClient, opinion_gateway: GatewayRuntime
) -> None:
    case_id = await report_case(clerk, COUNTY, "低保发放延迟")
    await step(clerk, case_id, "grade", {**GRADE, "owning_unit": TOWN})
    page = await step(clerk, case_id, "assign", {"to_unit": TOWN})
    assert "return" in offered(page)
    # the township returns it, whatever unit the form names
    page = await step(clerk, case_id, "return", {"reason": "不属于本街道职责", "unit": OTHER_COUNTY})
    assert state_line(page) == "待派单"
    assert re.search(r"<td>退单</td>\s*<td>长桥街道 → 吴中区民政局</td>", timeline(page))
    assert "不属于本街道职责" in timeline(page)
    assert "相城区" not in page
    assert "return" not in offered(page)  # nobody dispatched it to 吴中区: there is nobody to return it to
    assert "escalate" in offered(page)

    page = await step(clerk, case_id, "escalate", {"reason": "涉及多个区县"})
    assert state_line(page) == "待派单"
    assert "<th>研判交办单位</th><td>苏州市民政局</td>" in page
    assert "escalate" not in offered(page)  # the city bureau has no level above
    refused = await clerk.post(f"/opinion/cases/{case_id}/escalate", data={"reason": "再上报"})
    assert refused.status_code == 422
    assert "市局已是最高层级，无法再上报" in refused.text

    page = await step(clerk, case_id, "grade", {"relevant": "no"})
    assert state_line(page) == "无关"
    assert offered(page) == ["reopen"]
    async with logged_in(opinion_gateway, COUNTY_TOKEN) as county:  # 吴中区 reported it; the city holds it
        page = (await county.get(f"/opinion/cases/{case_id}")).text
        assert "reopen" not in offered(page)
        refused = await county.post(
            f"/opinion/cases/{case_id}/reopen", data={"reason": "越级", "unit": "3205"}
        )
        assert refused.status_code == 403
        assert "只有本案受理单位或其上级才能重新打开本案" in refused.text
    page = await step(clerk, case_id, "reopen", {"reason": "群众再次反映"})
    assert state_line(page) == "待研判"
    assert "群众再次反映" in timeline(page)


async def test_the_assignee_passes_a_case_down_and_it_comes_back_up(clerk: httpx.AsyncClient) -> None:
    case_id = await report_case(clerk, "3205", "殡葬收费投诉")
    await step(clerk, case_id, "grade", {**GRADE, "owning_unit": COUNTY})
    await step(clerk, case_id, "assign", {"to_unit": COUNTY})
    page = await step(clerk, case_id, "acknowledge", {})
    assert "pass_down" in offered(page)
    assert "assign" not in offered(page)  # dispatching is the desk's, and the desk has dispatched
    form = page.split('id="step-pass_down"', 1)[1].split("</form>", 1)[0]
    assert "长桥街道" in form
    assert "吴中区民政局</option>" not in form  # only units below the assignee

    refused = await clerk.post(f"/opinion/cases/{case_id}/pass_down", data={"to_unit": OTHER_COUNTY})
    assert refused.status_code == 422
    assert field_error(refused.text, "step-pass_down", "to_unit") == "只能转派给下级单位"

    page = await step(clerk, case_id, "pass_down", {"to_unit": TOWN, "note": "请街道核实"})
    assert state_line(page) == "待签收"
    assert re.search(r"<td>派单</td>\s*<td>苏州市民政局 → 吴中区民政局</td>", timeline(page))
    assert re.search(r"<td>转派</td>\s*<td>吴中区民政局 → 长桥街道</td>", timeline(page))
    assert "<th>承办单位</th><td>长桥街道</td>" in page
    assert "<th>研判交办单位</th><td>吴中区民政局</td>" in page
    page = await step(clerk, case_id, "acknowledge", {})
    assert "pass_down" not in offered(page)  # nothing lies below the township

    page = await step(clerk, case_id, "return", {"reason": "需区级协调"})
    assert "<th>研判交办单位</th><td>吴中区民政局</td>" in page
    assert "return" in offered(page)  # 吴中区 got it from the city and may hand it back up
    page = await step(clerk, case_id, "return", {"reason": "超出区级职责"})
    assert state_line(page) == "待派单"
    assert "<th>研判交办单位</th><td>苏州市民政局</td>" in page
    assert "return" not in offered(page)


async def test_an_extension_is_asked_for_granted_and_moves_the_close_deadline(
    clerk: httpx.AsyncClient, opinion_gateway: GatewayRuntime
) -> None:
    case_id = await report_case(clerk, COUNTY, "救助站服务投诉")
    await step(clerk, case_id, "grade", {**GRADE, "owning_unit": TOWN})
    await step(clerk, case_id, "assign", {"to_unit": TOWN})
    page = await step(clerk, case_id, "acknowledge", {})
    before = close_due(page)
    assert "request_extension" in offered(page)
    assert "decide_extension" not in offered(page)  # nothing asked for yet

    too_long = await clerk.post(
        f"/opinion/cases/{case_id}/request_extension", data={"workdays": "40", "reason": "x"}
    )
    assert too_long.status_code == 422
    assert field_error(too_long.text, "step-request_extension", "workdays") == "不能大于 30"
    assert 'value="40"' in too_long.text  # what was typed stays
    page = await step(clerk, case_id, "request_extension", {"workdays": "3", "reason": "需协调多个部门"})
    assert '<td id="pending-extension">3个工作日</td>' in page
    assert "request_extension" not in offered(page)  # one request at a time
    again = await clerk.post(
        f"/opinion/cases/{case_id}/request_extension", data={"workdays": "2", "reason": "再延"}
    )
    assert again.status_code == 422
    assert "已有一份延期申请等待审批" in again.text

    async with logged_in(opinion_gateway, COUNTY_LEADER_TOKEN) as leader:  # 吴中区 is above the township
        page = (await leader.get(f"/opinion/cases/{case_id}")).text
        assert "decide_extension" in offered(page)
        page = await step(leader, case_id, "decide_extension", {"approved": "yes", "unit": TOWN})
    after = close_due(page)
    assert after != before
    assert "pending-extension" not in page
    assert re.search(r"<td>延期审批</td>\s*<td>吴中区民政局</td>", timeline(page))  # not the forged township
    assert f"批准延期，办结时限延至{after}" in timeline(page)

    await step(clerk, case_id, "record_action", {"action": "verify", "description": "已核实"})
    await step(clerk, case_id, "give_feedback", {"said": "已答复", "reception": "accepted"})
    page = await step(clerk, case_id, "close", {"resolution": "已办结"})
    assert 'id="deadlines"' not in page  # closed: nothing runs
    page = await step(clerk, case_id, "reopen", {"reason": "当事人仍有异议"})
    assert state_line(page) == "处置中"
    close_due(page)  # reopened with a fresh close deadline


async def test_sessions_without_the_role_or_the_scope_get_no_form_and_a_forged_post_is_refused(
    clerk: httpx.AsyncClient, opinion_gateway: GatewayRuntime
) -> None:
    case_id = await report_case(clerk, "3205", "社区养老服务站")
    await step(clerk, case_id, "grade", {**GRADE, "owning_unit": TOWN})  # the township sees the case
    await step(clerk, case_id, "assign", {"to_unit": COUNTY})
    page = await step(clerk, case_id, "acknowledge", {})
    assert {"pass_down", "request_extension", "return", "escalate"} <= set(offered(page))
    url = f"/opinion/cases/{case_id}"

    async with logged_in(opinion_gateway, TOWN_TOKEN) as town:  # the case is 吴中区's, not the township's
        page = (await town.get(url)).text
        assert state_line(page) == "已签收"
        assert offered(page) == []
        forged = {"unit": TOWN, "to_unit": TOWN, "workdays": "3", "reason": "伪造", "approved": "yes"}
        for name in ("pass_down", "request_extension", "return", "escalate"):  # 吴中区's steps
            refused = await town.post(f"{url}/{name}", data=forged)
            assert refused.status_code == 404, (name, refused.status_code)  # out of scope: as if missing
        assert (await town.post(f"{url}/decide_extension", data=forged)).status_code == 403  # not a leader

    async with logged_in(opinion_gateway, COUNTY_TOKEN) as county:
        page = await step(county, case_id, "request_extension", {"workdays": "2", "reason": "需要时间"})
        assert "decide_extension" not in offered(page)  # a clerk has no leader's role
        refused = await county.post(f"{url}/decide_extension", data={"approved": "yes"})
        assert refused.status_code == 403
    async with logged_in(opinion_gateway, COUNTY_LEADER_TOKEN) as leader:
        page = (await leader.get(url)).text
        assert "decide_extension" not in offered(page)  # a leader of 吴中区 is not above 吴中区's own request
        refused = await leader.post(f"{url}/decide_extension", data={"approved": "yes", "unit": "3205"})
        assert refused.status_code == 403
    page = (await clerk.get(url)).text
    assert "decide_extension" in offered(page)  # the city is above 吴中区
    assert '<td id="pending-extension">2个工作日</td>' in page  # the forged posts changed nothing

    other = await report_case(clerk, OTHER_COUNTY, "相城区的舆情")
    async with logged_in(opinion_gateway, COUNTY_TOKEN) as county:  # another county's case: not found
        for name in ("reopen", "escalate", "return"):
            assert (
                await county.post(f"/opinion/cases/{other}/{name}", data={"reason": "越权"})
            ).status_code == 404
