"""The opinion part of `sanji demo`: a response plan, a year of monitored items (most from the monitoring
platform through the ingest command, some reported by staff), each graded — most as not relevant —
and the incidents run through the loop: small ones handled by the township or county itself, graver
ones dispatched by the city down to a county and on to a township. The most recent few stay open at
different steps (one will go overdue and be chased while the demo stack runs). Then a week of nil
reports from every monitoring post, with a few gaps.

Everything is deterministic and every command carries an Idempotency-Key, so a second run changes
nothing. Each step says when it happened, minutes to hours after the one before and within the plan's
limits, as a bureau back-filling its year would (with a reason where older than a month), so response
times are true; a step that would fall on the demo's own day, and every step after it, happens when it
is recorded.
"""

from __future__ import annotations

import asyncio
import random
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from contracts.occurrence import BACKDATE_DAYS
from contracts.opinion import ingested_case_id
from services.cli.demo import SEED, DemoError, Seeder, Unit
from services.eventkit.localtime import SHANGHAI

ITEMS = 240
SOURCE = "yuqing-monitor"
LIMIT_HOURS = {"I": (1, 2, 24, 2, 4), "II": (2, 6, 72, 2, 4)}  # ack, response, close, supervise, escalate
LIMIT_WORKDAYS = {"III": (1, 2, 5, 1, 1), "IV": (1, 3, 10, 1, 2)}
STEPS = ("acknowledge", "first_response", "close", "supervise_after", "escalate_after")
PLAN = {
    **{s: {k: {"hours": v} for k, v in zip(STEPS, limits, strict=True)} for s, limits in LIMIT_HOURS.items()},
    **{
        s: {k: {"workdays": v} for k, v in zip(STEPS, limits, strict=True)}
        for s, limits in LIMIT_WORKDAYS.items()
    },
}
CHANNELS = {
    "weibo": 5,
    "wechat": 4,
    "short_video": 4,
    "news": 2,
    "forum": 2,
    "hotline_12345": 3,
    "website": 1,
}
TOPICS: dict[str, list[str]] = {
    "elderly_care": ["网传养老院护工推搡老人", "社区食堂老人就餐排长队", "养老服务补贴发放延迟引不满"],
    "social_assistance": ["网帖称低保审核优亲厚友", "临时救助申请材料繁琐", "特困人员供养金未及时到账"],
    "child_welfare": ["困境儿童生活补贴标准遭质疑", "儿童福利院开放日预约难"],
    "marriage": ["婚姻登记预约号源紧张", "网传离婚冷静期办理不便"],
    "funeral": ["公墓收费不透明引发投诉", "清明祭扫交通拥堵"],
    "community": ["小区物业纠纷社区调解不力", "社区工作者加班问题受关注"],
    "social_organization": ["某社会组织以公益名义收费", "非法社会组织冒用民政名义"],
}
SEVERITY_WEIGHTS = {"I": 1, "II": 4, "III": 12, "IV": 60}
RELEVANT_SHARE = 0.25
OPEN_VARIANTS = ("awaiting_ack", "extension", "escalated", "supervised", "reopened")
# Minutes after the step before, by step: the chain grade → dispatch → acknowledge (→ pass down →
# acknowledge) → first action stays within the graver plan's two hours, the whole loop within a day.
STEP_MINUTES = {
    "opinion.grade": (10, 50),
    "opinion.assign": (5, 15),
    "opinion.acknowledge": (5, 25),
    "opinion.record_action": (15, 30),
    "opinion.give_feedback": (120, 600),
    "opinion.close": (60, 300),
}
LATER_ACTION_MINUTES = (60, 240)  # a second action, after the first
BACKFILL_REASON = "演示数据：按实际发生时间补录"


@dataclass(frozen=True)
class DemoCase:
    """One item: how it is reported, and the steps its case then takes (in order)."""

    case_id: str
    reported_by: str
    report: tuple[str, dict[str, Any]]
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    drill: bool = False


def _offices(units: list[Unit], kind: str) -> list[Unit]:
    return [unit for unit in units if unit.kind == kind]


def _captured(rng: random.Random, today: date) -> datetime:
    day = today - timedelta(days=rng.randint(1, 364))
    return datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), tzinfo=SHANGHAI)


