"""The one list of Sanji's services: what `sanji up`, `service`, `verify`, `dlq`, the bench, the
gateway, the tests and the docs know about each. Add a service here and everything else follows.

Nothing is imported at import time: a service's module is loaded only when that service is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


class UnknownService(LookupError):
    """A name that is not one of the registered services."""

    def __init__(self, name: str, choices: tuple[str, ...]) -> None:
        super().__init__(f"unknown service {name!r}; choose one of: {', '.join(choices)}")
        self.name, self.choices = name, choices


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    app_module: str  # the module whose create_app(settings, **options) is the service's composition root
    schema: str | None  # the PostgreSQL schema it owns (None: it owns none)
    event_store: bool  # keeps an event store whose streams carry sha256 hash chains (`sanji verify`)
    consumers: tuple[str, ...] = ()  # durable JetStream consumers it reads with (named in dead letters)
    benched: bool = False  # run by `sanji bench`, whose workload (log_activity) goes through it

    def create_app(self, settings: Any = None, **options: Any) -> Any:
        """Import the service's composition root and build its runtime (no I/O until start)."""
        return importlib.import_module(self.app_module).create_app(settings, **options)


# In start order: the projection first (it only reads), the gateway last (it needs the others).
SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo(
        "projection", "services.projection.app", schema="projection", event_store=False, benched=True
    ),
    ServiceInfo("duty", "services.duty.app", schema="duty", event_store=True, benched=True),
    ServiceInfo(
        "outreach",
        "services.outreach.app",
        schema="outreach",
        event_store=True,
        consumers=("outreach-units", "outreach-outlets"),
        benched=True,
    ),
    ServiceInfo(
        "opinion",
        "services.opinion.app",
        schema="opinion",
        event_store=True,
        consumers=("opinion-units", "opinion-handovers"),
    ),
    ServiceInfo(
        "assessment",
        "services.assessment.app",
        schema="assessment",
        event_store=True,
        consumers=("assessment-facts",),
    ),
    ServiceInfo("gateway", "services.gateway.app", schema=None, event_store=False),
)


def names(services: tuple[ServiceInfo, ...] = SERVICES) -> tuple[str, ...]:
    """The services' names, in start order."""
    return tuple(info.name for info in services)


def service(name: str) -> ServiceInfo:
    """The registered service called ``name``, or UnknownService listing the valid names."""
    for info in SERVICES:
        if info.name == name:
            return info
    raise UnknownService(name, names())


def with_event_store() -> tuple[ServiceInfo, ...]:
    """The services whose stores keep hash-chained events, in start order."""
    return tuple(info for info in SERVICES if info.event_store)


def store(name: str) -> ServiceInfo:
    """The registered service with an event store called ``name``, or UnknownService naming those."""
    stores = with_event_store()
    for info in stores:
        if info.name == name:
            return info
    raise UnknownService(name, names(stores))


def benched() -> tuple[ServiceInfo, ...]:
    """The services the benchmark runs, in start order."""
    return tuple(info for info in SERVICES if info.benched)


def owner_of_consumer(consumer: str) -> str | None:
    """The service that reads with durable consumer ``consumer`` (None for a name nobody registered)."""
    return next((info.name for info in SERVICES if consumer in info.consumers), None)


def query_names() -> tuple[str, ...]:
    """Every query the services answer, as ``<service>.<name>`` (on ``sanji.qry.<service>.<name>``), read
    from each service's ServiceDefinition.queries: building a runtime does no I/O."""
    found: list[str] = []
    for info in SERVICES:
        definition = getattr(info.create_app(), "definition", None)  # the gateway has none: it asks
        if definition is not None:
            found += [f"{definition.name}.{spec.name}" for spec in definition.queries]
    return tuple(sorted(found))
