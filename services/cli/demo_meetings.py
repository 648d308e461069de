"""The meetings part of `sanji demo`: the year's meetings on this work, back-filled in bulk from an
office register (``outreach.record_meetings``, source ``demo-register``), as a bureau loads a year.

The bureau: a party-group meeting and a joint meeting each quarter, a situation analysis and a leading
group meeting every half year, 民主生活会 and 述职 in January; each county office a situation analysis
every half year and a party-group meeting each quarter. Also each county leader's field surveys (调研)
and the city's selections of the year (最美民政窗口, 最美基层民政人). Entries more than BACKDATE_DAYS old carry the
reason a clerk would give (补录). Deterministic, so running it again only reports duplicates."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from contracts.occurrence import BACKDATE_DAYS
from services.cli.demo import FIRST_DAY, LAST_DAY, SEED, Unit

SOURCE = "demo-register"
BACKFILL_REASON = "年度会议台账补录"
# (unit kind, meeting kind, months held)
SCHEDULE = [
    ("bureau", "party_group_meeting", (3, 6, 9, 12)),
    ("bureau", "joint_meeting", (2, 5, 8, 11)),
    ("bureau", "situation_analysis", (6, 12)),
    ("bureau", "leading_group_meeting", (4, 10)),
    ("bureau", "self_criticism_meeting", (1,)),
    ("bureau", "annual_report", (1,)),
    ("county_office", "situation_analysis", (6, 12)),
    ("county_office", "party_group_meeting", (3, 6, 9, 12)),
]
TOPICS = {
    "party_group_meeting": ["专题研究意识形态工作", "研究网络意识形态工作责任制落实"],
    "joint_meeting": ["领导小组办公室联席会议：通报季度工作", "联席会议：部署宣传阵地排查"],
    "situation_analysis": ["意识形态领域形势分析研判", "民政领域舆情风险研判"],
    "leading_group_meeting": ["领导小组会议：审议年度工作要点"],
    "self_criticism_meeting": ["民主生活会：对照检查意识形态工作责任制落实情况"],
    "annual_report": ["领导班子成员述职：落实意识形态工作责任制情况"],
}
DECISIONS = [
    "压实科室负责人一岗双责",
    "每月报送舆情监测情况",
    "年底前完成阵地全面排查",
    "加强窗口意识形态岗培训",
]
PROBLEMS = [
    "宣传栏内容更新不及时",
    "电子屏无专人审核",
    "微信公众号三审记录不全",
    "意识形态岗职责未上墙",
    "志愿者培训不足",
]
NAMES = ["王建国", "李红梅", "张志强", "陈晓燕", "刘伟", "赵敏", "孙浩"]


def meeting_rows(units: list[Unit], today: date) -> list[dict[str, Any]]:
    """The year's meetings as rows of a bulk record, none after ``today`` or the demo's last day."""
    last = min(LAST_DAY, today)
    rows: list[dict[str, Any]] = []
    for unit in units:
        rng = random.Random(f"{SEED}:meetings:{unit.path}")  # noqa: S311 - demo data
        for unit_kind, kind, months in SCHEDULE:
            if unit.kind != unit_kind:
                continue
            for month in months:
                held_on = date(FIRST_DAY.year, month, rng.randint(5, 25))
                if held_on > last:
                    continue
                attendees = rng.sample(NAMES, rng.randint(3, 6))
                facts: dict[str, Any] = {
                    "kind": kind,
                    "held_on": held_on.isoformat(),
                    "attendance": len(attendees) + rng.randint(0, 10),
                    "attendees": attendees,
                    "chaired_by": attendees[0],
                    "topics": [rng.choice(TOPICS[kind])],
                    "decisions": rng.sample(DECISIONS, 2),
                }
                if (today - held_on).days > BACKDATE_DAYS:
                    facts["backdate_reason"] = BACKFILL_REASON
                external_id = f"{unit.path}:{kind}:{held_on.isoformat()}"
                rows.append({"external_id": external_id, "unit": unit.path, "facts": facts})
    return rows


def survey_bodies(units: list[Unit], today: date) -> list[dict[str, Any]]:
    """One field survey a half year by each county office's leader, with problems found and solved."""
    bodies: list[dict[str, Any]] = []
    for unit in (u for u in units if u.kind == "county_office"):
        rng = random.Random(f"{SEED}:surveys:{unit.path}")  # noqa: S311 - demo data
        for month in (4, 9):
            held_on = date(FIRST_DAY.year, month, rng.randint(5, 25))
            if held_on > min(LAST_DAY, today):
                continue
            problems = [
                {"description": text, "solved": rng.random() < 0.7} for text in rng.sample(PROBLEMS, 3)
            ]
            body: dict[str, Any] = {
                "survey_id": f"demo-survey-{unit.path}-{month:02d}",
                "unit": unit.path,
                "held_on": held_on.isoformat(),
                "led_by": rng.choice(NAMES),
                "topic": "基层意识形态阵地管理调研",
                "places": ["便民服务中心", "新时代文明实践站"],
                "problems": problems,
            }
            if (today - held_on).days > BACKDATE_DAYS:
                body["backdate_reason"] = BACKFILL_REASON
            bodies.append(body)
    return bodies


def award_bodies(units: list[Unit], today: date) -> list[dict[str, Any]]:
    """The city's selections of the year: a best window and a best grassroots worker per county."""
    awarded_on = date(FIRST_DAY.year, 9, 28)
    if awarded_on > min(LAST_DAY, today):
        return []
    bodies: list[dict[str, Any]] = []
    for unit in (u for u in units if u.kind == "county_office"):
        for kind, title, recipient in (
            ("best_window", "最美民政窗口", "社会救助服务窗口"),
            ("best_grassroots_worker", "最美基层民政人", NAMES[len(bodies) % len(NAMES)]),
        ):
            body: dict[str, Any] = {
                "award_id": f"demo-award-{unit.path}-{kind}",
                "unit": unit.path,
                "kind": kind,
                "title": f"{FIRST_DAY.year}年度{title}",
                "recipient": recipient,
                "awarded_by": "苏州市民政局",
                "awarded_on": awarded_on.isoformat(),
            }
            if (today - awarded_on).days > BACKDATE_DAYS:
                body["backdate_reason"] = BACKFILL_REASON
            bodies.append(body)
    return bodies


# (unit kind, meeting kind, cadence, count): e.g. situation analyses at least twice a year.
MEETING_TARGETS = [
    ("bureau", "situation_analysis", "year", 2),
    ("bureau", "party_group_meeting", "quarter", 1),
    ("county_office", "situation_analysis", "year", 2),
    ("county_office", "party_group_meeting", "year", 4),
]


def meeting_targets(units: list[Unit], year: int) -> list[dict[str, Any]]:
    return [
        {"unit": unit.path, "year": year, "kind": kind, "cadence": cadence, "count": count}
        for unit in units
        for unit_kind, kind, cadence, count in MEETING_TARGETS
        if unit.kind == unit_kind
    ]
