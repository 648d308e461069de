"""The embedded PostgreSQL lets in only who proves its password (SCRAM), kept 0600 in the data folder;
a cluster made earlier with trust auth is upgraded when it starts."""

from __future__ import annotations

import stat
from pathlib import Path

import asyncpg
import pytest

from services.eventkit.embedded import PostgresServer


async def _refused_without_password(server: PostgresServer) -> None:
    for url in (
        f"postgresql://postgres@127.0.0.1:{server.port}/{server.database}",
        f"postgresql://postgres:wrong@127.0.0.1:{server.port}/{server.database}",
    ):
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(url, timeout=10)


async def _connects(url: str) -> bool:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return bool(await conn.fetchval("SELECT true"))
    finally:
        await conn.close()


async def test_a_connection_without_the_password_is_refused(pg_server: PostgresServer) -> None:
    await _refused_without_password(pg_server)
    assert await _connects(pg_server.url)
    assert stat.S_IMODE(pg_server.password_path.stat().st_mode) == 0o600
    hba = (pg_server.data_dir / "pg_hba.conf").read_text()
    methods = {line.split()[-1] for line in hba.splitlines() if line.strip() and not line.startswith("#")}
    assert methods == {"scram-sha-256"}


async def test_a_cluster_made_with_trust_is_upgraded_at_start(server_dir: Path) -> None:
    server = PostgresServer(server_dir / "pg", fast=True)
    server.start()
    server.stop()
    # What initdb --auth=trust left before this change: every local connection trusted, no password kept.
    hba = server.data_dir / "pg_hba.conf"
    owner = hba.stat()
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n")
    server.password_path.unlink()

    upgraded = PostgresServer(server_dir / "pg", fast=True)
    upgraded.start()
    try:
        assert (hba.stat().st_uid, hba.stat().st_gid) == (owner.st_uid, owner.st_gid)
        assert "trust" not in hba.read_text()
        assert stat.S_IMODE(upgraded.password_path.stat().st_mode) == 0o600
        await _refused_without_password(upgraded)
        assert await _connects(upgraded.url)
        upgraded.restart()  # the new password holds across restarts
        assert await _connects(upgraded.url)
    finally:
        upgraded.stop()