def demo_cases(units: list[Unit], count: int, today: date) -> list[DemoCase]:
    """``count`` items, oldest first; the i-th is the same whatever the count."""
    city = _offices(units, "bureau")[0].path
    townships, counties = _offices(units, "township_office"), _offices(units, "county_office")
    found = []
    for index in range(1, count + 1):
        rng = random.Random(f"opinion:{SEED}:{index}")  # noqa: S311 - demo data, not secrets
        category = rng.choice(list(TOPICS))
        drill = index % 97 == 0  # now and then an exercise, kept out of every statistic
        relevant = drill or rng.random() < RELEVANT_SHARE
        severity = rng.choices(list(SEVERITY_WEIGHTS), weights=list(SEVERITY_WEIGHTS.values()))[0]
        severity = "IV" if drill or not relevant else severity
        township = rng.choice(townships)
        # Grave items are found by the city's monitoring centre; small ones concern a post directly.
        unit = city if severity != "IV" else rng.choice([township, township, rng.choice(counties)]).path
        body: dict[str, Any] = {
            "unit": unit,
            "channel": rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
            "title": ("【演练】" if drill else "") + rng.choice(TOPICS[category]),
            "excerpt": f"监测发现：{rng.choice(TOPICS[category])}，相关话题有网民转发评论。",
            "captured_at": _captured(rng, today).isoformat(),
            "drill": drill,
        }
        if rng.random() < 0.7:
            external_id = f"ym-{index:05d}"
            report = ("opinion.ingest_item", {**body, "source": SOURCE, "external_id": external_id})
            case_id = ingested_case_id(SOURCE, external_id)
        else:
            case_id = f"demo-op-{index:05d}"
            report = ("opinion.report", {**body, "case_id": case_id})
        case = DemoCase(case_id, unit, report, drill=drill)
        if relevant:
            grade = {"relevant": True, "category": category, "severity": severity}
            owner = township.path if unit == city else unit
            case.steps.extend(_loop(case_id, unit, owner, grade, township))
        else:
            case.steps.append(("opinion.grade", {"case_id": case_id, "unit": unit, "relevant": False}))
        _state_times(case, datetime.fromisoformat(body["captured_at"]), index, today)
        found.append(case)
    found.sort(key=lambda case: str(case.report[1]["captured_at"]))
    _leave_open(found)
    return found


def _loop(
    case_id: str, desk: str, owner: str, grade: dict[str, Any], township: Unit
) -> list[tuple[str, dict[str, Any]]]:
    ids = {"case_id": case_id}
    steps: list[tuple[str, dict[str, Any]]] = [
        ("opinion.grade", {**ids, "unit": desk, **grade, "owning_unit": owner})
    ]
    if desk == owner:  # a post handles its own small case
        handler = desk
        steps.append(("opinion.assign", {**ids, "unit": desk, "to_unit": desk, "note": "本级处置"}))
        steps.append(("opinion.acknowledge", {**ids, "unit": desk}))
    else:  # 三级联动: the city dispatches to the county, which passes it on to the township
        county, handler = township.path.rsplit(".", 1)[0], owner
        steps.append(("opinion.assign", {**ids, "unit": desk, "to_unit": county, "note": "请区局核实处置"}))
        steps.append(("opinion.acknowledge", {**ids, "unit": county}))
        steps.append(
            ("opinion.assign", {**ids, "unit": county, "to_unit": handler, "note": "转街道(镇)办理"})
        )
        steps.append(("opinion.acknowledge", {**ids, "unit": handler}))
        desk = county
    steps.append(
        ("opinion.record_action", {**ids, "unit": handler, "action": "verify", "description": "实地核实情况"})
    )
    steps.append(
        (
            "opinion.record_action",
            {**ids, "unit": handler, "action": "respond_publicly", "description": "发布情况说明"},
        )
    )
    steps.append(
        (
            "opinion.give_feedback",
            {**ids, "unit": handler, "said": "已向当事人及网民说明处理情况", "reception": "accepted"},
        )
    )
    steps.append(("opinion.close", {**ids, "unit": desk, "resolution": "核实处理完毕，舆情平稳"}))
    return steps


def _state_times(case: DemoCase, captured: datetime, index: int, today: date) -> None:
    """Give each step of ``case`` the time it happened, from its capture on; from the first step that
    would fall on ``today`` (or later), the steps happen when they are recorded."""
    rng = random.Random(f"opinion-times:{SEED}:{index}")  # noqa: S311 - demo data; apart from the item's own
    midnight = datetime.combine(today, time(0), tzinfo=SHANGHAI)
    moment, acted = captured, False
    for number, (step, body) in enumerate(case.steps):
        low, high = LATER_ACTION_MINUTES if step == "opinion.record_action" and acted else STEP_MINUTES[step]
        acted = acted or step == "opinion.record_action"
        moment += timedelta(minutes=rng.randint(low, high))
        if moment >= midnight:
            return
        stated = {"occurred_at": moment.isoformat()}
        if (today - moment.astimezone(SHANGHAI).date()).days >= BACKDATE_DAYS:
            stated["backdate_reason"] = BACKFILL_REASON
        case.steps[number] = (step, body | stated)


