"""Projection service composition root."""

from __future__ import annotations

from typing import Any

from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.projection.queries import QUERIES, SCHEMA
from services.projection.readmodels import UnitsProjector


class ProjectionSettings(ServiceSettings):
    pass


def definition(schema: str = SCHEMA) -> ServiceDefinition:
    return ServiceDefinition(
        name="projection",
        schema=schema,
        migrations_package="services.projection",
        projectors=[UnitsProjector()],
        queries=dict(QUERIES),
    )


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    return ServiceRuntime(definition(), settings or ProjectionSettings(), **options)
