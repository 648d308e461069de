"""The token store and authority on a real PostgreSQL: hashed secrets, expiry, revocation seen within
the cache's two seconds, last use written at most once a minute, the old tokens file imported once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contracts.commands import Role
from services.gateway.auth import CACHE_SECONDS, LAST_USE_EVERY, TokenAuthority
from services.gateway.settings import GatewaySettings
from services.gateway.tokens import SCHEMA, TokenError, TokenStore, digest
from services.gateway.tokens_file import TokenFileError, ensure_dev_token, import_tokens_file, load_tokens
from tests.helpers import wait_until


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[TokenStore]:
    opened = await TokenStore.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


class Clock:
    """A monotonic clock the test moves by hand (the authority's cache and last-use timing)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_only_the_digest_of_a_secret_is_stored(store: TokenStore) -> None:
    record, secret = await store.create(unit="3205.320506", roles=["clerk"], name="wang")
    assert secret.startswith("sanji_")
    assert len(secret) >= 40
    row = await store.pool.fetchrow(f"SELECT * FROM {SCHEMA}.tokens WHERE id = $1", record.id)
    assert row is not None
    assert row["secret_sha256"] == digest(secret)
    assert secret not in json.dumps({k: str(v) for k, v in dict(row).items()})
    actor = record.actor()
    assert actor is not None
    assert (actor.id, actor.scope, actor.roles) == ("wang", "3205.320506", frozenset({Role.CLERK}))


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"unit": "3205.9", "roles": ["clerk"]}, "unit"),
        ({"unit": "3205", "roles": ["boss"]}, "roles"),
        ({"unit": "3205", "roles": []}, "roles"),
        ({"unit": "3205", "roles": ["clerk"], "name": "a b"}, "name"),
        ({"unit": "3205", "roles": ["clerk"], "name": "0123456789ab"}, "read as an id"),
        ({"unit": "3205", "roles": ["clerk"], "expires_at": datetime(2020, 1, 1, tzinfo=UTC)}, "passed"),
    ],
)
async def test_bad_tokens_are_refused_with_a_reason(
    store: TokenStore, fields: dict[str, object], complaint: str
) -> None:
    with pytest.raises(TokenError, match=complaint):
        await store.create(**fields)  # type: ignore[arg-type]
    assert await store.all() == []


async def test_a_name_is_taken_once(store: TokenStore) -> None:
    await store.create(unit="3205", roles=["viewer"], name="li")
    with pytest.raises(TokenError, match="taken"):
        await store.create(unit="3205.320506", roles=["clerk"], name="li")


async def test_revoked_and_expired_tokens_stop_within_the_cache_time(store: TokenStore) -> None:
    clock = Clock()
    authority = TokenAuthority(store, clock=clock)
    _, revoked_secret = await store.create(unit="3205", roles=["leader"], name="to-revoke")
    soon = datetime.now(UTC) + timedelta(seconds=1)
    _, expiring_secret = await store.create(unit="3205", roles=["leader"], name="to-expire", expires_at=soon)
    assert await authority.actor_for(revoked_secret) is not None
    assert await authority.actor_for(expiring_secret) is not None
    await store.revoke("to-revoke")

    async def expired() -> bool:  # the clock stands still: the cached record itself must be refused
        return await authority.actor_for(expiring_secret) is None

    await wait_until(expired, timeout=10, message="an expired token was still accepted")
    assert await authority.actor_for(revoked_secret) is not None  # cached: revocation shows after 2 s
    clock.now += CACHE_SECONDS
    assert await authority.actor_for(revoked_secret) is None
    assert [r.state(datetime.now(UTC)) for r in await store.all()] == ["expired", "revoked"]


