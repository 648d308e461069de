"""The unit page's "needs attention" panel against a real stack: records made through commands (duty's and
opinion's deadlines passed on fake clocks), the panel counting exactly them and linking to lists that show
them; the plan and funnel charts drawing what their tables say; the lists as CSV equal to their workbooks;
another county's unit the 404 of a missing one for the panel's query and the CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from contracts.assessment import AppealDecided, AppealFiled
from contracts.envelope import utc_now
from services.eventkit.client import SanjiClient
from services.eventkit.localtime import SHANGHAI, local_date
from services.eventkit.runtime import ServiceRuntime
from tests.gateway.summary_year import WRITER, send, when_known
from tests.gateway.support import (
    CITY_TOKEN,
    COUNTY_TOKEN,
    activity,
    bearer,
    log_activity,
    register_units,
    running_gateway,
)
from tests.gateway.test_list_pages import chart_option
from tests.helpers import wait_until
from tests.opinion.builders import COUNTY, OTHER_COUNTY, TOWN, TOWN2
from tests.opinion.support import FakeClock, item, setup_city
from tests.projection.assessment_support import assessment_events
from tests.stack import client, running

pytestmark = pytest.mark.slow
PAGE = f"/units/{COUNTY}"
CASE_TITLES = {"case-late": "迟迟未签收的舆情", "case-watched": "市局督办的舆情", "case-done": "已办结的舆情"}


@dataclass
class Stack:
    http: httpx.AsyncClient  # logged in as the city's admin clerk
    sanji: SanjiClient
    duty: ServiceRuntime
    opinion: ServiceRuntime
    duty_clock: FakeClock
    opinion_clock: FakeClock
    nats_url: str
    database_url: str


@pytest.fixture
async def stack(nats_url: str, database_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    """Duty and opinion each on a clock of its own (to pass their deadlines), outreach and projection on
    real time, the gateway, and a client logged in as the city's admin clerk."""
    now = utc_now()
    duty_clock, opinion_clock = FakeClock(now), FakeClock(now)
    async with (
        running(nats_url, database_url, "duty", clock=duty_clock) as (duty,),
        running(nats_url, database_url, "opinion", clock=opinion_clock) as (opinion,),
        running_gateway(nats_url, database_url, tmp_path, ("outreach", "projection")) as gateway,
        client(nats_url) as sanji,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}", timeout=30) as http,
    ):
        await setup_city(sanji)
        assert (await http.post("/login", data={"token": CITY_TOKEN, "next": "/"})).status_code == 303
        yield Stack(http, sanji, duty, opinion, duty_clock, opinion_clock, nats_url, database_url)


async def record_plans(sanji: SanjiClient, today: str) -> None:
    """The township must hold three talks this month and has held one; the county one lecture this year,
    held: one unit behind plan."""
    year = int(today[:4])
    town = {"unit": TOWN, "year": year, "kind": "outreach_talk", "cadence": "month", "count": 3}
    county = {"unit": COUNTY, "year": year, "kind": "lecture", "cadence": "year", "count": 1}
    for target in (town, county):
        await when_known(sanji, "outreach.set_target", target)
    talk = activity("talk-town-1", TOWN, 20) | {"held_on": today}
    lecture = activity("lecture-1", COUNTY, 30, "lecture") | {"held_on": today}
    for body in (talk, lecture):
        await send(sanji, "outreach.log_activity", body)


