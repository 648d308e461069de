"""A long transaction in one service's schema does not hold back another service's relay (issue 14):
the relay's horizon is the oldest of its own store's writers, not of the whole cluster."""

from __future__ import annotations

import asyncio
import time

import pytest

from services.eventkit.db import create_pool
from services.eventkit.pgstore import PostgresEventStore
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, client, running

HOLD = 30.0  # seconds duty's transaction stays open
EVERY = 0.2  # seconds between two of outreach's commands
TOWNSHIP = "3205.320506.320506001"


@pytest.mark.slow
async def test_a_transaction_held_open_in_another_schema_does_not_hold_back_the_relay(
    nats_url: str, database_url: str
) -> None:
    async with running(nats_url, database_url, "duty", "outreach", "projection"), client(nats_url) as sanji:
        for path, kind in (
            ("3205", "bureau"),
            ("3205.320506", "county_office"),
            (TOWNSHIP, "township_office"),
        ):
            reply = await sanji.send(
                "duty.register_unit", {"path": path, "name": path, "kind": kind}, CITY_ADMIN
            )
            assert reply.ok, reply.error

        async def log(activity_id: str) -> str | None:
            body = {
                "activity_id": activity_id,
                "unit": TOWNSHIP,
                "kind": "outreach_talk",
                "topic": "宣讲",
                "held_on": "2026-03-02",
                "audience": 10,
            }
            reply = await sanji.send("outreach.log_activity", body, CITY_ADMIN, command_id=f"c-{activity_id}")
            return reply.events[0] if reply.ok and reply.events else None

        await wait_until(lambda: log("act-warm-up"), message="outreach never learned the township")

        seen: dict[str, float] = {}

        async def on_event(message) -> None:  # core NATS sees what the relay publishes to JetStream
            seen[message.headers["Nats-Msg-Id"]] = time.monotonic()

        subscription = await sanji.nc.subscribe("sanji.ev.outreach.>", cb=on_event)
        pool = await create_pool(database_url, max_size=2)
        sent: dict[str, float] = {}
        try:
            # Duty's writer transaction, with a transaction id, open for HOLD seconds.
            async with PostgresEventStore(pool, "duty").transaction() as conn:
                await conn.execute(
                    "INSERT INTO duty.rejections (command, code, message) VALUES ('hold', 'test', 'held open')"
                )
                deadline = time.monotonic() + HOLD
                number = 0
                while time.monotonic() < deadline:
                    number += 1
                    event_id = await log(f"act-during-{number}")
                    assert event_id is not None
                    sent[event_id] = time.monotonic()
                    await asyncio.sleep(EVERY)
                await wait_until(lambda: set(sent) <= set(seen), timeout=5, message="events never published")
                lags = sorted(seen[event_id] - sent_at for event_id, sent_at in sent.items())
        finally:
            await subscription.unsubscribe()
            await pool.close()

        assert len(lags) >= HOLD / EVERY / 2
        assert lags[-1] < 1.0, (
            f"relay lag while duty held a transaction: p50 {lags[len(lags) // 2]:.3f}s, max {lags[-1]:.3f}s"
        )

        async def projected() -> bool:
            answer = await sanji.query("projection.unit", {"path": TOWNSHIP})
            return bool(answer["ok"]) and answer["result"]["own"]["activities"] == len(sent) + 1

        await wait_until(projected, timeout=1.0, message="the projection lagged more than a second")
