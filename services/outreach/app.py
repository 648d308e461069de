"""Outreach service composition root."""

from __future__ import annotations

from typing import Any

from contracts.ingest import kinds_of
from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.outreach import tables
from services.outreach.handlers import HANDLERS
from services.outreach.reactions import REACTIONS

# What other systems may publish on sanji.ingest.outreach.<kind>.<system>.<unit tokens> (contracts/ingest.py).
INGEST = kinds_of("outreach")


class OutreachSettings(ServiceSettings):
    pass


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    definition = ServiceDefinition(
        name="outreach",
        schema=tables.SCHEMA,
        migrations_package="services.outreach",
        commands=dict(HANDLERS),
        reactions=list(REACTIONS),
        ingest=dict(INGEST),
    )
    return ServiceRuntime(definition, settings or OutreachSettings(), **options)
