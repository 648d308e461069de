"""Bearer tokens: who is calling, the subtree they act in and their roles.

Tokens live in the gateway's schema (services/gateway/tokens.py, managed with `sanji tokens`). A lookup
is cached for two seconds, so a token created, revoked or rotated takes effect within about two seconds
without a restart while most requests cost no query. The API reads ``Authorization: Bearer <token>``;
the pages read the same token from an HttpOnly cookie set by the /login form.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

import asyncpg
from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.commands import Actor
from services.gateway.errors import GatewayError
from services.gateway.tokens import TokenRecord, TokenStore, digest

log = logging.getLogger(__name__)
TOKEN_COOKIE = "sanji_token"  # noqa: S105 - the cookie's name, not a secret
CACHE_SECONDS = 2.0
LAST_USE_EVERY = 60.0  # last use is written at most once a minute per token, never per request
MAX_SECRET_LENGTH = 256
MAX_CACHED = 10_000  # random guesses cannot grow the cache without bound


@dataclass(frozen=True)
class Cached:
    record: TokenRecord | None
    fetched_at: float


class TokenAuthority:
    """Finds the actor of a secret by the secret's sha256 (a dict and index lookup on a digest leak
    nothing about the secret through timing), refusing revoked and expired tokens."""

    def __init__(self, store: TokenStore | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self._clock = store, clock
        self._cache: dict[bytes, Cached] = {}
        self._used_at: dict[str, float] = {}

    async def actor_for(self, secret: str | None) -> Actor | None:
        if not secret or len(secret) > MAX_SECRET_LENGTH or self.store is None:
            return None
        record = await self._record(digest(secret))
        if record is None or record.state(datetime.now(UTC)) != "active":
            return None
        await self._note_use(record.id)
        return record.actor()

    async def _record(self, key: bytes) -> TokenRecord | None:
        assert self.store is not None
        now = self._clock()
        cached = self._cache.get(key)
        if cached is None or now - cached.fetched_at >= CACHE_SECONDS:
            try:
                record = await self.store.by_digest(key)
            except (OSError, asyncpg.PostgresError):
                log.exception("cannot look tokens up")
                raise GatewayError("unavailable", "tokens cannot be checked right now; try again") from None
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            cached = self._cache[key] = Cached(record, now)
        return cached.record

    async def _note_use(self, token_id: str) -> None:
        assert self.store is not None
        now = self._clock()
        if now - self._used_at.get(token_id, -LAST_USE_EVERY) < LAST_USE_EVERY:
            return
        self._used_at[token_id] = now
        try:
            await self.store.note_use(token_id)
        except (OSError, asyncpg.PostgresError):  # the request goes on; the next minute tries again
            log.warning("cannot record a token's last use", exc_info=True)
            self._used_at.pop(token_id, None)


class LoginRequiredError(Exception):
    """A page was asked for without a valid token cookie: send the person to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url

    @property
    def login_url(self) -> str:
        return "/login?next=" + quote(self.next_url, safe="/")


def authority_of(request: Request) -> TokenAuthority:
    authority: TokenAuthority = request.app.state.authority
    return authority


# Declares the scheme in the OpenAPI document and applies it to every route that asks for an api_actor.
# auto_error=False: a missing or malformed header is our own 401 in the API's error shape, not FastAPI's.
BEARER = HTTPBearer(
    scheme_name="bearer",
    description="A token issued with `sanji tokens create`: it names the actor, the subtree it acts in "
    "and its roles. Send `Authorization: Bearer <token>`.",
    auto_error=False,
)


async def api_actor(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
) -> Actor:
    """FastAPI dependency: the actor of the bearer token, or 401."""
    token = credentials.credentials.strip() if credentials is not None else None
    actor = await authority_of(request).actor_for(token)
    if actor is None:
        reason = "the bearer token is not valid" if token else "send Authorization: Bearer <token>"
        raise GatewayError("unauthorized", f"unauthorized: {reason}")
    return actor


async def page_actor(request: Request) -> Actor:
    """FastAPI dependency: the actor of the token cookie, or a redirect to /login."""
    actor = await authority_of(request).actor_for(request.cookies.get(TOKEN_COOKIE))
    if actor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target if request.method == "GET" else "/")  # never back to a form POST
    return actor
