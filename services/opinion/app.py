"""Opinion service composition root."""

from __future__ import annotations

from typing import Any

from contracts.ingest import kinds_of
from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.opinion import tables
from services.opinion.handlers import HANDLERS, TIMERS
from services.opinion.handlers.handover import handing_over, route_for
from services.opinion.reactions import DECIDING, REACTIONS

# What other systems may publish on sanji.ingest.opinion.<kind>.<system>.<unit tokens> (contracts/ingest.py).
INGEST = kinds_of("opinion")


class OpinionSettings(ServiceSettings):
    pass


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    settings = settings or OpinionSettings()
    definition = ServiceDefinition(
        name="opinion",
        schema=tables.SCHEMA,
        migrations_package="services.opinion",
        commands=handing_over(HANDLERS, route_for(settings.city, settings.county_site_codes)),
        reactions=list(REACTIONS),
        deciding=list(DECIDING),
        timers=dict(TIMERS),
        ingest=dict(INGEST),
    )
    return ServiceRuntime(definition, settings, **options)
