"""The information-submission part of `sanji demo` (信息报送): the demo year's items sent upward by each
section of the bureau and each county office, the ones adopted (录用) a few days later by an outlet of
the level they were sent to, and the quotas they are measured against. Information officers are duty's
posts (demo_duty.py), so the vacancy it records shows as a unit without one. Entries more than
BACKDATE_DAYS old carry the reason a clerk would give (补录). Deterministic: a second run only finds
them there already."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta
from typing import Any

from contracts.occurrence import BACKDATE_DAYS
from services.cli.demo import FIRST_DAY, LAST_DAY, SEED, Seeder, Unit

BACKFILL_REASON = "年度信息报送台账补录"
SENDERS = {"department": (1, 3), "county_office": (2, 4)}  # unit kind → items a month (fewest, most)
# Where items go: (level, recipient, the outlet that adopts, weight, chance of adoption)
LEVELS = [
    ("city", "苏州市民政局办公室", "苏州民政信息", 6, 0.5),
    ("province", "江苏省民政厅办公室", "江苏民政信息", 3, 0.3),
    ("national", "中国社会报社", "中国社会报", 1, 0.15),
]
TITLES = [
    "开展养老服务政策宣讲进社区",
    "推进社会救助“一件事”改革",
    "举办民政大讲堂专题讲座",
    "完成宣传阵地专项排查整改",
    "创新“民政青年说”学习形式",
    "做好低保边缘家庭认定工作",
]
# (unit kind, measure, cadence, count): quotas over the unit's subtree.
QUOTAS = [
    ("department", "submitted", "quarter", 6),
    ("department", "adopted", "year", 4),
    ("county_office", "submitted", "month", 3),
    ("county_office", "adopted", "year", 8),
    ("bureau", "published", "year", 24),
]


def late(day: date, today: date) -> dict[str, str]:
    return {"backdate_reason": BACKFILL_REASON} if (today - day).days > BACKDATE_DAYS else {}


def submission_bodies(units: list[Unit], today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The year's items and their adoptions, none after ``today`` or the demo's last day."""
    last = min(LAST_DAY, today)
    items: list[dict[str, Any]] = []
    adoptions: list[dict[str, Any]] = []
    for unit in (u for u in units if u.kind in SENDERS):
        rng = random.Random(f"{SEED}:submissions:{unit.path}")  # noqa: S311 - demo data
        fewest, most = SENDERS[unit.kind]
        for month in range(1, 13):
            for n in range(rng.randint(fewest, most)):
                sent = date(FIRST_DAY.year, month, rng.randint(1, 28))
                level, recipient, outlet, _, chance = rng.choices(LEVELS, weights=[w for *_, w, _ in LEVELS])[
                    0
                ]
                adopted = sent + timedelta(days=rng.randint(2, 20))
                if sent > last:
                    continue
                submission_id = f"demo-sub-{unit.path}-{month:02d}-{n}"
                body = {"submission_id": submission_id, "unit": unit.path, "title": rng.choice(TITLES)}
                body |= {"submitted_on": sent.isoformat(), "level": level, "recipient": recipient}
                items.append(body | late(sent, today))
                if rng.random() < chance and adopted <= last:
                    adoption = {"submission_id": submission_id, "unit": unit.path, "level": level}
                    adoption |= {"adopted_on": adopted.isoformat(), "outlet": outlet}
                    adoptions.append(adoption | late(adopted, today))
    return items, adoptions


def quota_bodies(units: list[Unit], year: int) -> list[dict[str, Any]]:
    return [
        {"unit": unit.path, "year": year, "measure": measure, "cadence": cadence, "count": count}
        for unit in units
        for kind, measure, cadence, count in QUOTAS
        if unit.kind == kind
    ]


async def seed_submissions(seeder: Seeder, units: list[Unit], today: date, echo: Any) -> None:
    """Set the quotas, then send the items and, once each is recorded, its adoption."""
    quotas = quota_bodies(units, FIRST_DAY.year)
    for quota in quotas:
        await seeder.send("outreach.set_quota", quota, f"demo-quota-{quota['unit']}-{quota['measure']}")
    items, adoptions = submission_bodies(units, today)
    await asyncio.gather(
        *(seeder.send("outreach.record_submission", item, f"demo-{item['submission_id']}") for item in items)
    )
    await asyncio.gather(  # an adoption only of an item recorded
        *(
            seeder.send("outreach.record_adoption", body, f"demo-adopted-{body['submission_id']}")
            for body in adoptions
        )
    )
    echo(f"set {len(quotas)} quotas; recorded {len(items)} items sent upward, {len(adoptions)} adopted")
