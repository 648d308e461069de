"""What the figures were measured on: they mean little without it."""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import platform
import subprocess
from typing import Any

import psutil

from services.eventkit.db import create_pool
from services.eventkit.embedded import nats_server_binary

PG_SETTINGS = ("server_version", "fsync", "synchronous_commit", "full_page_writes")


async def machine_info(database_url: str) -> dict[str, Any]:
    """CPU, memory, Python, server versions and PostgreSQL's durability settings."""
    done = await asyncio.to_thread(
        subprocess.run, [nats_server_binary(), "--version"], capture_output=True, text=True, check=False
    )
    pool = await create_pool(database_url, max_size=1)
    try:
        pg = {setting: await pool.fetchval(f"SHOW {setting}") for setting in PG_SETTINGS}
    finally:
        await pool.close()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_physical": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "nats_server": done.stdout.strip().removeprefix("nats-server: "),
        "nats_py": importlib.metadata.version("nats-py"),
        "postgres": pg["server_version"],
        "pg_fsync": pg["fsync"],
        "pg_synchronous_commit": pg["synchronous_commit"],
        "pg_full_page_writes": pg["full_page_writes"],
        "asyncpg": importlib.metadata.version("asyncpg"),
    }
