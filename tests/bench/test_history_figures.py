"""The rebuild and import figures are printed with their floors, their ratios and their targets."""

from __future__ import annotations

from services.bench.report import FLOORS, SANJI, assess, render


def test_rebuild_and_import_appear_with_their_floor_ratio_and_target() -> None:
    values = dict.fromkeys(FLOORS, 1000.0) | dict.fromkeys(SANJI, 10.0)
    values |= {
        "js_replay_msgs_per_s": 40_000.0,
        "rebuild_events_per_s": 20_000.0,
        "pg_copy_import_rows_per_s": 80_000.0,
        "import_rows_per_s": 48_000.0,
    }
    assessed = assess({name: values[name] for name in FLOORS}, {name: values[name] for name in SANJI})

    assert assessed["ratios"]["rebuild_vs_replay"]["value"] == 0.5
    assert assessed["ratios"]["import_vs_copy"]["value"] == 0.6
    targets = {target["name"]: target for target in assessed["targets"]}
    assert targets["rebuild_events"]["met"] is False  # 20,000 < 30,000 events/s
    assert targets["import_vs_copy"]["met"] is True  # 60% ≥ 50% of COPY
    details = {
        "payload_bytes": 1,
        "end_to_end": dict.fromkeys(
            ("command_p50_ms", "command_p99_ms", "after_reply_lag_p50_ms", "after_reply_lag_p99_ms"), 1.0
        ),
        "relay_rounds": [],
        "projection_rounds": [],
        "cpu_ms_per_command": {},
        "cpu_cores": {},
    }
    machine = dict.fromkeys(("cpu_count", "python", "nats_server", "postgres", "pg_fsync"), "x")
    machine["pg_synchronous_commit"] = "on"
    table = render(
        {"quick": False, "elapsed_seconds": 1.0, "machine": machine, "details": details} | assessed
    )

    assert "projection rebuild from every stored event" in table
    assert "sanji import / COPY of the same rows" in table
    assert "60.0%" in table
    assert "projection rebuild ≥ 30,000 events/s" in table
    assert "MISSED" in table
