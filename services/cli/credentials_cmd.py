"""`sanji credentials rotate USER`: a new NATS password for one user of the site's embedded server."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

from services.cli import endpoints
from services.cli.supervisor import recorded_process
from services.eventkit.bususers import GATEWAY, SERVICE_CONSUMERS

credentials = typer.Typer(
    help="The NATS users' passwords of the site's embedded server.", no_args_is_help=True
)
DataDir = Annotated[Path, typer.Option("--data-dir", help="where `sanji up` keeps its data")]


@credentials.command("rotate")
def rotate(
    user: Annotated[
        str,
        typer.Argument(help="a service, gateway, an external system, operator, or a county's leaf-c<code>"),
    ],
    data_dir: DataDir = endpoints.DEFAULT_DATA_DIR,
) -> None:
    """Give USER a new password: the server reloads its users (the old password is refused from then on)
    and, under `sanji up`, the user's service is restarted with the new one; an external system's is printed."""
    from services.cli.sites import joined_hub
    from services.eventkit.embedded import EmbeddedServerError, NatsServer
    from services.eventkit.embedded.site_nats import leaf_credentials_file

    folder = data_dir / "nats"
    if not (folder / "nats.conf").exists():
        typer.secho(f"no embedded nats-server in {folder}; for deploy/ see docs/operations.md", err=True)
        raise typer.Exit(1)
    try:
        password = NatsServer(folder, site=joined_hub(folder)).rotate_password(user)
    except EmbeddedServerError as error:
        typer.secho(str(error), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    typer.echo(f"{user}: new password in effect; the old one is refused")
    service = recorded_process(data_dir / "run" / f"service-{user}.pid")
    if (user in SERVICE_CONSUMERS or user == GATEWAY) and service is not None:
        # A graceful stop: the supervisor of `sanji up` starts it again with the new password.
        service.send_signal(signal.SIGTERM)
        typer.echo(f"{user} (pid {service.pid}) restarts with it under sanji up")
    elif user.startswith("leaf-c") and leaf_credentials_file(folder, user.removeprefix("leaf-c")).is_file():
        # The link up now stays up: nats-server checks a leaf's password when it logs in.
        written = leaf_credentials_file(folder, user.removeprefix("leaf-c"))
        typer.echo(f"written to {written}: restart the county's `sanji up --site county` to re-join with it")
    elif user not in SERVICE_CONSUMERS and user != GATEWAY:
        typer.echo(f"hand it to {user}'s operators (shown once): {password}")


def register(app: typer.Typer) -> None:
    """Add `sanji credentials` to ``app``."""
    app.add_typer(credentials, name="credentials")
