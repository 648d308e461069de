"""Ratios to the raw floors, the issue's targets, and the printed table — all from one results dict,
so the table and bench-results.json always say the same thing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from services import registry

MB = 1024 * 1024
SERVICES = registry.names(registry.benched())
RSS_LIMIT_MB = 150.0

# name: (label, unit)
FLOORS = {
    "js_publish_msgs_per_s": ("JetStream publish_async, every PubAck awaited", "msg/s"),
    "js_fetch_ack_msgs_per_s": ("JetStream durable pull: fetch(500) + ack each", "msg/s"),
    "pg_copy_rows_per_s": ("PostgreSQL COPY, event-shaped rows", "rows/s"),
    "pg_insert_commits_per_s_1conn": ("PostgreSQL 1-row INSERT commits, 1 conn", "commits/s"),
    "pg_insert_commits_per_s_16conn": ("PostgreSQL 1-row INSERT commits, 16 conns", "commits/s"),
    "js_replay_msgs_per_s": ("JetStream replay of every stored event (rebuild's reader)", "msg/s"),
    "pg_copy_import_rows_per_s": ("PostgreSQL COPY of the rows an import wrote", "rows/s"),
}
SANJI = {
    "commands_per_s_1client": ("commands (log_activity), 1 client", "cmd/s"),
    "command_p50_ms_1client": ("  latency p50, 1 client", "ms"),
    "command_p99_ms_1client": ("  latency p99, 1 client", "ms"),
    "commands_per_s_16clients": ("commands (log_activity), 16 clients", "cmd/s"),
    "command_p50_ms_16clients": ("  latency p50, 16 clients", "ms"),
    "command_p99_ms_16clients": ("  latency p99, 16 clients", "ms"),
    "paced_commands_per_s": ("commands at a fixed 200 a second, 1 client each", "cmd/s"),
    "paced_p50_ms": ("  latency p50 at 200 a second", "ms"),
    "paced_p99_ms": ("  latency p99 at 200 a second", "ms"),
    "peer_saves_per_s_sequential": ("pyeventsourcing 9.5.6: 1-event aggregates saved, sequential", "saves/s"),
    "peer_saves_per_s_16threads": ("pyeventsourcing 9.5.6: 1-event aggregates saved, 16 threads", "saves/s"),
    "relay_events_per_s": ("relay draining a backlog", "events/s"),
    "projection_apply_events_per_s": ("projection applying a backlog", "events/s"),
    "e2e_events_per_s": ("end to end: command → visible in projection", "events/s"),
    "e2e_lag_p50_ms": ("  lag p50 (command sent → visible)", "ms"),
    "e2e_lag_p99_ms": ("  lag p99 (command sent → visible)", "ms"),
    "e2e_bulk_events_per_s": ("end to end via bulk import commands → visible", "events/s"),
    "e2e_bulk_lag_p50_ms": ("  lag p50 (bulk command sent → visible)", "ms"),
    "e2e_bulk_lag_p99_ms": ("  lag p99 (bulk command sent → visible)", "ms"),
    "rebuild_events_per_s": ("projection rebuild from every stored event", "events/s"),
    "import_rows_per_s": ("sanji import of a history file (activities)", "rows/s"),
    "assessment_facts_per_s": ("assessment learning a backlog of facts (its reaction consumer)", "events/s"),
    **{f"rss_mb_{name}": (f"RSS at the end, {name}", "MB") for name in SERVICES},
}
ASSESSMENT_TARGET = 200.0  # facts a second: a sustained 200 activities a second must not leave it behind
PACED_P99_TARGET_MS = 25.0  # issue 19: p99 under 25 ms at 200 commands a second
REBUILD_TARGET = 30_000.0  # issue 19: events a second a rebuild replays


@dataclass(frozen=True)
class Ratio:
    name: str
    figure: str
    floor: str
    label: str
    target: float | None = None  # the figure must reach at least this share of the floor


RATIOS = (
    Ratio(
        "relay_vs_publish", "relay_events_per_s", "js_publish_msgs_per_s", "relay / publish_async floor", 0.7
    ),
    Ratio(
        "projection_vs_fetch_ack",
        "projection_apply_events_per_s",
        "js_fetch_ack_msgs_per_s",
        "projection apply / pull fetch+ack floor",
        0.7,
    ),
    Ratio(
        "projection_vs_copy",
        "projection_apply_events_per_s",
        "pg_copy_rows_per_s",
        "projection apply / COPY floor",
    ),
    Ratio(
        "e2e_vs_fetch_ack",
        "e2e_events_per_s",
        "js_fetch_ack_msgs_per_s",
        "end to end, one event a command / pull fetch+ack floor",
        0.2,
    ),
    Ratio(
        "e2e_bulk_vs_fetch_ack",
        "e2e_bulk_events_per_s",
        "js_fetch_ack_msgs_per_s",
        "end to end, bulk import / pull fetch+ack floor",
        0.2,
    ),
    Ratio(
        "commands_1_vs_insert_1",
        "commands_per_s_1client",
        "pg_insert_commits_per_s_1conn",
        "commands 1 client / INSERT commits 1 conn",
    ),
    Ratio(
        "commands_16_vs_insert_16",
        "commands_per_s_16clients",
        "pg_insert_commits_per_s_16conn",
        "commands 16 clients / INSERT commits 16 conns",
    ),
    Ratio(
        "commands_16_vs_peer",
        "commands_per_s_16clients",
        "peer_saves_per_s_sequential",
        "commands 16 clients / pyeventsourcing sequential saves",
        4.0,
    ),
    Ratio(
        "commands_1_vs_peer",
        "commands_per_s_1client",
        "peer_saves_per_s_sequential",
        "commands 1 client / pyeventsourcing sequential saves",
    ),
    Ratio(
        "commands_16_vs_peer_threads",
        "commands_per_s_16clients",
        "peer_saves_per_s_16threads",
        "commands 16 clients / pyeventsourcing saves from 16 threads",
    ),
    Ratio(
        "rebuild_vs_replay", "rebuild_events_per_s", "js_replay_msgs_per_s", "rebuild / replay fetch floor"
    ),
    Ratio(
        "import_vs_copy",
        "import_rows_per_s",
        "pg_copy_import_rows_per_s",
        "sanji import / COPY of the same rows",
        0.5,
    ),
)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def assess(floors: dict[str, float], sanji: dict[str, float]) -> dict[str, Any]:
    """Figures with labels, ratios to their floors, and the targets marked met or missed."""
    values = floors | sanji
    figures = {
        name: {"value": values[name], "unit": unit, "label": label, "kind": kind}
        for kind, table in (("floor", FLOORS), ("sanji", SANJI))
        for name, (label, unit) in table.items()
    }
    shares = {r.name: values[r.figure] / values[r.floor] for r in RATIOS}
    ratios = {
        r.name: {
            "value": shares[r.name],
            "figure": r.figure,
            "floor": r.floor,
            "label": r.label,
        }
        for r in RATIOS
    }
    targets = [
        {
            "name": r.name,
            "label": f"{r.label} ≥ {r.target:.0%}" if r.target < 1 else f"{r.label} ≥ {r.target:g}x",
            "value": shares[r.name],
            "threshold": r.target,
            "met": shares[r.name] >= r.target,
        }
        for r in RATIOS
        if r.target is not None
    ]
    targets += [
        {
            "name": f"rss_{name}",
            "label": f"{name} RSS < {RSS_LIMIT_MB:.0f} MB",
            "value": values[f"rss_mb_{name}"],
            "threshold": RSS_LIMIT_MB,
            "met": values[f"rss_mb_{name}"] < RSS_LIMIT_MB,
        }
        for name in SERVICES
    ]
    targets.append(
        {
            "name": "paced_p99",
            "label": f"command p99 at 200 a second < {PACED_P99_TARGET_MS:.0f} ms",
            "value": values["paced_p99_ms"],
            "threshold": PACED_P99_TARGET_MS,
            "met": values["paced_p99_ms"] < PACED_P99_TARGET_MS,
        }
    )
    targets.append(
        {
            "name": "rebuild_events",
            "label": f"projection rebuild ≥ {REBUILD_TARGET:,.0f} events/s",
            "value": values["rebuild_events_per_s"],
            "threshold": REBUILD_TARGET,
            "met": values["rebuild_events_per_s"] >= REBUILD_TARGET,
        }
    )
    targets.append(
        {
            "name": "assessment_keeps_up",
            "label": f"assessment learns ≥ {ASSESSMENT_TARGET:.0f} facts/s",
            "value": values["assessment_facts_per_s"],
            "threshold": ASSESSMENT_TARGET,
            "met": values["assessment_facts_per_s"] >= ASSESSMENT_TARGET,
        }
    )
    return {"figures": figures, "ratios": ratios, "targets": targets}


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def render(results: dict[str, Any]) -> str:
    """The human-readable table."""
    m = results["machine"]
    lines = [
        f"Sanji benchmark{' (quick: tiny sizes, figures not meaningful)' if results['quick'] else ''}",
        f"  {m['cpu_count']} CPUs, Python {m['python']}, nats-server {m['nats_server']}, "
        f"PostgreSQL {m['postgres']} "
        f"(fsync={m['pg_fsync']}, synchronous_commit={m['pg_synchronous_commit']})",
        f"  payload {results['details']['payload_bytes']} bytes (a real ActivityLogged envelope); "
        f"run took {results['elapsed_seconds']:.0f} s",
        "",
        "Raw floors",
    ]
    figures = results["figures"]
    for name, (label, unit) in FLOORS.items():
        lines.append(f"  {label:<50} {_number(figures[name]['value']):>10} {unit}")
    lines += ["", "Sanji"]
    for name, (label, unit) in SANJI.items():
        lines.append(f"  {label:<50} {_number(figures[name]['value']):>10} {unit}")
    lines += ["", "Ratios to floors and to the peer"]
    for ratio in results["ratios"].values():
        shown = f"{ratio['value']:.2f}x" if ratio["floor"].startswith("peer_") else f"{ratio['value']:.1%}"
        lines.append(f"  {ratio['label']:<50} {shown:>10}")
    lines += ["", "Targets"]
    for target in results["targets"]:
        if target["threshold"] < 1:
            shown = f"{target['value']:.1%}"
        elif target["name"].endswith("_vs_peer"):
            shown = f"{target['value']:.2f}x"
        elif target["name"] == "paced_p99":
            shown = f"{target['value']:.1f} ms"
        elif target["name"].startswith("rss_"):
            shown = f"{target['value']:.0f} MB"
        else:
            shown = f"{target['value']:,.0f}/s"
        lines.append(f"  {target['label']:<50} {shown:>10}  {'met' if target['met'] else 'MISSED'}")
    return "\n".join(lines + _notes(results["details"]))


def _notes(details: dict[str, Any]) -> list[str]:
    """Where the time and the CPU went: the details the ratios alone do not show."""
    lines = ["", "Where it went"]
    e2e = details["end_to_end"]
    lines.append(
        f"  end to end: command p50/p99 {e2e['command_p50_ms']:.1f}/{e2e['command_p99_ms']:.1f} ms, then "
        f"reply → visible p50/p99 {e2e['after_reply_lag_p50_ms']:.1f}/{e2e['after_reply_lag_p99_ms']:.1f} ms"
    )
    for what, key in (("relay (outreach)", "relay_rounds"), ("projection", "projection_rounds")):
        cores = ", ".join(f"{r['cores_used']:.2f}" for r in details[key])
        lines.append(f"  {what} process while draining: {cores} cores (per round; 1.00 = one busy core)")
    for phase, per_process in details["cpu_ms_per_command"].items():
        used = ", ".join(f"{name} {value:.2f}" for name, value in per_process.items() if name != "total")
        lines.append(f"  CPU ms per command in {phase}: {used} (total {per_process['total']:.2f})")
    for phase, cores in details["cpu_cores"].items():
        used = ", ".join(f"{name} {value:.2f}" for name, value in cores.items() if name != "total")
        lines.append(f"  cores used in {phase}: {used} (total {cores['total']:.2f})")
    return lines
