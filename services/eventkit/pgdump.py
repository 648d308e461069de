"""pg_dump and pg_restore per schema, every schema dumped from one exported snapshot (so the files agree
with each other as if taken at one instant), with the binaries of the pgserver wheel unless PG_BIN says."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

SYSTEM_SCHEMAS = "nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')"


class DumpError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries its stderr."""


@dataclass(frozen=True)
class SchemaDump:
    schema: str
    file: str
    sha256: str
    size: int


def pg_binary(name: str) -> str:
    """PG_BIN/<name> when set (an external server's own tools), else the pgserver wheel's."""
    if folder := os.environ.get("PG_BIN"):
        return str(Path(folder) / name)
    from services.eventkit.embedded.postgres_server import postgres_bin_dir

    return str(postgres_bin_dir() / name)


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries the password (not the command line)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


async def _run(argv: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise DumpError(f"{Path(argv[0]).name} failed ({process.returncode}): {stderr.decode()[-2000:]}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@asynccontextmanager
async def exported_snapshot(database_url: str) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A repeatable-read transaction kept open, and the id other sessions (pg_dump) can join it by."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            yield conn, await conn.fetchval("SELECT pg_export_snapshot()")
    finally:
        await conn.close()


async def application_schemas(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(f"SELECT nspname FROM pg_namespace WHERE {SYSTEM_SCHEMAS} ORDER BY nspname")
    return [row["nspname"] for row in rows]


async def dump_schema(database_url: str, snapshot: str, schema: str, folder: Path) -> SchemaDump:
    """One schema in pg_dump's custom format, as of ``snapshot``."""
    target, env = libpq_target(database_url)
    path = folder / f"{schema}.pgdump"
    argv = [pg_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--schema={schema}"]
    await _run([*argv, "--no-owner", "--no-privileges", f"--file={path}", f"--dbname={target}"], env)
    return SchemaDump(schema, path.name, sha256_of(path), path.stat().st_size)


async def restore_schema(database_url: str, dump: SchemaDump, folder: Path) -> None:
    """Load one schema's dump in a single transaction (all of it or nothing)."""
    path = folder / dump.file
    if sha256_of(path) != dump.sha256:
        raise DumpError(f"{path} does not match the checksum in the manifest")
    target, env = libpq_target(database_url)
    argv = [pg_binary("pg_restore"), "--single-transaction", "--no-owner", "--no-privileges"]
    await _run([*argv, "--exit-on-error", f"--dbname={target}", str(path)], env)
