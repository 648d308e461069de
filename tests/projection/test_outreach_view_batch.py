"""The outreach view folds a whole batch at once (row inserts sent as one statement per table): a batch
that logs activities and corrects one of them must leave the same rows and counts as one event at a
time would. Real PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.outreach import ActivityCorrected, ActivityFacts, ActivityKind, ActivityLogged
from contracts.registry import DomainEvent
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, service_migrations
from services.eventkit.projector import Delivered
from services.projection.outreach_view import OutreachProjector
from tests.eventkit.events import event_envelope

SCHEMA = "outreach_batch"
COUNTY = "3205.320506"
TOWN = f"{COUNTY}.320506001"


def delivered(seq: int, event: DomainEvent, stream: str) -> Delivered:
    return Delivered(
        seq, event_envelope(event, stream, 1, unit=TOWN, actor="clerk-1", source="urn:sanji:outreach")
    )


def logged(activity_id: str, audience: int, **extra: Any) -> ActivityLogged:
    return ActivityLogged(
        activity_id=activity_id,
        unit=TOWN,
        kind=ActivityKind.LECTURE,
        topic="民政法规宣讲",
        held_on=date(2026, 11, 3),
        audience=audience,
        **extra,
    )


async def test_a_batch_of_logs_and_a_correction_folds_like_one_event_at_a_time(
    database_url: str,
) -> None:
    first = logged("a-1", 30, participants=["张三"], source="oa", external_id="r-7")
    second = logged("a-2", 12)
    before = ActivityFacts.model_validate(first.model_dump(include=set(ActivityFacts.model_fields)))
    after = before.model_copy(update={"audience": 45})
    corrected = ActivityCorrected(
        activity_id="a-1", unit=TOWN, reason="复核人数", before=before, after=after, changed=["audience"]
    )
    batch = [
        delivered(1, first, "activity-a-1"),
        delivered(2, second, "activity-a-2"),
        delivered(3, corrected, "activity-a-1"),
    ]
    pool = await create_pool(database_url)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, SCHEMA, service_migrations("services.projection"))
            async with conn.transaction():
                await OutreachProjector().apply(conn, SCHEMA, batch)
            activities = await conn.fetch(
                f"SELECT activity_id, audience, facts, source, external_id, corrections"
                f" FROM {SCHEMA}.outreach_activities ORDER BY activity_id"
            )
            history = await conn.fetch(
                f"SELECT stream, seq, data FROM {SCHEMA}.outreach_history ORDER BY seq"
            )
            monthly = await conn.fetch(
                f"SELECT path, own_activities, own_audience, subtree_activities, subtree_audience"
                f" FROM {SCHEMA}.outreach_monthly ORDER BY path"
            )
    finally:
        await pool.close()

    assert [(r["activity_id"], r["audience"], r["corrections"]) for r in activities] == [
        ("a-1", 45, 1),
        ("a-2", 12, 0),
    ]
    assert activities[0]["facts"] == after.model_dump(mode="json")
    assert (activities[0]["source"], activities[0]["external_id"]) == ("oa", "r-7")
    assert activities[1]["facts"] == ActivityFacts.model_validate(
        second.model_dump(include=set(ActivityFacts.model_fields))
    ).model_dump(mode="json")
    assert [(r["stream"], r["seq"]) for r in history] == [
        ("activity-a-1", 1),
        ("activity-a-2", 2),
        ("activity-a-1", 3),
    ]
    assert history[0]["data"] == first.model_dump(mode="json")
    by_path = {r["path"]: tuple(r)[1:] for r in monthly}
    # The town holds both activities (45 + 12 after the correction); its ancestors count them rolled up.
    assert by_path[TOWN] == (2, 57, 2, 57)
    assert by_path[COUNTY] == (0, 0, 2, 57)
    assert by_path["3205"] == (0, 0, 2, 57)
