"""Where the operator commands find NATS and PostgreSQL: the environment first, else the embedded
servers a `sanji up` keeps in the data folder (their ports and the operator's credentials are kept there)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from services.eventkit.bususers import OPERATOR, load_passwords
from services.eventkit.embedded import PG_PASSWORD_FILE

DEFAULT_DATA_DIR = Path(".sanji")


class NoServers(RuntimeError):
    """Neither the environment nor the data folder says where the servers are."""


def _remembered_port(folder: Path) -> int | None:
    try:
        return int((folder / "port").read_text().strip())
    except (OSError, ValueError):
        return None


def _kept_secret(read: Callable[[], str | None]) -> str:
    try:
        secret = read()
    except OSError:
        secret = None
    if not secret:
        raise NoServers("the data folder keeps no credentials for its servers; run `sanji up` there once")
    return secret


def nats_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """NATS_URL, else the embedded server as the operator (full rights: dlq, rebuild, verify)."""
    if url := os.environ.get("NATS_URL"):
        return url
    if port := _remembered_port(data_dir / "nats"):
        password = _kept_secret(lambda: load_passwords(data_dir / "nats").get(OPERATOR))
        return f"nats://{OPERATOR}:{password}@127.0.0.1:{port}"
    raise NoServers(f"set NATS_URL, or run this where `sanji up` keeps its data ({data_dir})")


def database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    if port := _remembered_port(data_dir / "pg"):
        password = _kept_secret(lambda: (data_dir / "pg" / PG_PASSWORD_FILE).read_text().strip())
        return f"postgresql://postgres:{password}@127.0.0.1:{port}/sanji"
    raise NoServers(f"set DATABASE_URL, or run this where `sanji up` keeps its data ({data_dir})")
