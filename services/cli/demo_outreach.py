"""The outreach part of `sanji demo`: a plan for the year and the year's regular work that fills it.

- targets: the bureau and each county office hold a central-group study every month, each county
  gives 30 talks a year across its subtree, each department a branch study every month, each
  township two community events a quarter;
- the city's activity subtypes (现场教学, 青年理论学习小组, 民政青年说, 红色电影进养老院, 警示教育);
- a ledger of that regular work imported in bulk (``outreach.log_activities``, source ``demo-ledger``),
  with a few months missed on purpose so that shortfalls show;
- the year's meetings back-filled from a register (demo_meetings.py);
- a correction (an attendance typed wrong) and a void (an activity logged twice).

Deterministic, with idempotency keys, so running it again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date
from typing import Any

import httpx

from contracts.outreach import MAX_IMPORT_ROWS
from services.cli.demo import AUDIENCE, FIRST_DAY, LAST_DAY, SEED, TOPICS, Seeder, Unit
from services.cli.demo_meetings import SOURCE as MEETING_SOURCE
from services.cli.demo_meetings import award_bodies, meeting_rows, meeting_targets, survey_bodies

SOURCE = "demo-ledger"
TWICE_ID = "demo-twice-0001"  # logged, corrected and voided: the demo's last change to a count
# (unit kind, activity kind, cadence, count, scope)
TARGETS = [
    ("bureau", "central_group_study", "month", 1, "own"),
    ("bureau", "lecture", "quarter", 1, "own"),
    ("county_office", "central_group_study", "month", 1, "own"),
    ("county_office", "outreach_talk", "year", 30, "subtree"),
    ("department", "branch_study", "month", 1, "own"),
    ("township_office", "community_event", "quarter", 2, "own"),
]
# The city's activity subtypes (kind, subtype, name), defined by command before the ledger uses them.
SUBTYPES = [
    ("branch_study", "onsite_teaching", "现场教学（红色教育基地）"),
    ("seminar", "youth_study_group", "青年理论学习小组"),
    ("seminar", "youth_sharing", "民政青年说"),
    ("community_event", "film_screening", "红色电影进养老院"),
    ("central_group_study", "warning_education", "警示教育"),
]
# Which ledger rows carry a subtype: (activity kind, months) → subtype; the rest have none.
SUBTYPED = {
    ("branch_study", (3, 6, 9)): "onsite_teaching",
    ("community_event", (2, 4, 6, 8, 10)): "film_screening",
}
VENUES = ["局机关三楼会议室", "党员活动室", "社区综合服务中心", "新时代文明实践站", "街道礼堂"]
SPEAKERS = ["王建国", "李红梅", "张志强", "陈晓燕", "刘伟"]


def demo_targets(units: list[Unit], year: int) -> list[dict[str, Any]]:
    return [
        {"unit": unit.path, "year": year, "kind": kind, "cadence": cadence, "count": count, "scope": scope}
        for unit in units
        for unit_kind, kind, cadence, count, scope in TARGETS
        if unit.kind == unit_kind
    ]


def _months(today: date) -> list[tuple[int, int]]:
    last = min(LAST_DAY, today)
    return [(FIRST_DAY.year, m) for m in range(FIRST_DAY.month, 13) if date(FIRST_DAY.year, m, 1) <= last]


def ledger_rows(units: list[Unit], today: date) -> list[dict[str, Any]]:
    """The year's regular sessions, as rows of an import from the bureau's own ledger."""
    rows: list[dict[str, Any]] = []
    last = min(LAST_DAY, today)
    for unit in units:
        rng = random.Random(f"{SEED}:ledger:{unit.path}")  # noqa: S311 - demo data
        for year, month in _months(today):
            for kind, sessions in _regular(unit.kind, rng):
                for session in range(sessions):
                    held_on = date(year, month, min(8 + 7 * session + rng.randint(0, 5), 28))
                    if held_on > last:
                        continue
                    low, high = AUDIENCE[kind]
                    rows.append(
                        {
                            "external_id": f"{unit.path}:{kind}:{held_on.isoformat()}",
                            "unit": unit.path,
                            "kind": kind,
                            "subtype": _subtype(kind, month),
                            "topic": rng.choice(TOPICS[kind]),
                            "held_on": held_on.isoformat(),
                            "starts_at": rng.choice(["09:00", "14:30"]),
                            "audience": rng.randint(low, high),
                            "duration_minutes": rng.choice([60, 90, 120]),
                            "venue": rng.choice(VENUES),
                            "speakers": [rng.choice(SPEAKERS)],
                        }
                    )
    return rows


def _subtype(kind: str, month: int) -> str | None:
    return next((subtype for (k, months), subtype in SUBTYPED.items() if k == kind and month in months), None)


def _regular(unit_kind: str, rng: random.Random) -> list[tuple[str, int]]:
    """What a unit of this kind holds in one month; about one month in eleven is missed."""
    missed = rng.random() < 0.09
    if unit_kind in ("bureau", "county_office"):
        return [] if missed else [("central_group_study", 1)]
    if unit_kind == "department":
        return [] if missed else [("branch_study", 1)]
    if unit_kind == "township_office":
        return [("outreach_talk", rng.choice([0, 1, 1])), ("community_event", rng.choice([0, 1]))]
    return []


async def seed_outreach(
    client: httpx.AsyncClient, seeder: Seeder, units: list[Unit], today: date, echo: Any
) -> int:
    """Targets, the imported ledger and meetings, one correction and one void; returns the activities added."""
    year = FIRST_DAY.year
    targets = demo_targets(units, year)
    for target in targets:
        key = f"demo-target-{target['unit']}-{target['kind']}-{target['cadence']}"
        await seeder.send("outreach.set_target", target, key)
    echo(f"set {len(targets)} outreach targets for {year}")
    for kind, subtype, name in SUBTYPES:
        body = {"unit": units[0].path, "kind": kind, "subtype": subtype, "name": name}
        await seeder.send("outreach.define_activity_subtype", body, f"demo-subtype-{kind}-{subtype}")
    echo(f"defined {len(SUBTYPES)} activity subtypes")
    goals = meeting_targets(units, year)
    for goal in goals:
        await seeder.send(
            "outreach.set_meeting_target", goal, f"demo-meeting-target-{goal['unit']}-{goal['kind']}"
        )
    echo(f"set {len(goals)} meeting targets for {year}")
    imported, duplicate = await post_rows(
        client, "log_activities", SOURCE, units[0].path, ledger_rows(units, today)
    )
    echo(f"imported the {year} ledger: {imported} new activities, {duplicate} already there")
    recorded, duplicate = await post_rows(
        client, "record_meetings", MEETING_SOURCE, units[0].path, meeting_rows(units, today)
    )
    echo(f"recorded the {year} meetings register: {recorded} new meetings, {duplicate} already there")
    surveys, awards = survey_bodies(units, today), award_bodies(units, today)
    for body in surveys:
        await seeder.send("outreach.record_field_survey", body, body["survey_id"])
    for body in awards:
        await seeder.send("outreach.record_award", body, body["award_id"])
    echo(f"recorded {len(surveys)} field surveys and {len(awards)} awards")
    await _correct_and_void(seeder, units, today)
    return imported


async def post_rows(
    client: httpx.AsyncClient, command: str, source: str, unit: str, rows: list[dict[str, Any]]
) -> tuple[int, int]:
    """Send rows to an outreach bulk command in batches of the most it takes; (new, duplicate)."""
    imported = duplicate = 0
    for start in range(0, len(rows), MAX_IMPORT_ROWS):
        body = {"source": source, "unit": unit, "rows": rows[start : start + MAX_IMPORT_ROWS]}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
        response = await client.post(
            f"/api/v1/commands/outreach/{command}",
            json=body,
            headers={"Idempotency-Key": f"demo-{command}-{digest}"},
        )
        response.raise_for_status()
        result = response.json().get("result") or {}
        imported += int(result.get("imported", 0))
        duplicate += int(result.get("duplicate", 0))
    return imported, duplicate


async def demo_void_is_visible(client: httpx.AsyncClient) -> bool:
    """The demo's last change to any activity count (its void) has reached the projection."""
    response = await client.get(f"/api/v1/outreach/activities/{TWICE_ID}")
    return response.status_code == 200 and bool(response.json()["activity"]["voided"])


async def _correct_and_void(seeder: Seeder, units: list[Unit], today: date) -> None:
    township = next(unit for unit in units if unit.kind == "township_office")
    held_on = min(LAST_DAY, today).replace(day=1).isoformat()
    twice = {
        "activity_id": TWICE_ID,
        "unit": township.path,
        "kind": "outreach_talk",
        "topic": "防范养老诈骗宣讲",
        "held_on": held_on,
        "audience": 60,
    }
    await seeder.send("outreach.log_activity", twice, "demo-twice-log")
    await seeder.send(
        "outreach.correct_activity",
        {
            "activity_id": TWICE_ID,
            "unit": township.path,
            "reason": "人次按签到表更正",
            "audience": 66,
        },
        "demo-twice-correct",
    )
    await seeder.send(
        "outreach.void_activity",
        {"activity_id": TWICE_ID, "unit": township.path, "reason": "与台账导入记录重复登记"},
        "demo-twice-void",
    )
