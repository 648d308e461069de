"""A site's backup (`sanji backup`) and its restore into a fresh site (`sanji restore`).

Consistent while the site runs: every schema is dumped from one PostgreSQL snapshot S, and only then are
the streams snapshotted. So the stream holds every event S had already relayed, plus maybe events
committed after S. The restore makes the two agree again: it deletes from the restored stream each
event the site published itself that no restored store holds (committed after S), and marks each
stored event as relayed when the restored stream has it, else for the relay to publish (it was still in
the outbox at S). Reactions' consumers are not in the snapshot: the services create them again and
their inboxes skip what was already applied. See docs/operations.md, *Back up and restore*.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
from nats.aio.client import Client as NatsClient

from contracts.subjects import EVENTS_STREAM
from services.eventkit.busconnect import connect
from services.eventkit.pgdump import (
    DumpError,
    SchemaDump,
    application_schemas,
    dump_schema,
    exported_snapshot,
    restore_schema,
)
from services.eventkit.relay import CHECKPOINT as RELAY_CHECKPOINT
from services.eventkit.streamsnap import (
    SnapshotError,
    StreamSnapshot,
    own_message_ids,
    restore_stream,
    snapshot_stream,
    stream_exists,
)

MANIFEST = "manifest.json"
FORMAT = 1
# Restored events get transaction ids below every real one, so the fresh cluster's new writes come after
# them in commit order: 3 (the first normal xid) for events the stream has, 4 for those still to relay.
RELAYED_TX, UNRELAYED_TX = 3, 4
STORE_FACTS = """
SELECT count(*) AS events, coalesce(max(position), 0) AS last_position,
       encode(sha256(convert_to(coalesce(string_agg(event_id::text, ',' ORDER BY position), ''), 'UTF8')),
              'hex') AS ids_sha256
FROM {schema}.events
"""


class RestoreRefused(RuntimeError):
    """The target site already holds data the backup would overwrite, or the backup is not one we read."""


BACKUP_ERRORS = (RestoreRefused, DumpError, SnapshotError)


@dataclass(frozen=True)
class RestoreReport:
    schemas: list[str]
    streams: list[str]
    removed_from_stream: int  # published after the dump point: no restored store holds them
    to_relay: int  # in the outbox at the dump point: the relay publishes them once the services run


def stream_file(stream: str) -> str:
    return f"{stream}.stream.tar.s2"


async def _event_stores(conn: asyncpg.Connection, schemas: list[str]) -> list[str]:
    rows = await conn.fetch(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'events'"
        " AND table_schema = ANY($1::text[]) ORDER BY table_schema",
        schemas,
    )
    return [row["table_schema"] for row in rows]


async def _store_facts(conn: asyncpg.Connection, schema: str) -> dict[str, Any]:
    """Count, last position and a checksum of the ids of one store's events, for the manifest."""
    return dict(await conn.fetchrow(STORE_FACTS.format(schema=schema)) or {})


def _empty_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise RestoreRefused(f"{folder} is not empty: back up into a new folder")


async def backup_site(nats_url: str, database_url: str, folder: Path) -> dict[str, Any]:
    """Dump every schema and snapshot every stream into ``folder`` (new or empty); return the manifest."""
    await asyncio.to_thread(_empty_folder, folder)
    async with exported_snapshot(database_url) as (conn, snapshot):
        schemas = await application_schemas(conn)
        stores = {s: await _store_facts(conn, s) for s in await _event_stores(conn, schemas)}
        postgres = await conn.fetchval("SHOW server_version")
        dumps = await asyncio.gather(*(dump_schema(database_url, snapshot, s, folder) for s in schemas))
    nc = await connect(nats_url, "sanji-backup")
    try:
        names = [info.config.name for info in await nc.jetstream().streams_info() if info.config.name]
        streams = [await snapshot_stream(nc, name, folder / stream_file(name)) for name in sorted(names)]
        nats_version = nc.connected_server_version
    finally:
        await nc.close()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "versions": {"sanji": version("sanji"), "postgresql": postgres, "nats_server": str(nats_version)},
        "schemas": [asdict(dump) for dump in dumps],
        "stores": stores,
        "streams": [asdict(stream) for stream in streams],
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    await asyncio.to_thread((folder / MANIFEST).write_text, text, "utf-8")
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise RestoreRefused(f"{folder / MANIFEST} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(
            f"{folder} holds a backup of format {manifest.get('format')!r}; this reads {FORMAT}"
        )
    return manifest