def _leave_open(cases: list[DemoCase]) -> None:
    """The newest relevant cases stop at different steps, so the views show open work."""
    relevant = [case for case in reversed(cases) if len(case.steps) > 1 and not case.drill]
    for variant in OPEN_VARIANTS:
        # Only a unit below the city can escalate: that variant takes the newest case reported below it.
        fits = [c for c in relevant if variant != "escalated" or "." in c.reported_by]
        if not fits:
            continue
        case = fits[0]
        relevant.remove(case)
        steps, ids = case.steps, {"case_id": case.case_id}
        handler = steps[-2][1]["unit"]  # the unit giving feedback
        if variant == "awaiting_ack":
            del steps[2:]  # graded and dispatched: the acknowledgement will fall due and be chased
        elif variant == "extension":
            del steps[-2:]
            steps.append(
                (
                    "opinion.request_extension",
                    {**ids, "unit": handler, "workdays": 3, "reason": "需协调多部门"},
                )
            )
        elif variant == "escalated":
            del steps[1:]
            steps.append(
                ("opinion.escalate", {**ids, "unit": case.reported_by, "reason": "超出本级处置能力"})
            )
        elif variant == "supervised":
            del steps[-2:]
            above = handler.rsplit(".", 1)[0]
            steps.append(("opinion.supervise", {**ids, "unit": above, "reason": "群众关注度高，挂牌督办"}))
        else:
            steps.append(
                ("opinion.reopen", {**ids, "unit": steps[-1][1]["unit"], "reason": "当事人仍有异议"})
            )


def demo_nil_reports(units: list[Unit], today: date) -> list[dict[str, Any]]:
    """A week of nil reports from every office, with a few deterministic gaps (flagged as missing)."""
    posts = [unit for unit in units if unit.kind in ("bureau", "county_office", "township_office")]
    reports = []
    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        for post in posts:
            if random.Random(f"nil:{SEED}:{post.path}:{day}").random() < 0.06:  # noqa: S311
                continue
            reports.append({"unit": post.path, "day": day.isoformat()})
    return reports


async def seed_opinion(
    client: httpx.AsyncClient,
    seeder: Seeder,
    units: list[Unit],
    today: date,
    echo: Any,
    *,
    items: int = ITEMS,
) -> dict[str, Any] | None:
    """Adopt the plan, report and work the items, file the nil reports; return the city's statistics
    (None when the stack runs without the opinion service)."""
    city = _offices(units, "bureau")[0].path
    plan = {"unit": city, "limits": PLAN, "note": "舆情应急预案（演示）"}
    probe = await client.post(
        "/api/v1/commands/opinion/adopt_response_plan",
        json=plan,
        headers={"Idempotency-Key": "demo-op-plan-1"},
    )
    if probe.status_code == 503 and "NoResponders" in probe.text:
        echo("opinion: the opinion service is not running; its part of the demo is skipped")
        return None
    await seeder.send("opinion.adopt_response_plan", plan, "demo-op-plan-1")
    cases = demo_cases(units, items, today)
    echo(f"reporting {len(cases)} monitored items and working their cases …")

    async def run(case: DemoCase) -> None:
        name, body = case.report
        await seeder.send(name, body, f"demo-op-{case.case_id}-report")
        for number, (step, step_body) in enumerate(case.steps, start=1):
            await seeder.send(step, step_body, f"demo-op-{case.case_id}-{number}")

    await asyncio.gather(*(run(case) for case in cases))
    nil = demo_nil_reports(units, today)
    echo(f"filing {len(nil)} nil reports …")
    await asyncio.gather(
        *(seeder.send("opinion.file_nil_report", b, f"demo-nil-{b['unit']}-{b['day']}") for b in nil)
    )
    counted = sum(1 for case in cases if not case.drill)
    stats = await await_opinion_view(client, city, counted, today)
    subtree = stats["subtree"]
    echo(
        f"opinion: {subtree['items']} items this year, {subtree['incidents']} incidents, "
        f"{subtree['open']} open, {subtree['overdue']} overdue, {subtree['supervised']} supervised"
    )
    return stats


async def await_opinion_view(
    client: httpx.AsyncClient, city: str, items: int, today: date, wait: float = 60
) -> dict[str, Any]:
    """The city's opinion statistics for this year, once the projection shows every item of the past year."""
    deadline = clock.monotonic() + wait
    past_year = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    seen: Any = None
    while clock.monotonic() < deadline:
        response = await client.get(f"/api/v1/opinion/units/{city}", params=past_year)
        if response.status_code == 200:
            seen = response.json()["subtree"]["items"]
            if seen >= items:
                this_year = await client.get(
                    f"/api/v1/opinion/units/{city}", params={"period": str(today.year)}
                )
                found: dict[str, Any] = this_year.json()
                return found
        await asyncio.sleep(0.5)
    raise DemoError(f"the opinion view shows {seen} items after {wait:.0f}s, expected {items}")
