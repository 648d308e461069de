"""Tokens files, the dev tokens `sanji up` writes, and the gateway's settings from the environment."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from contracts.commands import Actor, Role
from services.gateway.auth import TokenAuthority, TokenFileError, dev_tokens, load_tokens, write_dev_tokens
from services.gateway.settings import GatewaySettings


def test_dev_tokens_give_a_city_admin_every_role(tmp_path: Path) -> None:
    assert dev_tokens("3205") == {
        "dev-city-admin": {"id": "dev-admin@3205", "scope": "3205", "roles": sorted(Role)}
    }
    path = tmp_path / "state" / "tokens.json"
    assert write_dev_tokens(path, "3205") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    actor = load_tokens(path)["dev-city-admin"]
    assert actor.scope == "3205"
    assert actor.roles == frozenset(Role)
    path.write_text("{}", encoding="utf-8")
    assert write_dev_tokens(path, "3205") is False  # an existing file is never overwritten
    assert path.read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("city", ["3205.320506", "32", "abc"])
def test_dev_tokens_need_a_city_code(city: str) -> None:
    with pytest.raises(ValueError):
        dev_tokens(city)


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


def test_authority_finds_actors_by_token() -> None:
    actor = Actor(id="one", scope="3205", roles=frozenset({Role.LEADER}))
    authority = TokenAuthority({"token-one-1234": actor})
    assert len(authority) == 1
    assert authority.actor_for("token-one-1234") == actor
    assert authority.actor_for("token-one-123") is None
    assert authority.actor_for(None) is None
    assert authority.actor_for("") is None


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
