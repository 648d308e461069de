"""`sanji service NAME`: run one service in this process, exactly as production runs it."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated, Protocol

import typer

from services import registry


class Runtime(Protocol):
    async def serve_until_signalled(self) -> None: ...


def check_service_name(name: str) -> str:
    """The name unchanged if it is a service; otherwise a usage error that lists the valid names."""
    try:
        return registry.service(name).name
    except registry.UnknownService as error:
        raise typer.BadParameter(str(error)) from None


def _exit_quietly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def run_service(name: str) -> None:
    """Configure logging from the environment and serve until SIGINT or SIGTERM."""
    # A stop request that arrives while modules still load is a clean exit too; once the event loop
    # runs, the runtime's own handlers take over and stop it gracefully.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _exit_quietly)
    from services.eventkit.logs import configure_logging, log_everything_else
    from services.eventkit.settings import ServiceSettings

    configure_logging(name, ServiceSettings().log_level)
    log_everything_else()
    runtime: Runtime = registry.service(name).create_app()  # settings come from the environment
    asyncio.run(runtime.serve_until_signalled())


def register(app: typer.Typer) -> None:
    """Add `sanji service` to ``app``."""

    @app.command("service")
    def service(
        name: Annotated[
            str,
            typer.Argument(
                help=f"which service to run: {', '.join(registry.names())}", callback=check_service_name
            ),
        ],
    ) -> None:
        """Run one service in the foreground (settings from NATS_URL, DATABASE_URL, SANJI_* variables)."""
        run_service(name)
