"""Who may download an evidence file. The bytes are stored once by their sha256 (outreach_files.py);
each upload grants the file to the unit it was uploaded for, and a download is answered only for an
actor whose subtree holds one of those units: a hash alone opens nothing."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from fastapi import Request

from services.gateway.errors import GatewayError
from services.gateway.tokens import SCHEMA


@dataclass(frozen=True)
class Grant:
    sha256: str
    unit: str
    filename: str
    content_type: str


class EvidenceGrants:
    """The evidence_grants table in the gateway's schema."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def grant(self, grant: Grant, uploaded_by: str) -> None:
        """Grant a stored file to a unit; the unit's first upload names it."""
        await self.pool.execute(
            f"INSERT INTO {SCHEMA}.evidence_grants (sha256, unit, filename, content_type, uploaded_by)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256, unit) DO NOTHING",
            grant.sha256,
            grant.unit,
            grant.filename,
            grant.content_type,
            uploaded_by,
        )

    async def visible(self, sha256: str, scope: str) -> Grant | None:
        """The grant of the file to a unit in ``scope`` (the nearest the top first), if any."""
        row = await self.pool.fetchrow(
            f"SELECT sha256, unit, filename, content_type FROM {SCHEMA}.evidence_grants"
            " WHERE sha256 = $1 AND (unit = $2 OR starts_with(unit, $2 || '.'))"
            " ORDER BY length(unit), unit LIMIT 1",
            sha256,
            scope,
        )
        return Grant(**dict(row)) if row is not None else None


def grants_of(request: Request) -> EvidenceGrants:
    grants: EvidenceGrants | None = getattr(request.app.state, "evidence", None)
    if grants is None:
        raise GatewayError("unavailable", "the gateway has not started yet")
    return grants
