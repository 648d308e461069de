"""Bearer tokens: who is calling, the subtree they act in and their roles.

A tokens file is JSON mapping each token to an actor::

    {"dev-city-admin": {"id": "dev-admin@3205", "scope": "3205", "roles": ["admin", "clerk"]}}

The API reads ``Authorization: Bearer <token>``; the pages read the same token from an HttpOnly cookie
set by the /login form.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from pydantic import ValidationError

from contracts.commands import Actor, Role
from contracts.units import parse_unit_path
from services.eventkit.errors import field_errors
from services.gateway.errors import GatewayError

TOKEN_COOKIE = "sanji_token"  # noqa: S105 - the cookie's name, not a secret
MIN_TOKEN_LENGTH = 8


class TokenFileError(ValueError):
    """A tokens file that cannot be used as it is."""


def load_tokens(path: Path) -> dict[str, Actor]:
    """Read a tokens file; raise TokenFileError naming the entry that is wrong."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TokenFileError(f"cannot read tokens file {path}: {error}") from None
    if not isinstance(raw, dict):
        raise TokenFileError(f"tokens file {path} must hold a JSON object mapping token → actor")
    tokens: dict[str, Actor] = {}
    for token, entry in raw.items():
        if len(token) < MIN_TOKEN_LENGTH:
            raise TokenFileError(f"tokens file {path}: a token is shorter than {MIN_TOKEN_LENGTH} characters")
        try:
            tokens[token] = Actor.model_validate(entry)
        except ValidationError as error:
            who = entry.get("id") if isinstance(entry, dict) else None
            reasons = "; ".join(f"{f.field}: {f.reason}" for f in field_errors(error))
            raise TokenFileError(f"tokens file {path}: entry {who or '?'} is invalid: {reasons}") from None
    return tokens


def dev_tokens(city: str) -> dict[str, dict[str, Any]]:
    """Tokens for local use: a city admin holding every role over the whole city."""
    parse_unit_path(city)
    if "." in city:
        raise ValueError(f"{city} is not a city code (e.g. 3205)")
    return {"dev-city-admin": {"id": f"dev-admin@{city}", "scope": city, "roles": sorted(Role)}}


def write_dev_tokens(path: Path, city: str) -> bool:
    """Write the dev tokens file unless one exists already; True when it was written."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    content = json.dumps(dev_tokens(city), ensure_ascii=False, indent=2) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # tokens are secrets
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)
    return True


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class TokenAuthority:
    """Looks tokens up by their SHA-256, so lookups do not leak tokens through timing."""

    def __init__(self, tokens: dict[str, Actor]) -> None:
        self._by_digest = {_digest(token): actor for token, actor in tokens.items()}

    def __len__(self) -> int:
        return len(self._by_digest)

    def actor_for(self, token: str | None) -> Actor | None:
        if not token:
            return None
        wanted = _digest(token)
        for digest, actor in self._by_digest.items():
            if hmac.compare_digest(digest, wanted):
                return actor
        return None


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


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def api_actor(request: Request) -> Actor:
    """FastAPI dependency: the actor of the bearer token, or 401."""
    token = bearer_token(request)
    actor = authority_of(request).actor_for(token)
    if actor is None:
        reason = "the bearer token is not valid" if token else "send Authorization: Bearer <token>"
        raise GatewayError("unauthorized", f"unauthorized: {reason}")
    return actor


async def page_actor(request: Request) -> Actor:
    """FastAPI dependency: the actor of the token cookie, or a redirect to /login."""
    actor = authority_of(request).actor_for(request.cookies.get(TOKEN_COOKIE))
    if actor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target if request.method == "GET" else "/")  # never back to a form POST
    return actor