async def record_duty(stack: Stack, today: str) -> None:
    """An outlet whose owner left (a coverage gap), an inspection with two rectifications, one of them
    overdue once duty's clock passes its one working day."""
    sanji = stack.sanji
    for post_id, unit in (("post-io-town", TOWN), ("post-io-town2", TOWN2)):
        post = {"post_id": post_id, "unit": unit, "kind": "information_officer", "title": "信息宣传员"}
        await send(sanji, "duty.create_post", post)
        holder = {"staff_no": f"SZ-{post_id}", "person_name": "王芳", "effective_on": today}
        await send(sanji, "duty.fill_post", {"post_id": post_id, "unit": unit} | holder)
    for outlet_id, unit, kind, name, owner in (
        ("outlet-town-wx", TOWN, "wechat_account", "长桥街道公众号", "post-io-town"),
        ("outlet-town2-board", TOWN2, "bulletin_board", "郭巷街道宣传栏", "post-io-town2"),
    ):
        outlet = {"outlet_id": outlet_id, "unit": unit, "kind": kind, "name": name, "owner_post_id": owner}
        await send(sanji, "duty.register_outlet", outlet | {"effective_on": today})
    leave = {"post_id": "post-io-town2", "unit": TOWN2, "effective_on": today, "reason": "调任"}
    await send(sanji, "duty.vacate_post", leave)
    findings = [
        {
            "finding_id": f"f{n}",
            "outlet_id": "outlet-town-wx",
            "item": "stale_content",
            "description": "内容陈旧",
        }
        for n in (1, 2)
    ]
    inspection = {
        "inspection_id": "inspection-1",
        "unit": COUNTY,
        "inspected_on": today,
        "inspector": "区民政局",
        "outlets_checked": ["outlet-town-wx"],
        "findings": findings,
    }
    await send(sanji, "duty.record_inspection", inspection)
    for rectification_id, finding_id, workdays in (("rect-soon", "f1", 1), ("rect-later", "f2", 40)):
        body: dict[str, Any] = {"rectification_id": rectification_id, "inspection_id": "inspection-1"}
        body |= {"finding_id": finding_id}
        body |= {"unit": COUNTY, "workdays": workdays, "instructions": "更新内容"}
        await send(sanji, "duty.open_rectification", body)
    stack.duty_clock.now += timedelta(days=10)  # one working day has passed, forty have not
    assert stack.duty.timer_runner is not None
    await stack.duty.timer_runner.fire_due()


async def record_cases(stack: Stack) -> None:
    """case-late (II) assigned and never acknowledged: overdue after its two hours; case-watched (IV)
    acknowledged and supervised by the city; case-done (IV) through the whole loop."""
    sanji, captured = stack.sanji, stack.opinion_clock.now - timedelta(hours=1)
    for case_id, severity in (("case-late", "II"), ("case-watched", "IV"), ("case-done", "IV")):
        await send(sanji, "opinion.report", item(case_id, COUNTY, captured) | {"title": CASE_TITLES[case_id]})
        grade = {"relevant": True, "category": "elderly_care", "severity": severity, "owning_unit": TOWN}
        await send(sanji, "opinion.grade", {"case_id": case_id, "unit": COUNTY} | grade)
        await send(sanji, "opinion.assign", {"case_id": case_id, "unit": COUNTY, "to_unit": TOWN})
    for case_id in ("case-watched", "case-done"):
        await send(sanji, "opinion.acknowledge", {"case_id": case_id, "unit": TOWN})
    await send(sanji, "opinion.supervise", {"case_id": "case-watched", "unit": "3205", "reason": "市局督办"})
    done = {"case_id": "case-done"}
    await send(
        sanji, "opinion.record_action", done | {"unit": TOWN, "action": "verify", "description": "核实"}
    )
    await send(
        sanji, "opinion.give_feedback", done | {"unit": TOWN, "said": "已回应", "reception": "accepted"}
    )
    await send(sanji, "opinion.close", done | {"unit": COUNTY, "resolution": "处置完毕"})
    # Past case-late's two hours to acknowledge, short of the supervision its ladder starts two hours later.
    stack.opinion_clock.now += timedelta(hours=3)
    assert stack.opinion.timer_runner is not None
    await stack.opinion.timer_runner.fire_due()


async def record_review_and_appeals(stack: Stack) -> None:
    """A publication awaiting its first review; two appeals, one decided (as assessment writes them)."""

    async def submitted() -> bool:  # outreach learns the outlet from duty's events
        body = {"publication_id": "pub-town-1", "unit": TOWN, "kind": "article", "title": "政策解读"}
        reply = await stack.sanji.send(
            "outreach.submit_publication", body | {"outlet_id": "outlet-town-wx"}, WRITER
        )
        return reply.ok

    await wait_until(submitted, message="outreach never learned the outlet")
    filed = [
        AppealFiled(
            appeal_id=f"appeal-{n}",
            unit=unit,
            period="2026-Q3",
            bulletin_unit="3205",
            bulletin_version=1,
            reason="分数有误",
        )
        for n, unit in ((1, TOWN), (2, TOWN2))
    ]
    decided = AppealDecided(
        appeal_id="appeal-2",
        unit=TOWN2,
        period="2026-Q3",
        bulletin_unit="3205",
        upheld=False,
        points=0,
        reason="不予支持",
    )
    async with assessment_events(stack.nats_url, stack.database_url) as events:
        await events.emit(*filed, decided)


