"""Gateway settings: the shared service settings plus the tokens file and a fixed default HTTP port."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from services.eventkit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    # The gateway is the front door: a fixed, well-known port unless SANJI_HTTP_PORT says otherwise.
    http_port: int = Field(8000, validation_alias=AliasChoices("SANJI_HTTP_PORT", "http_port"))
    tokens_file: Path | None = Field(None, validation_alias=AliasChoices("SANJI_TOKENS_FILE", "tokens_file"))
