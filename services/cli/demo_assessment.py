"""The assessment part of `sanji demo`: adopt the example scheme (services/assessment/schemes/example.yaml)
for the demo year, enter every office's manual score (工作创新) for each finished quarter, wait until the
scores have taken in every fact, then publish the city's quarterly bulletins (季通报). Deterministic and
idempotent like the rest of the demo: a second run changes nothing."""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import date
from importlib import resources
from typing import Any

import httpx
import yaml

from contracts.outreach import Cadence
from services.cli.demo import FIRST_DAY, SEED, DemoError, Seeder, Unit
from services.eventkit.periods import Period, periods_in

SETTLE_SECONDS = 3.0  # the city's scores unchanged this long: assessment has taken in what was sent
SETTLE_WITHIN = 180.0


def example_scheme() -> dict[str, Any]:
    text = resources.files("services.assessment").joinpath("schemes/example.yaml").read_text(encoding="utf-8")
    scheme: dict[str, Any] = yaml.safe_load(text)
    return scheme


def finished_quarters(year: int, today: date) -> list[Period]:
    return [quarter for quarter in periods_in(year, Cadence.QUARTER) if quarter.last_day < today]


async def settled(client: httpx.AsyncClient, city: str, period: str) -> dict[str, Any]:
    """Wait until the city's score for ``period`` exists and stops changing; return the answer."""
    deadline, last, since = time.monotonic() + SETTLE_WITHIN, None, time.monotonic()
    while time.monotonic() < deadline:
        response = await client.get(f"/api/v1/assessment/units/{city}", params={"period": period})
        answer = response.json() if response.is_success else {}
        seen = json.dumps([answer.get("score"), answer.get("children")], sort_keys=True, ensure_ascii=False)
        if answer.get("score") is None or seen != last:
            last, since = seen, time.monotonic()
        elif time.monotonic() - since >= SETTLE_SECONDS:
            return answer
        await asyncio.sleep(0.5)
    raise DemoError(f"the {period} scores of {city} did not settle within {SETTLE_WITHIN:.0f} s")


async def seed_assessment(
    client: httpx.AsyncClient, seeder: Seeder, units: list[Unit], today: date, echo: Any
) -> None:
    city, year = units[0].path, FIRST_DAY.year
    probe = await client.post(
        "/api/v1/commands/assessment/adopt_scheme",
        json={"unit": city, "year": year, "scheme": example_scheme()},
        headers={"Idempotency-Key": f"demo-scheme-{year}"},
    )
    if probe.status_code == 503 and "NoResponders" in probe.text:
        echo("assessment: the assessment service is not running; its part of the demo is skipped")
        return
    await seeder.send(
        "assessment.adopt_scheme",
        {"unit": city, "year": year, "scheme": example_scheme()},
        f"demo-scheme-{year}",
    )
    offices = [u for u in units if u.kind in {"bureau", "county_office", "township_office"}]
    quarters = finished_quarters(year, today)
    for quarter in quarters:
        for unit in offices:
            rng = random.Random(f"{SEED}:innovation:{unit.path}:{quarter.label}")  # noqa: S311 - demo data
            body = {
                "unit": unit.path,
                "period": quarter.label,
                "indicator_id": "innovation",
                "points": rng.choice([12, 14, 15, 16, 17, 18, 19]),
                "note": rng.choice(
                    ["“民政+网格”宣讲机制", "养老服务舆情快速响应", "红色书屋进社区", "常规工作"]
                ),
            }
            await seeder.send(
                "assessment.enter_manual_score", body, f"demo-manual-{unit.path}-{quarter.label}"
            )
    echo(f"adopted the {year} scheme; entered manual scores for {len(quarters)} quarters")
    for quarter in quarters:
        answer = await settled(client, city, quarter.label)
        if (answer.get("score") or {}).get("frozen"):
            continue  # published by an earlier run
        body = {
            "unit": city,
            "period": quarter.label,
            "title": f"{year}年第{quarter.index}季度意识形态工作责任制考核通报",
        }
        await seeder.send("assessment.publish_bulletin", body, f"demo-bulletin-{city}-{quarter.label}")
        echo(f"published the {quarter.label} bulletin")
