"""A consumer reports how far behind it is, in events and in seconds, and zero once caught up."""

from __future__ import annotations

import time

from nats.aio.msg import Msg
from prometheus_client import REGISTRY

from services.eventkit.consumer import Reaction, ReactionConsumer


def delivered(stored_seconds_ago: float, pending: int) -> Msg:
    stored_ns = int((time.time() - stored_seconds_ago) * 1e9)
    reply = f"$JS.ACK.SANJI_EVENTS.lagging.1.7.7.{stored_ns}.{pending}"
    return Msg(_client=None, subject="sanji.ev.x", reply=reply, data=b"")  # type: ignore[arg-type]


def gauge(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"consumer": "lagging"}) or 0.0


async def handler(conn, envelope) -> None:
    return None


def test_lag_is_the_age_of_the_last_handled_event_while_more_wait() -> None:
    consumer = ReactionConsumer(None, None, "kit", Reaction("lagging", ["sanji.ev.>"], handler))  # type: ignore[arg-type]
    consumer._report_lag(delivered(stored_seconds_ago=90, pending=500))
    assert 89 < gauge("sanji_consumer_lag_seconds") < 120
    assert gauge("sanji_consumer_pending") == 500
    consumer._report_lag(delivered(stored_seconds_ago=90, pending=0))  # the last one: caught up
    assert gauge("sanji_consumer_lag_seconds") == 0
    consumer._report_lag(None)  # nothing fetched: idle
    assert gauge("sanji_consumer_pending") == 0
