"""Nil reports (零报告): one per monitoring post and day; the view flags the days a post neither filed
one nor reported an item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.eventkit.localtime import local_date
from tests.helpers import wait_until
from tests.opinion.builders import CITY, COUNTY, OTHER_COUNTY, TOWN, TOWN2
from tests.opinion.support import TOWN_CLERK, item, send_ok, setup_city
from tests.stack import client, running


async def test_missing_nil_reports_are_flagged_per_post(nats_url: str, database_url: str) -> None:
    today = local_date(datetime.now(UTC))
    yesterday = today - timedelta(days=1)
    async with running(nats_url, database_url, "duty", "opinion", "projection"), client(nats_url) as sanji:
        await setup_city(sanji)
        for unit, day in ((TOWN, yesterday), (TOWN, today), (TOWN2, today), (OTHER_COUNTY, yesterday)):
            await send_ok(sanji, "opinion.file_nil_report", {"unit": unit, "day": day.isoformat()})
        twice = await sanji.send(
            "opinion.file_nil_report", {"unit": TOWN, "day": today.isoformat()}, TOWN_CLERK
        )
        assert twice.error is not None
        assert (twice.error.code, twice.error.fields[0].field) == ("conflict", "day")
        section = await sanji.send(
            "opinion.file_nil_report", {"unit": f"{TOWN}.office", "day": today.isoformat()}, TOWN_CLERK
        )
        assert section.error is not None  # sections are not monitoring posts
        await send_ok(
            sanji, "opinion.report", item("case-nil-0001", COUNTY, datetime.now(UTC))
        )  # a report covers the day

        params = {"path": CITY, "from": yesterday.isoformat(), "to": today.isoformat()}

        async def settled() -> dict[str, Any]:
            found = await sanji.query("projection.opinion.nil_reports", params)
            return found["result"] if found["ok"] else {}

        async def all_seen() -> bool:
            result = await settled()
            return (
                bool(result) and result["totals"]["filed"] == 4 and result["totals"]["covered_by_items"] == 1
            )

        await wait_until(all_seen, message="the nil reports never showed")
        posts = {post["path"]: post for post in (await settled())["posts"]}
        summary = {
            path: (p["expected"], p["filed"], p["covered_by_items"], p["missing_days"])
            for path, p in posts.items()
        }
        assert summary == {
            CITY: (1, 0, 0, [today.isoformat()]),  # registered today, filed nothing
            COUNTY: (1, 0, 1, []),  # reported an item today instead
            TOWN: (2, 2, 0, []),  # filed yesterday (before it was registered here: it counts from then)
            TOWN2: (1, 1, 0, []),
            OTHER_COUNTY: (2, 1, 0, [today.isoformat()]),
        }
