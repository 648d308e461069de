"""The old tokens file (SANJI_TOKENS_FILE), kept for compatibility: read at the gateway's start and
imported into the tokens table once. Its entries are JSON mapping each token to an actor::

    {"some-long-secret": {"id": "clerk@320506", "scope": "3205.320506", "roles": ["clerk"]}}

Each becomes a token named by the actor's id. A name or secret stored already is left alone, so a token
revoked or rotated with `sanji tokens` stays so across restarts even while the file still lists it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import ValidationError

from contracts.commands import Actor, Role
from contracts.units import parse_unit_path
from services.eventkit.errors import field_errors
from services.gateway.tokens import DEV_SECRET, TokenStore

log = logging.getLogger(__name__)
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


async def import_tokens_file(store: TokenStore, path: Path) -> list[str]:
    """Store the file's tokens not stored yet; the names added now."""
    added = []
    for secret, actor in load_tokens(path).items():
        roles = sorted(role.value for role in actor.roles)
        if await store.ensure(name=actor.id, secret=secret, unit=actor.scope, roles=roles):
            added.append(actor.id)
    log.warning(
        "SANJI_TOKENS_FILE is deprecated: its tokens are now in the database; manage them with"
        " `sanji tokens` and delete the file",
        extra={"tokens_file": str(path), "imported": added},
    )
    return added


async def ensure_dev_token(store: TokenStore, city: str) -> bool:
    """The development token `sanji up` creates: a city admin holding every role; True when added now."""
    parse_unit_path(city)
    if "." in city:
        raise ValueError(f"{city} is not a city code (e.g. 3205)")
    roles = sorted(role.value for role in Role)
    return await store.ensure(name=f"dev-admin@{city}", secret=DEV_SECRET, unit=city, roles=roles)