async def _clear_target(
    nc: NatsClient, conn: asyncpg.Connection, manifest: dict[str, Any], replace: bool
) -> None:
    schemas = {dump["schema"] for dump in manifest["schemas"]} & set(await application_schemas(conn))
    streams = [s["name"] for s in manifest["streams"] if await stream_exists(nc, s["name"])]
    if (schemas or streams) and not replace:
        held = ", ".join([*(f"schema {s}" for s in sorted(schemas)), *(f"stream {s}" for s in streams)])
        raise RestoreRefused(
            f"the target site already holds {held}; restore into a fresh site (or --replace)"
        )
    for schema in sorted(schemas):
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    for stream in streams:
        await nc.jetstream().delete_stream(stream)


async def _reconcile(nc: NatsClient, conn: asyncpg.Connection, stores: list[str]) -> tuple[int, int]:
    """Make the restored events stream and stores agree; return (removed from stream, left to relay)."""
    js = nc.jetstream()
    in_stream = await own_message_ids(nc, EVENTS_STREAM) if await stream_exists(nc, EVENTS_STREAM) else {}
    stored: set[str] = set()
    to_relay = 0
    for schema in stores:
        ids = [row["id"] for row in await conn.fetch(f"SELECT event_id::text AS id FROM {schema}.events")]
        stored.update(ids)
        relayed = [i for i in ids if i in in_stream]
        to_relay += len(ids) - len(relayed)
        await conn.execute(
            f"UPDATE {schema}.events SET tx_id = (CASE WHEN event_id::text = ANY($1::text[])"
            f" THEN {RELAYED_TX} ELSE {UNRELAYED_TX} END)::text::xid8",
            relayed,
        )
        await conn.execute(
            f"INSERT INTO {schema}.store_checkpoints (name, tx_id, position)"
            f" SELECT $1, '{RELAYED_TX}'::xid8, coalesce(max(position), 0) FROM {schema}.events"
            " ON CONFLICT (name) DO UPDATE SET tx_id = EXCLUDED.tx_id, position = EXCLUDED.position",
            RELAY_CHECKPOINT,
        )
    extras = sorted(seq for msg_id, seq in in_stream.items() if msg_id not in stored)
    for seq in extras:
        await js.delete_msg(EVENTS_STREAM, seq)
    return len(extras), to_relay


async def restore_site(
    nats_url: str, database_url: str, folder: Path, *, replace: bool = False
) -> RestoreReport:
    """Load a backup into a site whose services are stopped; refuse to overwrite unless ``replace``."""
    manifest = read_manifest(folder)
    nc = await connect(nats_url, "sanji-restore")
    conn = await asyncpg.connect(database_url)
    try:
        await _clear_target(nc, conn, manifest, replace)
        js = nc.jetstream()
        snapshots = [StreamSnapshot(**saved) for saved in manifest["streams"]]
        for snapshot in snapshots:
            # Restored deletable, for the reconcile below; then undeletable again (a one-way switch).
            opened = StreamSnapshot(
                **{**asdict(snapshot), "config": {**snapshot.config, "deny_delete": False}}
            )
            await restore_stream(nc, opened, folder / stream_file(snapshot.name))
        for dump in manifest["schemas"]:
            await restore_schema(database_url, SchemaDump(**dump), folder)
        removed, to_relay = await _reconcile(nc, conn, list(manifest["stores"]))
        for snapshot in snapshots:
            if snapshot.config.get("deny_delete"):
                info = await js.stream_info(snapshot.name)
                info.config.deny_delete = True
                await js.update_stream(config=info.config)
    finally:
        await conn.close()
        await nc.close()
    return RestoreReport(
        [d["schema"] for d in manifest["schemas"]],
        [s["name"] for s in manifest["streams"]],
        removed,
        to_relay,
    )
