"""Runs one Sanji service in the foreground until SIGINT/SIGTERM: the benchmark's service processes.

``python -m services.bench.serve <name>`` (a registered service), configured from the environment
(NATS_URL, DATABASE_URL, SANJI_HTTP_PORT, ...) like any deployed service. With SANJI_BENCH_PROFILE set
to a folder, the service runs under cProfile and leaves ``<folder>/<service>.prof`` when it stops.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import sys
from pathlib import Path

from services import registry
from services.eventkit.logs import configure_logging, log_everything_else
from services.eventkit.settings import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in registry.names():
        print(f"usage: python -m services.bench.serve {{{'|'.join(registry.names())}}}", file=sys.stderr)
        return 2
    name = args[0]
    configure_logging(name, ServiceSettings().log_level)
    log_everything_else()
    info = registry.service(name)
    profile_dir = os.environ.get("SANJI_BENCH_PROFILE")
    profiler = cProfile.Profile() if profile_dir else None
    if profiler is not None:
        profiler.enable()
    try:
        # settings=None: each service reads its own settings class from the environment.
        asyncio.run(info.create_app(None).serve_until_signalled())
    finally:
        if profiler is not None and profile_dir:
            profiler.disable()
            profiler.dump_stats(Path(profile_dir) / f"{name}.prof")
    return 0


if __name__ == "__main__":
    sys.exit(main())
