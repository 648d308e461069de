"""Projection service composition root: every read model of the linked city–county–township views.

Each view module offers PROJECTORS (each with its own checkpoint) and QUERIES (served on
``sanji.qry.projection.<name>``). Add a view by adding its module to VIEWS."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from services.eventkit.projector import Projector
from services.eventkit.runtime import QueryHandler, ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.projection import (
    assessment_view,
    duty_view,
    opinion_view,
    outreach_view,
    records_projector,
    units_view,
)
from services.projection.queries import SCHEMA

VIEWS: list[ModuleType] = [
    units_view,
    outreach_view,
    records_projector,
    opinion_view,
    duty_view,
    assessment_view,
]


class ProjectionSettings(ServiceSettings):
    pass


def projectors() -> list[Projector]:
    return [projector for view in VIEWS for projector in view.PROJECTORS]


def queries() -> dict[str, QueryHandler]:
    return {name: handler for view in VIEWS for name, handler in view.QUERIES.items()}


def definition(schema: str = SCHEMA) -> ServiceDefinition:
    return ServiceDefinition(
        name="projection",
        schema=schema,
        migrations_package="services.projection",
        projectors=projectors(),
        queries=queries(),
    )


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    return ServiceRuntime(definition(), settings or ProjectionSettings(), **options)
