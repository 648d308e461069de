"""Read-your-writes: a command's position is known to the views exactly when they have applied it —
not before (no answer claims a write it does not show), and not never (events no view reads, or from
another origin, do not leave a waiter hanging)."""

from __future__ import annotations

import pytest

from services.eventkit.positions import (
    HEADER,
    Position,
    has_applied,
    latest_by_origin,
    parse_position,
    wait_applied,
)
from services.eventkit.projector import ProjectorRunner
from services.eventkit.relay import Relay
from tests.eventkit.events import batch
from tests.eventkit.rig import rig
from tests.eventkit.test_projector_views import TABLE, TaggedView


def test_a_position_reads_back_from_its_text() -> None:
    position = Position("3205.320506/outreach", 812, 4031)
    assert parse_position(str(position)) == position


@pytest.mark.parametrize(
    "text",
    [
        "",
        "outreach:1:2",
        "3205/outreach:1",
        "3205/outreach:-1:2",
        "3205/Outreach:1:2",
        "3205/o:1:2:3",
        f"3205/outreach:{2**63}:1",
        "3205/outreach:1:2\n",
    ],
)
def test_a_malformed_position_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="like 3205/outreach"):
        parse_position(text)


def test_the_latest_position_per_origin_is_kept_with_its_sequence() -> None:
    found = latest_by_origin(
        [
            (1, {HEADER: "3205/duty:10:1"}),
            (2, {HEADER: "3205/outreach:9:7"}),
            (3, {HEADER: "3205/duty:11:2"}),
            (4, None),  # published before positions existed
            (5, {HEADER: "junk"}),
            (6, {HEADER: "3205/duty:10:3"}),  # older than what came before (cannot happen, never moves back)
        ]
    )
    assert found == {
        "3205/duty": (Position("3205/duty", 11, 2), 3),
        "3205/outreach": (Position("3205/outreach", 9, 7), 2),
    }


async def test_a_view_has_applied_a_write_only_once_its_checkpoint_covers_it(
    nats_url: str, database_url: str
) -> None:
    async with rig(nats_url, database_url) as r:
        await r.pool.execute(TABLE.format(schema=r.schema))
        result = await r.store.append("ryw-1", 0, batch("ryw-1", 0, 3))
        assert result.commit is not None
        written = Position(r.store.origin, result.commit.tx_id, result.commit.position)
        assert parse_position(str(written)) == written
        # Relayed but not applied: no view may claim it.
        relay = Relay(r.store, r.js, "kit")
        while await relay.publish_batch():
            pass
        assert not await wait_applied(r.pool, r.schema, "reader", written, timeout=0.2)

        # "blind" reads none of these events: passing them still counts as having applied the write.
        blind = TaggedView("blind", event_types=frozenset({"kit.not_this"}))
        runner = ProjectorRunner(r.js, r.pool, r.schema, [TaggedView("reader"), blind], batch_size=2)
        await runner.catch_up()
        assert await wait_applied(r.pool, r.schema, "reader", written, timeout=0.2)
        assert await has_applied(r.pool, r.schema, "blind", written)

        # A view whose checkpoint is behind the sequence the position came at has not applied it.
        await r.pool.execute(f"UPDATE {r.schema}.stream_checkpoints SET seq = 0 WHERE name = 'reader'")
        assert not await has_applied(r.pool, r.schema, "reader", written)
        # A later write of the same store is not applied yet; one of another site never mixes in.
        assert not await has_applied(
            r.pool, r.schema, "blind", Position(written.origin, written.tx_id + 1, 0)
        )
        assert not await has_applied(r.pool, r.schema, "blind", Position("3205.320506/kit", 1, 1))