async def test_rotation_replaces_the_secret(store: TokenStore) -> None:
    clock = Clock()
    authority = TokenAuthority(store, clock=clock)
    record, old = await store.create(unit="3205", roles=["assessor"], name="scorer")
    assert await authority.actor_for(old) is not None
    rotated, new = await store.rotate(record.id)
    assert (rotated.id, rotated.name) == (record.id, record.name)
    assert await authority.actor_for(new) is not None
    clock.now += CACHE_SECONDS
    assert await authority.actor_for(old) is None
    await store.revoke("scorer")
    with pytest.raises(TokenError, match="revoked"):
        await store.rotate("scorer")


async def test_last_use_is_written_at_most_once_a_minute(store: TokenStore) -> None:
    clock = Clock()
    authority = TokenAuthority(store, clock=clock)
    record, secret = await store.create(unit="3205", roles=["viewer"], name="reader")
    assert (await store.find(record.id)).last_used_at is None
    await authority.actor_for(secret)
    first = (await store.find(record.id)).last_used_at
    assert first is not None
    await store.pool.execute(  # as if that use were long ago: only the authority's own pacing holds now
        f"UPDATE {SCHEMA}.tokens SET last_used_at = last_used_at - interval '1 hour' WHERE id = $1", record.id
    )
    for _ in range(5):
        clock.now += CACHE_SECONDS  # every lookup goes to the database, yet no use is written
        await authority.actor_for(secret)
    assert (await store.find(record.id)).last_used_at == first - timedelta(hours=1)
    clock.now += LAST_USE_EVERY
    await authority.actor_for(secret)
    assert (await store.find(record.id)).last_used_at > first  # type: ignore[operator]


async def test_the_dev_token_is_created_once_and_never_revived(store: TokenStore) -> None:
    assert await ensure_dev_token(store, "3205") is True
    authority = TokenAuthority(store)
    actor = await authority.actor_for("dev-city-admin")
    assert actor is not None
    assert (actor.id, actor.scope, actor.roles) == ("dev-admin@3205", "3205", frozenset(Role))
    await store.revoke("dev-admin@3205")
    assert await ensure_dev_token(store, "3205") is False  # `sanji up` again: still revoked
    assert (await store.find("dev-admin@3205")).revoked_at is not None


@pytest.mark.parametrize("city", ["3205.320506", "32", "abc"])
async def test_the_dev_token_needs_a_city_code(store: TokenStore, city: str) -> None:
    with pytest.raises(ValueError):
        await ensure_dev_token(store, city)


async def test_the_old_tokens_file_is_imported_once(store: TokenStore, tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    entry = {"id": "clerk@320506", "scope": "3205.320506", "roles": ["clerk"]}
    path.write_text(json.dumps({"file-secret-1234": entry}), encoding="utf-8")
    assert await import_tokens_file(store, path) == ["clerk@320506"]
    await store.revoke("clerk@320506")
    assert await import_tokens_file(store, path) == []  # a restart with the file still there
    assert await TokenAuthority(store).actor_for("file-secret-1234") is None


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("[]", "JSON object"),
        ("{not json", "cannot read"),
        (json.dumps({"short": {"id": "a", "scope": "3205", "roles": ["clerk"]}}), "shorter"),
        (
            json.dumps({"long-enough-token": {"id": "a", "scope": "3205.9", "roles": ["clerk"]}}),
            "entry a is invalid: scope",
        ),
        (
            json.dumps({"long-enough-token": {"id": "b", "scope": "3205", "roles": ["boss"]}}),
            "entry b is invalid: roles",
        ),
    ],
)
def test_bad_tokens_files_are_refused_with_a_reason(tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokenFileError, match=complaint):
        load_tokens(path)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANJI_HTTP_PORT", raising=False)
    monkeypatch.delenv("SANJI_TOKENS_FILE", raising=False)
    defaults = GatewaySettings()
    assert defaults.http_port == 8000
    assert defaults.tokens_file is None
    monkeypatch.setenv("SANJI_HTTP_PORT", "8123")
    monkeypatch.setenv("SANJI_TOKENS_FILE", "/etc/sanji/tokens.json")
    configured = GatewaySettings()
    assert configured.http_port == 8123
    assert configured.tokens_file == Path("/etc/sanji/tokens.json")
