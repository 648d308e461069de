"""`sanji service NAME`: an unknown name is a usage error that lists the valid ones."""

from __future__ import annotations

import os
import subprocess
import sys

from services import registry


def test_unknown_service_exits_2_listing_the_valid_names() -> None:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "service", "bogus"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    message = " ".join(done.stderr.replace("│", " ").split())
    assert "unknown service 'bogus'" in message
    assert f"choose one of: {', '.join(registry.names())}" in message
    assert "Traceback" not in done.stderr
