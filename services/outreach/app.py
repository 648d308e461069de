"""Outreach service composition root."""

from __future__ import annotations

from typing import Any

from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.outreach.handlers import HANDLERS
from services.outreach.reactions import REACTIONS


class OutreachSettings(ServiceSettings):
    pass


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    definition = ServiceDefinition(
        name="outreach",
        schema="outreach",
        migrations_package="services.outreach",
        commands=dict(HANDLERS),
        reactions=list(REACTIONS),
    )
    return ServiceRuntime(definition, settings or OutreachSettings(), **options)
