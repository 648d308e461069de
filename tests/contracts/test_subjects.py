"""Subjects: unit levels in fixed tokens, `_` where a level does not apply, no aggregate ids."""

from __future__ import annotations

import pytest

from contracts.subjects import (
    EVENTS_SUBJECTS,
    IngestSubjectError,
    command_subject,
    event_filter,
    event_subject,
    ingest_filter,
    ingest_origin,
    ingest_subject,
    query_subject,
)


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` is one token, a final `>` is one or more tokens."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for position, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > position
        if position >= len(tokens) or token not in ("*", tokens[position]):
            return False
    return len(tokens) == len(wanted)


@pytest.mark.parametrize(
    ("unitpath", "subject"),
    [
        ("3205", "sanji.ev.duty.unit_registered.3205._._"),
        ("3205.dept01", "sanji.ev.duty.unit_registered.3205._._"),
        ("3205.320506", "sanji.ev.duty.unit_registered.3205.320506._"),
        ("3205.320506.care_home", "sanji.ev.duty.unit_registered.3205.320506._"),
        ("3205.320506.320506001", "sanji.ev.duty.unit_registered.3205.320506.320506001"),
        ("3205.320506.320506001.dept01.branch", "sanji.ev.duty.unit_registered.3205.320506.320506001"),
    ],
)
def test_event_subject_has_fixed_level_tokens(unitpath: str, subject: str) -> None:
    assert event_subject("duty.unit_registered", unitpath) == subject


def test_event_subject_never_carries_local_codes_or_ids() -> None:
    """Seven tokens, always: local codes and aggregate ids would make the token set unbounded."""
    subjects = {
        event_subject("outreach.activity_logged", f"3205.320506.320506001.dept{n:02d}") for n in range(50)
    }
    assert subjects == {"sanji.ev.outreach.activity_logged.3205.320506.320506001"}
    for path in ("3205", "3205.320506", "3205.320506.320506001.x"):
        assert len(event_subject("outreach.activity_logged", path).split(".")) == 7


def test_a_county_permission_confines_it_to_its_subtree() -> None:
    allowed = "sanji.ev.*.*.3205.320506.>"
    inside = ["3205.320506", "3205.320506.dept01", "3205.320506.320506001", "3205.320506.320506001.x"]
    outside = ["3205", "3205.dept01", "3205.320507", "3205.320507.320507001"]
    for path in inside:
        assert matches(allowed, event_subject("outreach.activity_logged", path)), path
    for path in outside:
        assert not matches(allowed, event_subject("outreach.activity_logged", path)), path


def test_every_event_subject_is_in_the_events_stream() -> None:
    assert matches(EVENTS_SUBJECTS, event_subject("duty.unit_registered", "3205"))


def test_filters_and_other_subjects() -> None:
    assert event_filter("duty") == "sanji.ev.duty.*.>"
    assert event_filter(name="activity_logged") == "sanji.ev.*.activity_logged.>"
    assert matches(event_filter("duty"), event_subject("duty.unit_registered", "3205.320506"))
    assert not matches(event_filter("duty"), event_subject("outreach.activity_logged", "3205"))
    assert command_subject("outreach.log_activity") == "sanji.cmd.outreach.log_activity"
    assert query_subject("projection.units") == "sanji.qry.projection.units"
    assert ingest_subject("outreach", "activity", "elearning", "3205.320506") == (
        "sanji.ingest.outreach.activity.elearning.3205.320506._"
    )
    assert matches(ingest_filter("outreach", "activity"), ingest_subject("outreach", "activity", "x", "3205"))


def test_an_ingest_subject_names_its_sender_and_subtree() -> None:
    subject = ingest_subject("opinion", "item", "monitor", "3205.320506.320506001")
    assert ingest_origin(subject) == ("monitor", "3205.320506.320506001")
    assert ingest_origin("sanji.ingest.opinion.item.monitor.3205._._") == ("monitor", "3205")
    for bad in (
        "sanji.ingest.opinion.item",  # the old shape names nobody
        "sanji.ingest.opinion.item.monitor.3205._.320506001",  # a level after a gap
        "sanji.ingest.opinion.item.monitor.3205.330506._",  # a county outside the city
        "sanji.ingest.opinion.item.monitor._._._",  # no unit at all
    ):
        with pytest.raises(IngestSubjectError):
            ingest_origin(bad)
