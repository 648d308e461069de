"""Opinion service composition root."""

from __future__ import annotations

from typing import Any

from contracts.commands import Command
from contracts.opinion import FileNilReport, IngestItem
from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.opinion.handlers import HANDLERS
from services.opinion.ladder import TIMERS
from services.opinion.reactions import REACTIONS

# What monitoring systems publish on sanji.ingest.opinion.<kind> (request/reply, acting as SYSTEM):
# captured items, deduplicated by source + external id, and the daily nil reports of their posts.
INGEST: dict[str, type[Command]] = {"item": IngestItem, "nil_report": FileNilReport}


class OpinionSettings(ServiceSettings):
    pass


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    definition = ServiceDefinition(
        name="opinion",
        schema="opinion",
        migrations_package="services.opinion",
        commands=dict(HANDLERS),
        reactions=list(REACTIONS),
        timers=dict(TIMERS),
        ingest=dict(INGEST),
    )
    return ServiceRuntime(definition, settings or OpinionSettings(), **options)
