"""Bulk import rules: each row on its own; duplicates by (source, external id); good rows kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from contracts.outreach import ActivityLogged, LogActivities, LogActivity
from services.outreach.domain import Activity
from services.outreach.domain.imports import RowStatus, check_rows, decide_import, import_activity_id, report

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 4, tzinfo=UTC)
TOWNSHIP = "3205.320506.320506001"


def row(external_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": external_id,
        "unit": TOWNSHIP,
        "kind": "training",
        "topic": "社会救助经办人员业务培训",
        "held_on": "2025-05-20",
        "audience": 40,
    }
    return body | changes


def batch(*rows: dict[str, Any]) -> LogActivities:
    return LogActivities(source="elearning", unit="3205.320506", rows=list(rows))


def run(command: LogActivities, already: dict[str, str] | None = None) -> tuple[list[Any], dict[str, Any]]:
    good, failed = check_rows(command, NOW)
    decisions, outcomes = decide_import(
        command.source,
        good,
        already_imported=already or {},
        activities={},
        known_units={TOWNSHIP, "3205.320506"},
        today=TODAY,
    )
    return decisions, report(outcomes + failed)


def test_the_activity_id_is_derived_from_source_and_external_id() -> None:
    assert import_activity_id("elearning", "A-1") == import_activity_id("elearning", "A-1")
    assert import_activity_id("elearning", "A-1") != import_activity_id("hotline", "A-1")
    assert len(import_activity_id("elearning", "x" * 128)) <= 64


def test_bad_rows_are_reported_by_row_and_field_and_good_rows_kept() -> None:
    command = batch(
        row("A-1", row=2),
        row("A-2", row=3, held_on="2025-02-30"),
        row("A-3", row=4, audience=-5, kind="picnic"),
        row("A-4", row=5, unit="3205.320507.320507001"),  # another county: outside this import's unit
        row("A-5", row=6, held_on="2025-07-09"),  # the future
        row("A-6", row=7, unit="3205.320506.320506009"),  # not registered
        row("A-7", row=8, colour="red"),
        row("A-8", row=9),
    )
    decisions, result = run(command)
    assert [d.row.row.external_id for d in decisions] == ["A-1", "A-8"]
    assert (result["imported"], result["duplicate"], result["failed"]) == (2, 0, 6)
    errors = {r["row"]: {e["field"] for e in r["errors"]} for r in result["rows"] if r["status"] == "failed"}
    assert errors == {
        3: {"held_on"},
        4: {"audience", "kind"},
        5: {"unit"},
        6: {"held_on"},
        7: {"unit"},
        8: {"colour"},
    }
    assert [r["row"] for r in result["rows"]] == list(range(2, 10))


def test_a_row_seen_before_or_twice_in_a_batch_is_a_duplicate_not_an_error() -> None:
    earlier = {"A-1": import_activity_id("elearning", "A-1")}
    decisions, result = run(batch(row("A-1"), row("A-2"), row("A-2", topic="改过的主题")), earlier)
    assert [d.row.row.external_id for d in decisions] == ["A-2"]
    assert [r["status"] for r in result["rows"]] == ["duplicate", "imported", "duplicate"]
    assert result["rows"][0]["activity_id"] == earlier["A-1"]
    assert result["rows"][2]["activity_id"] == import_activity_id("elearning", "A-2")


def test_rows_without_numbers_are_numbered_by_their_place_in_the_batch() -> None:
    _, result = run(batch(row("A-1"), {"external_id": "A-2"}, "not even an object"))  # type: ignore[arg-type]
    assert [(r["row"], r["status"]) for r in result["rows"]] == [
        (1, "imported"),
        (2, "failed"),
        (3, "failed"),
    ]


def test_an_imported_row_becomes_an_activity_logged_with_its_source() -> None:
    decisions, _ = run(batch(row("A-1", participants=["张三"], duration_minutes=120)))
    (event,) = decisions[0].events
    assert isinstance(event, ActivityLogged)
    assert (event.source, event.external_id) == ("elearning", "A-1")
    assert event.activity_id == import_activity_id("elearning", "A-1")
    assert (event.participants, event.duration_minutes) == (["张三"], 120)
    assert RowStatus.IMPORTED.value == "imported"


def test_an_imported_row_gives_the_event_a_validated_log_command_would() -> None:
    """The row's command is built without validating it again (the row was): same event either way."""
    body = row("A-2", participants=["李四"], venue="镇政府", evidence=["a" * 64], starts_at="14:00")
    decisions, _ = run(batch(body))
    (event,) = decisions[0].events
    fields = {k: v for k, v in body.items() if k != "external_id"}
    command = LogActivity.model_validate(fields | {"activity_id": import_activity_id("elearning", "A-2")})
    expected = ActivityLogged.model_validate(
        command.model_dump() | {"source": "elearning", "external_id": "A-2"}
    )
    assert event == expected
    assert event.model_dump(mode="json") == expected.model_dump(mode="json")


def test_an_activity_already_logged_under_that_id_fails_the_row() -> None:
    good, _ = check_rows(batch(row("A-1")), NOW)
    taken = {good[0].record_id: Activity(activity_id=good[0].record_id, facts=good[0].row.facts())}
    decisions, outcomes = decide_import(
        "elearning", good, already_imported={}, activities=taken, known_units={TOWNSHIP}, today=TODAY
    )
    assert decisions == []
    assert outcomes[0].status is RowStatus.FAILED
