"""`sanji service NAME`: run one service in this process, exactly as production runs it."""

from __future__ import annotations

import asyncio
import importlib
import signal
from typing import Annotated, Any, Protocol

import typer

# name → module holding its composition root (`create_app`); imported only for the service that runs.
SERVICES: dict[str, str] = {
    "duty": "services.duty.app",
    "outreach": "services.outreach.app",
    "projection": "services.projection.app",
    "gateway": "services.gateway.app",
    "opinion": "services.opinion.app",
    "assessment": "services.assessment.app",
}


class Runtime(Protocol):
    async def serve_until_signalled(self) -> None: ...


def check_service_name(name: str) -> str:
    """The name unchanged if it is a service; otherwise a usage error that lists the valid names."""
    if name not in SERVICES:
        valid = ", ".join(SERVICES)
        raise typer.BadParameter(f"unknown service {name!r}; choose one of: {valid}")
    return name


def _exit_quietly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def run_service(name: str) -> None:
    """Configure logging from the environment and serve until SIGINT or SIGTERM."""
    # A stop request that arrives while modules still load is a clean exit too; once the event loop
    # runs, the runtime's own handlers take over and stop it gracefully.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_quietly)
    from services.eventkit.logs import configure_logging
    from services.eventkit.settings import ServiceSettings

    configure_logging(name, ServiceSettings().log_level)
    module: Any = importlib.import_module(SERVICES[name])
    runtime: Runtime = module.create_app()  # each service reads its own settings from the environment
    asyncio.run(runtime.serve_until_signalled())


def register(app: typer.Typer) -> None:
    """Add `sanji service` to ``app``."""

    @app.command("service")
    def service(
        name: Annotated[
            str,
            typer.Argument(help=f"which service to run: {', '.join(SERVICES)}", callback=check_service_name),
        ],
    ) -> None:
        """Run one service in the foreground (settings from NATS_URL, DATABASE_URL, SANJI_* variables)."""
        run_service(name)