def panel(page: str) -> dict[str, tuple[int, str | None]]:
    """The panel's items: key → (count, link or None)."""
    body = page.split('id="attention"', 1)[1].split("</section>", 1)[0]
    found = {}
    for key, inner in re.findall(r'<li id="attention-(\w+)"[^>]*>(.*?)</li>', body, re.S):
        linked = re.search(r'<a href="([^"]+)"><strong>([\d,]+)</strong></a>', inner)
        if linked:
            found[key] = (int(linked[2].replace(",", "")), linked[1].replace("&amp;", "&"))
        else:
            count = re.search(r"<strong>([\d,]+)</strong>", inner)
            assert count is not None, inner
            found[key] = (int(count[1].replace(",", "")), None)
    return found


EXPECTED = {
    "overdue_cases": 1,
    "supervised_cases": 1,
    "coverage_gaps": 1,
    "rectifications_open": 2,
    "rectifications_overdue": 1,
    "plan_shortfalls": 1,
    "publications_waiting": 1,
    "appeals_waiting": 1,
}


def table_rows(page: str, figure: str) -> list[list[str]]:
    """The cells (tags stripped) of each body row of a chart's table."""
    body = page.split(f'id="{figure}"', 1)[1].split("</figure>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]


async def test_the_panel_counts_what_was_recorded_and_links_to_it(stack: Stack) -> None:
    today = local_date(utc_now()).isoformat()
    await record_plans(stack.sanji, today)
    await record_duty(stack, today)
    await record_cases(stack)
    await record_review_and_appeals(stack)
    http = stack.http

    async def counted() -> bool:
        page = await http.get(PAGE)
        return page.status_code == 200 and {k: v[0] for k, v in panel(page.text).items()} == EXPECTED

    await wait_until(counted, timeout=60, message=lambda: f"the panel never counted {EXPECTED}")
    page = (await http.get(PAGE)).text
    items = panel(page)
    assert page.index('id="attention"') < page.index('class="totals"')  # first on the page
    assert items["overdue_cases"][1] == f"/opinion/units/{COUNTY}/cases?filter=overdue"

    # Each count's link shows exactly the records behind it.
    overdue = (await http.get(str(items["overdue_cases"][1]))).text
    assert "共 1 条" in overdue
    assert CASE_TITLES["case-late"] in overdue
    assert CASE_TITLES["case-watched"] not in overdue
    supervised = (await http.get(str(items["supervised_cases"][1]))).text
    assert "共 1 条" in supervised
    assert CASE_TITLES["case-watched"] in supervised
    duty_link = items["coverage_gaps"][1]
    assert duty_link is not None
    assert duty_link.endswith("#gaps")
    duty = (await http.get(duty_link)).text
    gaps = duty.split('id="gaps"', 1)[1].split("<h2", 1)[0]
    assert "郭巷街道宣传栏" in gaps
    assert "长桥街道公众号" not in gaps
    rectifications = duty.split('id="rectifications"', 1)[1].split("<h2", 1)[0]
    assert rectifications.count("<tr>") == 2 + 1  # the header and the two open ones
    assert rectifications.count("逾期") == 1
    waiting_link = str(items["publications_waiting"][1])
    assert httpx.URL(waiting_link).path == f"/outreach/units/{COUNTY}/publications"  # the list itself
    listed = (await http.get(waiting_link)).text.split('id="publications"', 1)[1].split("</table>", 1)[0]
    assert "政策解读" in listed
    assert "待初审" in listed
    appeals = page.split('id="appeals"', 1)[1].split("</table>", 1)[0]
    assert "长桥街道" in appeals
    assert "郭巷街道" not in appeals

    # The plan chart and its table say the same: the township behind (1 of 3), the county done.
    plan = chart_option(page, "chart-plan-children")
    assert plan["yAxis"]["data"] == ["长桥街道", "吴中区民政局"]  # the furthest behind on top
    assert plan["series"][0]["data"] == [3, 1]
    assert [point["value"] for point in plan["series"][1]["data"]] == [1, 1]
    rows = table_rows(page, "chart-plan-children")
    by_unit = {row[0]: row[1:] for row in rows}
    assert by_unit == {"吴中区民政局": ["1", "1", "0", "0"], "长桥街道": ["3", "1", "2", "1"]}

    # The funnel: one incident at each of three states, stacked by severity, equal to its table.
    funnel = chart_option(page, "chart-funnel")
    states = funnel["xAxis"]["data"]
    drawn = {s["name"]: dict(zip(states, s["data"], strict=True)) for s in funnel["series"]}
    table = {row[0]: [int(n) for n in row[1:]] for row in table_rows(page, "chart-funnel")}
    assert list(table) == states
    for i, severity in enumerate(["特别重大(I)", "重大(II)", "较大(III)", "一般(IV)"]):
        assert {state: table[state][i] for state in states} == drawn[severity]
    assert all(s["stack"] == "total" for s in funnel["series"])
    nonzero = {state: row for state, row in table.items() if row[-1]}
    assert nonzero == {"待签收": [0, 1, 0, 0, 1], "已签收": [0, 0, 0, 1, 1], "已办结": [0, 0, 0, 1, 1]}

    # Nothing in the other county: the panel says so instead of a row of zeros.
    other = (await http.get(f"/units/{OTHER_COUNTY}")).text
    assert 'id="attention-nothing"' in other
    assert "本期暂无数据" in other  # neither chart draws without data

    # The lists behind the counts as CSV: the workbook's rows, UTF-8 with a BOM for Excel.
    for url, records in (
        (f"/opinion/units/{COUNTY}/cases?filter=overdue", 1),
        (f"/outreach/units/{COUNTY}/activities", 2),
    ):
        path, _, query = url.partition("?")
        params = dict(p.split("=") for p in query.split("&") if p)
        sheet = await http.get(f"{path}.csv", params=params)
        book = await http.get(f"{path}.xlsx", params=params)
        assert sheet.status_code == book.status_code == 200
        assert sheet.headers["content-type"].startswith("text/csv")
        assert sheet.content.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        cells = list(load_workbook(io.BytesIO(book.content)).worksheets[0].iter_rows(values_only=True))
        assert lines == [["" if c is None else str(c) for c in row] for row in cells]
        assert len(lines) == 1 + records  # the header and the records


async def test_another_countys_unit_is_missing_for_the_panel_query_and_the_csv(
    nats_url: str, database_url: str, tmp_path: Path
) -> None:
    async with running_gateway(nats_url, database_url, tmp_path) as gateway:
        base = f"http://127.0.0.1:{gateway.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            await register_units(http)
            county = bearer(COUNTY_TOKEN)
            mine = await http.get(f"/api/v1/units/{COUNTY}/attention", headers=county)
            assert mine.status_code == 200, mine.text
            missing_path = f"{COUNTY}.320506099"
            missing = await http.get(f"/api/v1/units/{missing_path}/attention", headers=county)
            other = await http.get(f"/api/v1/units/{OTHER_COUNTY}/attention", headers=county)
            assert other.status_code == missing.status_code == 404
            said = other.json()["error"]["message"].replace(OTHER_COUNTY, "P")
            assert said == missing.json()["error"]["message"].replace(missing_path, "P")

            assert (await http.post("/login", data={"token": COUNTY_TOKEN, "next": "/"})).status_code == 303
            for name in ("opinion/units/{}/cases.csv", "outreach/units/{}/activities.csv"):
                own = await http.get("/" + name.format(COUNTY))
                assert own.status_code == 200
                gone = await http.get("/" + name.format(missing_path))
                theirs = await http.get("/" + name.format(OTHER_COUNTY))
                assert theirs.status_code == gone.status_code == 404
                assert theirs.text.replace(OTHER_COUNTY, "P") == gone.text.replace(missing_path, "P")


async def test_a_cell_that_starts_like_a_formula_stays_text_in_csv_and_xlsx(http: httpx.AsyncClient) -> None:
    await register_units(http)
    assert (await http.post("/login", data={"token": CITY_TOKEN, "next": "/"})).status_code == 303
    today = datetime.now(UTC).astimezone(SHANGHAI).date().isoformat()
    body = activity("formula-1", COUNTY, 5) | {"held_on": today, "topic": '=HYPERLINK("http://evil.example")'}
    assert (await log_activity(http, body)).status_code == 200
    url = f"/outreach/units/{COUNTY}/activities.csv"

    async def listed() -> list[list[str]]:
        return list(csv.reader(io.StringIO((await http.get(url)).content.decode("utf-8-sig"))))

    await wait_until(lambda: _has_rows(listed, 2), message="the activity never reached the list")
    assert (await listed())[1][1] == '\'=HYPERLINK("http://evil.example")'
    book = load_workbook(io.BytesIO((await http.get(url.replace(".csv", ".xlsx"))).content))
    topic = book.worksheets[0]["B2"]
    assert (topic.value, topic.data_type) == (body["topic"], "s")  # text in the workbook too, not a formula


async def _has_rows(listed: Any, count: int) -> bool:
    return len(await listed()) == count
