"""Settings from the environment: one pydantic-settings class per service, sharing these fields."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=AliasChoices("NATS_URL", "nats_url"))
    # Replies to this process arrive on <prefix>.>: by default _INBOX_<the NATS_URL's user>, the one
    # inbox that user's NATS permissions let it read (services/eventkit/bususers.py).
    nats_inbox_prefix: str | None = Field(
        None, validation_alias=AliasChoices("SANJI_NATS_INBOX_PREFIX", "nats_inbox_prefix")
    )
    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/sanji",
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
    )
    http_host: str = Field("127.0.0.1", validation_alias=AliasChoices("SANJI_HTTP_HOST", "http_host"))
    # 0 = pick a free port (the port actually used is logged); `sanji up` assigns fixed ones.
    http_port: int = Field(0, validation_alias=AliasChoices("SANJI_HTTP_PORT", "http_port"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("SANJI_LOG_LEVEL", "log_level"))
    pool_size: int = Field(10, validation_alias=AliasChoices("SANJI_POOL_SIZE", "pool_size"))
    # The deployment's top unit: the scope of what the service does on its own (timers firing).
    city: str = Field("3205", validation_alias=AliasChoices("SANJI_CITY", "city"))
    # At a city with county sites: the counties that run a site of their own (division codes, comma
    # separated), to which the city hands their cases (services/opinion/handlers/handover.py).
    county_sites: str = Field("", validation_alias=AliasChoices("SANJI_COUNTY_SITES", "county_sites"))

    @property
    def county_site_codes(self) -> frozenset[str]:
        return frozenset(code.strip() for code in self.county_sites.split(",") if code.strip())
