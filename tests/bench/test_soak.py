"""`sanji bench --soak SECONDS` runs and prints each figure it promises; the figures are never asserted."""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from services.cli.main import app

PROMISED = [
    r"soak: 3 s at [\d.]+ commands/s \(half the measured end-to-end [\d.]+ events/s\)",
    *(
        rf"rss {name}\s+start\s+[\d.]+ MB\s+end\s+[\d.]+ MB\s+growth\s+[+-][\d.]+%"
        for name in ("duty", "outreach", "projection")
    ),
    r"projection lag \(command sent → visible\): p50 \d+ ms\s+p90 \d+ ms\s+p99 \d+ ms\s+max \d+ ms",
    r"sent \d+\s+acknowledged \d+\s+refused or unanswered \d+\s+counted \d+\s+lost 0",
    r"memory flat \(under 10% growth after warm-up\): (yes|no)",
]


def test_a_short_soak_prints_rss_lag_percentiles_and_what_was_lost() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "bench", "--soak", "3"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    for line in PROMISED:
        assert re.search(line, done.stdout), f"{line!r} not in\n{done.stdout}"


def test_a_soak_of_no_time_is_refused_naming_the_option() -> None:
    result = CliRunner().invoke(app, ["bench", "--soak", "0"])
    assert result.exit_code == 2
    assert "--soak" in result.output
