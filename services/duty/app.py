"""Duty service composition root."""

from __future__ import annotations

from typing import Any

from services.duty import tables
from services.duty.handlers import HANDLERS, TIMERS
from services.duty.handlers.report_timers import arm_missing_report_timers
from services.eventkit.runtime import ServiceDefinition, ServiceRuntime
from services.eventkit.settings import ServiceSettings


class DutySettings(ServiceSettings):
    pass


def create_app(settings: ServiceSettings | None = None, **options: Any) -> ServiceRuntime:
    definition = ServiceDefinition(
        name="duty",
        schema=tables.SCHEMA,
        migrations_package="services.duty",
        commands=dict(HANDLERS),
        timers=dict(TIMERS),
        on_start=[arm_missing_report_timers],
    )
    return ServiceRuntime(definition, settings or DutySettings(), **options)
