"""Per-schema migrations: the shared event-store tables first, then the service's own ``sql/`` files.
Applied at start, recorded with a checksum, idempotent, and serialized across processes."""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

from services.eventkit.db import Conn

log = logging.getLogger(__name__)
SCHEMA_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationChanged(RuntimeError):
    """An applied migration's file was edited afterwards: add a new migration instead."""


def check_schema_name(schema: str) -> str:
    if not schema or not set(schema) <= SCHEMA_NAME_CHARS or schema[0].isdigit():
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


def migrations_in(package: str, prefix: str = "") -> list[Migration]:
    """The ``*.sql`` files in ``<package>/sql`` sorted by name (``001_x.sql`` …)."""
    folder: Traversable = resources.files(package).joinpath("sql")
    if not folder.is_dir():
        return []
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(prefix + f.name, f.read_text(encoding="utf-8")) for f in files]


def service_migrations(service_package: str | None) -> list[Migration]:
    shared = migrations_in("services.eventkit", prefix="eventkit/")
    own = migrations_in(service_package, prefix="service/") if service_package else []
    return shared + own


async def migrate(conn: Conn, schema: str, migrations: list[Migration]) -> list[str]:
    """Create ``schema`` if needed and apply what is not yet applied; return the names applied now."""
    check_schema_name(schema)
    applied_now: list[str] = []
    lock_key = zlib.crc32(f"sanji-migrate:{schema}".encode())
    async with conn.transaction():
        # One migrator per schema at a time, even when several processes start together.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key)
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations ("
            " name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        rows = await conn.fetch(f"SELECT name, checksum FROM {schema}.schema_migrations")
        done = {row["name"]: row["checksum"] for row in rows}
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        for migration in migrations:
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    raise MigrationChanged(
                        f"{schema}: migration {migration.name} changed after it was applied"
                    )
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                f"INSERT INTO {schema}.schema_migrations (name, checksum) VALUES ($1, $2)",
                migration.name,
                migration.checksum,
            )
            applied_now.append(migration.name)
    if applied_now:
        log.info("migrations applied", extra={"schema": schema, "migrations": applied_now})
    return applied_now
