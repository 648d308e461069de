"""Projection service composition root: every read model of the linked city–county–township views.

Each view module offers PROJECTORS (each with its own checkpoint) and QUERIES: QuerySpecs, each a
contract of contracts/queries, its handler and the projector whose checkpoint is its freshness,
served on ``sanji.qry.projection.<name>``. Add a view by adding its module to VIEWS."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from services.eventkit.projector import Projector
from services.eventkit.queries import QuerySpec
from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings
from services.projection import (
    assessment_view,
    attention_queries,
    duty_view,
    opinion_view,
    outreach_view,
    records_projector,
    summary_queries,
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
    summary_queries,
    attention_queries,
]


class ProjectionSettings(ServiceSettings):
    pass


def projectors() -> list[Projector]:
    return [projector for view in VIEWS for projector in view.PROJECTORS]


def queries() -> list[QuerySpec]:
    """Every query the views answer: exactly one per contract in contracts/queries (a test holds them equal)."""
    return [spec for view in VIEWS for spec in view.QUERIES]


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
