"""Assessment service composition root."""

from __future__ import annotations

from typing import Any

from services.assessment import tables
from services.assessment.handlers import HANDLERS
from services.assessment.reactions import REACTIONS
from services.assessment.rescorer import Rescorer
from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    pass


def rescorer(runtime: ServiceRuntime) -> Rescorer:
    return Rescorer(runtime.store, scope=runtime.settings.city, clock=runtime.clock)


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    definition = ServiceDefinition(
        name="assessment",
        schema=tables.SCHEMA,
        migrations_package="services.assessment",
        commands=dict(HANDLERS),
        reactions=list(REACTIONS),
        workers=[rescorer],
    )
    return ServiceRuntime(definition, settings or AssessmentSettings(), **options)
