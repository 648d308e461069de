"""Where the operator commands find NATS and PostgreSQL: the environment first, else the embedded
servers a `sanji up` keeps in the data folder (their ports are remembered there)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATA_DIR = Path(".sanji")


class NoServers(RuntimeError):
    """Neither the environment nor the data folder says where the servers are."""


def _remembered_port(folder: Path) -> int | None:
    try:
        return int((folder / "port").read_text().strip())
    except (OSError, ValueError):
        return None


def nats_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    if url := os.environ.get("NATS_URL"):
        return url
    if port := _remembered_port(data_dir / "nats"):
        return f"nats://127.0.0.1:{port}"
    raise NoServers(f"set NATS_URL, or run this where `sanji up` keeps its data ({data_dir})")


def database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    if port := _remembered_port(data_dir / "pg"):
        return f"postgresql://postgres@127.0.0.1:{port}/sanji"
    raise NoServers(f"set DATABASE_URL, or run this where `sanji up` keeps its data ({data_dir})")
