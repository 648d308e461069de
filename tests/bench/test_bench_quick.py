"""The benchmark runs end to end at tiny sizes and reports every figure; speed is never asserted."""

from __future__ import annotations

import json
import math
from pathlib import Path

from services.bench.main import run
from services.bench.report import FLOORS, RATIOS, SANJI, SERVICES


def test_quick_run_reports_every_figure_and_ratio(tmp_path: Path) -> None:
    output = tmp_path / "r.json"

    assert run(output, quick=True) == 0

    results = json.loads(output.read_text(encoding="utf-8"))
    figures = results["figures"]
    assert set(figures) == set(FLOORS) | set(SANJI)
    for name, figure in figures.items():
        value = figure["value"]
        assert isinstance(value, int | float), name
        assert math.isfinite(value), name
        assert value > 0, name
    assert set(results["ratios"]) == {ratio.name for ratio in RATIOS}
    for name, ratio in results["ratios"].items():
        assert math.isfinite(ratio["value"]), name
        assert ratio["value"] > 0, name
    assert {target["name"] for target in results["targets"]} == {
        "relay_vs_publish",
        "projection_vs_fetch_ack",
        "commands_16_vs_peer",
        "paced_p99",
        "e2e_vs_fetch_ack",
        "e2e_bulk_vs_fetch_ack",
        "assessment_keeps_up",
        "rebuild_events",
        "import_vs_copy",
        *(f"rss_{name}" for name in SERVICES),
    }
    assert all(isinstance(target["met"], bool) for target in results["targets"])
    machine = results["machine"]
    assert machine["cpu_count"] >= 1
    for key in ("python", "nats_server", "postgres"):
        assert machine[key], key
    assert machine["pg_fsync"] == "on"  # floors measured with durable settings
    assert results["details"]["commands_16clients"]["ok"] > 0
    assert results["details"]["commands_paced"]["ok"] > 0
    # the history figures, each beside the floor measured in the same run
    assert results["ratios"]["rebuild_vs_replay"]["floor"] == "js_replay_msgs_per_s"
    assert results["ratios"]["import_vs_copy"]["floor"] == "pg_copy_import_rows_per_s"
    assert results["details"]["rebuild"]["events"] >= results["details"]["commands_16clients"]["ok"]
    assert results["details"]["import"]["rows"] == 200
    per_command = results["details"]["cpu_ms_per_command"]["commands_16clients"]
    assert per_command["outreach"] > 0  # the service's CPU per command, counted
