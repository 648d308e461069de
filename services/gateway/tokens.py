"""Tokens people manage (``sanji tokens``), kept in the gateway's own schema.

A token's secret is 32 random bytes; only its sha256 is stored. A secret that random cannot be guessed
from its digest, so a plain digest is enough (a salt or a slow hash guards low-entropy passwords, which
these are not). Each token has a name, one unit scope, roles, and may expire, be revoked or rotated.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from contracts.commands import Actor, Role
from contracts.units import UnitPathError, parse_unit_path
from services.eventkit.db import create_pool
from services.eventkit.migrations import migrate, migrations_in

SCHEMA = "gateway"
SECRET_PREFIX = "sanji_"  # noqa: S105 - a marker that makes a leaked secret easy to recognise, not a secret
DEV_SECRET = "dev-city-admin"  # noqa: S105 - the documented development token `sanji up` creates
TOKEN_ID = re.compile(r"^[0-9a-f]{12}\Z")
TOKEN_NAME = re.compile(r"^[\w.@-]{1,64}\Z")  # \w includes Chinese letters: names may be people's
ROLE_NAMES = frozenset(role.value for role in Role)


class TokenError(ValueError):
    """A token operation refused, with a reason an operator can act on."""


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class TokenRecord:
    id: str
    name: str
    unit: str
    roles: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def actor(self) -> Actor | None:
        """Who the token proves; None when none of its stored roles is one this version knows."""
        known = frozenset(Role(role) for role in self.roles if role in ROLE_NAMES)
        return Actor(id=self.name, scope=self.unit, roles=known) if known else None


COLUMNS = "id, name, unit, roles, created_at, expires_at, revoked_at, rotated_at, last_used_at"


def _record(row: asyncpg.Record) -> TokenRecord:
    return TokenRecord(**{key: row[key] for key in COLUMNS.split(", ")} | {"roles": tuple(row["roles"])})


def checked_fields(name: str, unit: str, roles: list[str]) -> tuple[str, str, list[str]]:
    """The name, unit and roles of a new token, or TokenError naming the one that is wrong."""
    if not TOKEN_NAME.match(name) or TOKEN_ID.match(name):
        raise TokenError(
            f"name {name!r}: 1–64 letters, digits, _ . @ - (and not 12 hex digits, which read as an id)"
        )
    try:
        parse_unit_path(unit)
    except UnitPathError as error:
        raise TokenError(f"unit: {error}") from None
    unknown = sorted(set(roles) - ROLE_NAMES)
    if unknown or not roles:
        raise TokenError(f"roles: give one or more of {', '.join(Role)} (not {', '.join(unknown) or 'none'})")
    return name, unit, sorted(set(roles))


class TokenStore:
    """The tokens table: create, list, revoke, rotate, and the gateway's lookup by digest."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, database_url: str, max_size: int = 4) -> TokenStore:
        """A store on a new pool, the gateway's schema migrated first (idempotent, serialized)."""
        pool = await create_pool(database_url, min_size=1, max_size=max_size)
        try:
            async with pool.acquire() as conn:
                await migrate(conn, SCHEMA, migrations_in("services.gateway", prefix="gateway/"))
        except BaseException:
            await pool.close()
            raise
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def create(
        self,
        *,
        unit: str,
        roles: list[str],
        name: str | None = None,
        expires_at: datetime | None = None,
        secret: str | None = None,
    ) -> tuple[TokenRecord, str]:
        """A new token and its secret (shown this once: only its digest is kept)."""
        token_id = secrets.token_hex(6)
        name, unit, roles = checked_fields(name or f"token-{token_id}", unit, roles)
        if expires_at is not None and expires_at <= datetime.now(UTC):
            raise TokenError(f"expires: {expires_at.isoformat()} has already passed")
        secret = secret or new_secret()
        try:
            row = await self.pool.fetchrow(
                f"INSERT INTO {SCHEMA}.tokens (id, name, secret_sha256, unit, roles, expires_at)"
                f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}",
                token_id,
                name,
                digest(secret),
                unit,
                roles,
                expires_at,
            )
        except asyncpg.UniqueViolationError:
            raise TokenError(f"name {name!r} is taken: choose another or rotate that token") from None
        assert row is not None
        return _record(row), secret

    async def ensure(self, *, name: str, secret: str, unit: str, roles: list[str]) -> bool:
        """Store a token with a known secret unless its name or secret is stored already; True if added.
        An existing one is left as it is, so a token revoked since is never brought back."""
        name, unit, roles = checked_fields(name, unit, roles)
        added = await self.pool.fetchval(
            f"INSERT INTO {SCHEMA}.tokens (id, name, secret_sha256, unit, roles) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT DO NOTHING RETURNING true",
            secrets.token_hex(6),
            name,
            digest(secret),
            unit,
            roles,
        )
        return bool(added)

    async def all(self) -> list[TokenRecord]:
        rows = await self.pool.fetch(f"SELECT {COLUMNS} FROM {SCHEMA}.tokens ORDER BY unit, name")
        return [_record(row) for row in rows]

    async def find(self, which: str) -> TokenRecord:
        """The token whose id or name is ``which``, or TokenError."""
        rows = await self.pool.fetch(
            f"SELECT {COLUMNS} FROM {SCHEMA}.tokens WHERE id = $1 OR name = $1", which
        )
        if not rows:
            raise TokenError(f"no token has the id or name {which!r} (see `sanji tokens list`)")
        return _record(rows[0])

    async def revoke(self, which: str) -> TokenRecord:
        """Revoke a token for good; revoking it again changes nothing."""
        found = await self.find(which)
        row = await self.pool.fetchrow(
            f"UPDATE {SCHEMA}.tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1"
            f" RETURNING {COLUMNS}",
            found.id,
        )
        assert row is not None
        return _record(row)

    async def rotate(self, which: str) -> tuple[TokenRecord, str]:
        """A new secret for a usable token; the old secret stops working."""
        found = await self.find(which)
        if (state := found.state(datetime.now(UTC))) != "active":
            raise TokenError(f"token {found.name} is {state}: create a new one instead")
        secret = new_secret()
        row = await self.pool.fetchrow(
            f"UPDATE {SCHEMA}.tokens SET secret_sha256 = $2, rotated_at = now() WHERE id = $1"
            f" RETURNING {COLUMNS}",
            found.id,
            digest(secret),
        )
        assert row is not None
        return _record(row), secret

    async def renew(self, which: str, expires_at: datetime | None) -> tuple[TokenRecord, str]:
        """A new secret and expiry for a token that is not revoked (an expired one comes back under the
        same name, so its idempotency keys stay its own); the old secret stops working."""
        found = await self.find(which)
        if found.revoked_at is not None:
            raise TokenError(f"token {found.name} is revoked: it stays so")
        secret = new_secret()
        row = await self.pool.fetchrow(
            f"UPDATE {SCHEMA}.tokens SET secret_sha256 = $2, expires_at = $3, rotated_at = now()"
            f" WHERE id = $1 AND revoked_at IS NULL RETURNING {COLUMNS}",
            found.id,
            digest(secret),
            expires_at,
        )
        if row is None:
            raise TokenError(f"token {found.name} was revoked meanwhile: it stays so")
        return _record(row), secret

    async def by_digest(self, secret_digest: bytes) -> TokenRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {COLUMNS} FROM {SCHEMA}.tokens WHERE secret_sha256 = $1", secret_digest
        )
        return _record(row) if row is not None else None

    async def note_use(self, token_id: str) -> None:
        """Record a use, at most once a minute per token whichever gateway process saw it."""
        await self.pool.execute(
            f"UPDATE {SCHEMA}.tokens SET last_used_at = now() WHERE id = $1"
            " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
            token_id,
        )


def describe(record: TokenRecord, now: datetime) -> dict[str, Any]:
    """What `sanji tokens list` shows of a token: never its secret."""
    return {
        "id": record.id,
        "name": record.name,
        "unit": record.unit,
        "roles": ",".join(record.roles),
        "expires": record.expires_at.isoformat(timespec="minutes") if record.expires_at else "never",
        "last_use": record.last_used_at.isoformat(timespec="minutes") if record.last_used_at else "never",
        "state": record.state(now),
    }
