"""JetStream stream snapshots through the server's own API ($JS.API.STREAM.SNAPSHOT / RESTORE), which
nats-py does not wrap: the stream's message blocks byte for byte, so sequences, headers and times survive."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from services.eventkit.pgdump import sha256_of

CHUNK = 128 * 1024
API_TIMEOUT = 10.0
TRANSFER_TIMEOUT = 600.0  # a whole snapshot's chunks, or the server's rebuild of a restored stream
SOURCE_HEADER = "Nats-Stream-Source"  # set on messages a stream copied from another (a county's, at the hub)


class SnapshotError(RuntimeError):
    """The server refused a snapshot or restore, or the data did not arrive whole."""


@dataclass(frozen=True)
class StreamSnapshot:
    """What a snapshot file holds: the stream's config and state at the snapshot, and the file's sha256."""

    name: str
    config: dict[str, Any]
    state: dict[str, Any]
    sha256: str
    size: int


async def _api(nc: NatsClient, subject: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await nc.request(subject, json.dumps(body).encode(), timeout=API_TIMEOUT)
    answer: dict[str, Any] = json.loads(reply.data) if reply.data else {}
    if "error" in answer:
        raise SnapshotError(f"{subject}: {answer['error'].get('description', answer['error'])}")
    return answer


async def snapshot_stream(nc: NatsClient, stream: str, path: Path) -> StreamSnapshot:
    """Write ``stream``'s snapshot (without consumers: services re-create theirs) to ``path``."""
    inbox = nc.new_inbox()
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:

        async def on_chunk(msg: Msg) -> None:
            nonlocal size
            if not msg.data:  # the empty message ends the snapshot
                if not done.done():
                    done.set_result(None)
                return
            out.write(msg.data)
            digest.update(msg.data)
            size += len(msg.data)
            if msg.reply:  # flow control: the server sends more once chunks are acknowledged
                await nc.publish(msg.reply, b"")

        sub = await nc.subscribe(inbox, cb=on_chunk)
        try:
            request = {"deliver_subject": inbox, "no_consumers": True, "chunk_size": CHUNK}
            answer = await _api(nc, f"$JS.API.STREAM.SNAPSHOT.{stream}", request)
            await asyncio.wait_for(done, TRANSFER_TIMEOUT)
        finally:
            await sub.unsubscribe()
    return StreamSnapshot(stream, answer["config"], answer["state"], digest.hexdigest(), size)


async def restore_stream(nc: NatsClient, snapshot: StreamSnapshot, path: Path) -> dict[str, Any]:
    """Create the stream from a snapshot file (the stream must not exist); return the server's stream info."""
    if await asyncio.to_thread(sha256_of, path) != snapshot.sha256:
        raise SnapshotError(f"{path} does not match the checksum in the manifest")
    request = {"config": snapshot.config, "state": snapshot.state}
    answer = await _api(nc, f"$JS.API.STREAM.RESTORE.{snapshot.name}", request)
    target = answer["deliver_subject"]
    with path.open("rb") as data:
        while chunk := data.read(CHUNK):
            reply = await nc.request(target, chunk, timeout=API_TIMEOUT)
            if reply.data:
                raise SnapshotError(f"restore of {snapshot.name}: {reply.data[:200]!r}")
    final = await nc.request(
        target, b"", timeout=TRANSFER_TIMEOUT
    )  # the empty request ends it: the server rebuilds
    created: dict[str, Any] = json.loads(final.data)
    if "error" in created:
        raise SnapshotError(f"restore of {snapshot.name}: {created['error'].get('description')}")
    return created


async def stream_exists(nc: NatsClient, stream: str) -> bool:
    try:
        await nc.jetstream().stream_info(stream)
    except NotFoundError:
        return False
    return True


async def own_message_ids(nc: NatsClient, stream: str) -> dict[str, int]:
    """Nats-Msg-Id → sequence of every message published into ``stream`` itself (not copied from a source)."""
    js = nc.jetstream()
    info = await js.stream_info(stream)
    if not info.state.messages:
        return {}
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, headers_only=True, inactive_threshold=60
    )
    sub = await js.pull_subscribe("", stream=stream, config=config)
    found: dict[str, int] = {}
    try:
        while True:
            batch = await sub.fetch(1000, timeout=5)
            for msg in batch:
                headers = msg.headers or {}
                if SOURCE_HEADER not in headers and (msg_id := headers.get("Nats-Msg-Id")):
                    found[msg_id] = msg.metadata.sequence.stream
            if batch[-1].metadata.num_pending == 0:  # (the last sequence may be a deleted message)
                return found
    finally:
        await sub.unsubscribe()
