"""The people `sanji demo` acts as besides its own token: 三审 needs three different reviewers (the third
a leader), and a rectification is closed by a leader's sign-off. Each is a gateway token in the site's
token store, named for the person (the name is the actor's id, so idempotency keys stay theirs from one
run to the next); every run gives them fresh secrets, held only in memory, that expire within a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from contracts.commands import Role
from services.cli import endpoints
from services.gateway.tokens import TokenError, TokenStore

LIFETIME = timedelta(days=1)  # long enough for a demo run; a forgotten secret stops by itself


@dataclass(frozen=True)
class Member:
    part: str  # what the demo asks of them
    name: str  # the token's name: the actor's id
    role: Role


def members(city: str) -> tuple[Member, ...]:
    return (
        Member("first_review", f"demo-editor@{city}", Role.CLERK),  # 初审: 宣传教育处 editor
        Member("second_review", f"demo-chief@{city}", Role.CLERK),  # 复审: the section's head
        Member("leader", f"demo-leader@{city}", Role.LEADER),  # 终审 and rectification sign-off
    )


@dataclass(frozen=True)
class Cast:
    """Bearer secrets by part: first_review, second_review, leader."""

    tokens: dict[str, str]

    def token(self, part: str) -> str:
        return self.tokens[part]


async def cast_in(store: TokenStore, city: str) -> Cast:
    """Create the demo's people in ``store`` (or renew their secrets); TokenError if one was revoked."""
    tokens: dict[str, str] = {}
    until = datetime.now(UTC) + LIFETIME
    for member in members(city):
        try:
            await store.find(member.name)
        except TokenError:
            _, secret = await store.create(
                unit=city, roles=[member.role.value], name=member.name, expires_at=until
            )
        else:
            _, secret = await store.renew(member.name, until)
        tokens[member.part] = secret
    return Cast(tokens)


async def cast_for(database_url: str, city: str) -> Cast:
    store = await TokenStore.open(database_url, max_size=1)
    try:
        return await cast_in(store, city)
    finally:
        await store.close()


async def site_cast(data_dir: Path, city: str) -> tuple[Cast | None, str]:
    """The cast from the site's token store, or None and why not (the demo then leaves out their parts)."""
    try:
        return await cast_for(endpoints.database_url(data_dir), city), ""
    except (TokenError, endpoints.NoServers, OSError, asyncpg.PostgresError) as error:
        return None, str(error)
