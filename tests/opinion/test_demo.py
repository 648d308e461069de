"""The opinion demo: its data is valid and deterministic, and it runs through a real gateway twice
without changing anything the second time."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import asyncpg
import httpx

import contracts  # noqa: F401  (registers every command)
from contracts.commands import COMMANDS, Role
from contracts.occurrence import BACKDATE_DAYS
from services.cli.demo import Seeder, demo_units
from services.cli.demo_opinion import PLAN, demo_cases, demo_nil_reports, seed_opinion
from services.eventkit.localtime import SHANGHAI, local_date
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.stack import running

TODAY = date(2026, 11, 23)


def test_the_demo_items_are_valid_deterministic_and_in_the_past() -> None:
    units = demo_units()
    cases = demo_cases(units, 240, TODAY)
    assert cases == demo_cases(units, 240, TODAY)
    assert {c.case_id for c in demo_cases(units, 40, TODAY)} <= {c.case_id for c in cases}
    COMMANDS["opinion.adopt_response_plan"].model_validate({"unit": "3205", "limits": PLAN})
    last_steps: Counter[str] = Counter()
    closed_in_time = 0
    for case in cases:
        name, body = case.report
        report = COMMANDS[name].model_validate(body)
        captured = datetime.fromisoformat(body["captured_at"])
        assert captured.astimezone(SHANGHAI).date() < TODAY
        assert report.target_unit() == case.reported_by
        moment = captured
        for step, step_body in case.steps:
            COMMANDS[step].model_validate(step_body)
            if "occurred_at" in step_body:  # stated steps come first, in order, before the demo's day
                stated = datetime.fromisoformat(step_body["occurred_at"])
                assert moment < stated < datetime.combine(TODAY, time(0), tzinfo=SHANGHAI)
                assert ("backdate_reason" in step_body) == (
                    (TODAY - local_date(stated)).days >= BACKDATE_DAYS
                )
                moment = stated
            else:
                moment = datetime.max.replace(tzinfo=SHANGHAI)  # from here on, the time it is recorded
        if case.steps[-1][0] == "opinion.close" and captured < datetime(2026, 11, 1, tzinfo=SHANGHAI):
            closed_in_time += "occurred_at" in case.steps[-1][1]
        last_steps[case.steps[-1][0]] += 1
    assert {
        "opinion.grade",
        "opinion.close",
        "opinion.assign",
        "opinion.request_extension",
        "opinion.escalate",
    } <= set(last_steps)
    assert last_steps["opinion.supervise"] == last_steps["opinion.reopen"] == 1
    assert sum(case.drill for case in cases) == 2
    assert closed_in_time >= 40  # the year's closed loops say when each step happened
    assert 150 <= last_steps["opinion.grade"] <= 210  # most items are graded as not relevant
    assert {c.report[0] for c in cases} == {"opinion.ingest_item", "opinion.report"}
    nil = demo_nil_reports(units, TODAY)
    posts = [u for u in units if u.kind in ("bureau", "county_office", "township_office")]
    assert 0 < 7 * len(posts) - len(nil) < 25  # a few gaps


async def test_the_demo_runs_through_the_gateway_and_again_changes_nothing(
    nats_url: str, database_url: str, tmp_path: Path
) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"dev-token-1": {"id": "dev@3205", "scope": "3205", "roles": sorted(Role)}}))
    units = demo_units()
    today = local_date(datetime.now(SHANGHAI))
    async with running(nats_url, database_url, "duty", "opinion", "projection"):
        gateway = create_app(
            GatewaySettings(nats_url=nats_url, database_url=database_url, http_port=0, tokens_file=tokens)
        )
        await gateway.start()
        try:
            headers = {"Authorization": "Bearer dev-token-1"}
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{gateway.http_port}", headers=headers, timeout=30
            ) as http:
                seeder = Seeder(http)
                for depth in (1, 2, 3):
                    for unit in (u for u in units if len(u.path.split(".")) == depth):
                        body = {"path": unit.path, "name": unit.name, "kind": unit.kind}
                        await seeder.send("duty.register_unit", body, f"demo-unit-{unit.path}")
                stats = await seed_opinion(http, seeder, units, today, lambda _line: None, items=60)
                stored = await _events(database_url)
                again = await seed_opinion(http, seeder, units, today, lambda _line: None, items=60)
                assert await _events(database_url) == stored
        finally:
            await gateway.stop()
    assert stats is not None
    assert again is not None
    assert again["subtree"]["incidents"] == stats["subtree"]["incidents"] > 0
    assert stats["subtree"]["open"] >= 4


async def _events(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM opinion.events"))
    finally:
        await conn.close()
