"""JetStream streams Sanji owns, created with explicit settings. Sanji creates them; FastStream never
declares them (it would rewrite an existing stream's config)."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.subjects import EVENTS_STREAM, EVENTS_SUBJECTS

log = logging.getLogger(__name__)

# Longer than any relay restart we expect; consumers keep their own inbox for anything older.
DUPLICATE_WINDOW_SECONDS = 2 * 3600.0


class StreamMismatch(RuntimeError):
    """An existing stream's settings differ from what Sanji needs; fix it deliberately, not silently."""


def events_stream_config() -> StreamConfig:
    return StreamConfig(
        name=EVENTS_STREAM,
        subjects=[EVENTS_SUBJECTS],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=0,  # keep every event: projections rebuild from sequence 1
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        num_replicas=1,
    )


async def ensure_stream(js: JetStreamContext, wanted: StreamConfig) -> None:
    try:
        info = await js.stream_info(wanted.name or "")
    except NotFoundError:
        await js.add_stream(config=wanted)
        log.info("stream created", extra={"stream": wanted.name})
        return
    have = info.config
    checks = {
        "subjects": (sorted(have.subjects or []), sorted(wanted.subjects or [])),
        "storage": (have.storage, wanted.storage),
        "deny_delete": (bool(have.deny_delete), bool(wanted.deny_delete)),
        "duplicate_window": (have.duplicate_window, wanted.duplicate_window),
    }
    differing = {key: pair for key, pair in checks.items() if pair[0] != pair[1]}
    if differing:
        raise StreamMismatch(f"stream {wanted.name} exists with other settings (have, want): {differing}")


async def ensure_sanji_streams(js: JetStreamContext) -> None:
    await ensure_stream(js, events_stream_config())
