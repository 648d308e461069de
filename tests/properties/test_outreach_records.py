"""The activity taxonomy and meetings under any sequence of commands: only named refusals, a version per
change, an activity takes a subtype exactly when it is current; a bulk record reports every row once."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.outreach import ActivityKind, LogActivity
from contracts.outreach_meetings import MeetingKind, MeetingRecorded, RecordMeetings
from contracts.outreach_taxonomy import DefineActivitySubtype, RetireActivitySubtype
from contracts.registry import DomainEvent
from services.eventkit.bulkrows import report
from services.eventkit.errors import DomainError
from services.outreach.domain.activities import Activity, decide_log_activity
from services.outreach.domain.meetings import check_meeting_rows, decide_record_meetings
from services.outreach.domain.taxonomy import (
    Taxonomy,
    decide_define_subtype,
    decide_retire_subtype,
    evolve_taxonomy,
)
from tests.properties.streams import Stream, state_is_its_events

CITY = "3205"
TOWNSHIP = "3205.320506.320506001"
TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 4, tzinfo=UTC)
KINDS = st.sampled_from([ActivityKind.BRANCH_STUDY, ActivityKind.COMMUNITY_EVENT])
SUBTYPES = st.sampled_from(["onsite_teaching", "youth_sharing", "film_screening"])
NAMES = st.sampled_from(["现场教学", "民政青年说", "红色电影进养老院"])

define = st.builds(
    lambda kind, subtype, name, reason: DefineActivitySubtype(
        unit=CITY, kind=kind, subtype=subtype, name=name, reason=reason
    ),
    KINDS,
    SUBTYPES,
    NAMES,
    st.sampled_from([None, "统一名称"]),
)
retire = st.builds(
    lambda kind, subtype: RetireActivitySubtype(unit=CITY, kind=kind, subtype=subtype, reason="停用"),
    KINDS,
    SUBTYPES,
)


def decide_taxonomy(
    taxonomy: Taxonomy, command: DefineActivitySubtype | RetireActivitySubtype
) -> list[DomainEvent]:
    if isinstance(command, DefineActivitySubtype):
        return decide_define_subtype(taxonomy, True, command)
    return decide_retire_subtype(taxonomy, True, command)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(define, retire), max_size=12), KINDS, SUBTYPES)
def test_an_activity_takes_a_subtype_exactly_when_it_is_current(
    commands: list[DefineActivitySubtype | RetireActivitySubtype], kind: ActivityKind, subtype: str
) -> None:
    stream = Stream(Taxonomy(), evolve_taxonomy)
    for command in commands:
        stream.attempt(functools.partial(decide_taxonomy, command=command))
    state_is_its_events(stream)
    taxonomy = stream.state
    assert taxonomy.version == stream.version  # every change, and only a change, is a new version
    names = [name for (k, _), name in taxonomy.names.items() if k is kind]
    assert len(names) == len(set(names))  # no two subtypes of one kind share a name
    current = (kind, subtype) in taxonomy.names and (kind, subtype) not in taxonomy.retired
    log = LogActivity(
        activity_id="act-00001",
        unit=TOWNSHIP,
        kind=kind,
        subtype=subtype,
        topic="学习",
        held_on=TODAY,
        audience=5,
    )
    refusals: list[str | None] = []
    try:
        decide_log_activity(Activity(), True, TODAY, log, taxonomy=taxonomy)
    except DomainError as refusal:
        refusals.append(refusal.field)
    assert refusals == ([] if current else ["subtype"])


def meeting_row(external_id: str, days_back: int, attendance: int, reason: bool) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "kind": MeetingKind.SITUATION_ANALYSIS.value,
        "held_on": (TODAY - timedelta(days=days_back)).isoformat(),
        "attendance": attendance,
        "attendees": ["张明", "李华"],
        "topics": ["形势研判"],
    }
    if reason:
        facts["backdate_reason"] = "补录"
    return {"external_id": external_id, "unit": TOWNSHIP, "facts": facts}


rows = st.lists(
    st.builds(
        meeting_row,
        st.sampled_from(["M-1", "M-2", "M-3", "M-4"]),
        st.integers(-3, 400),
        st.integers(0, 5),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(rows)
def test_a_bulk_record_reports_every_row_once_and_lands_each_record_once(batch: list[dict[str, Any]]) -> None:
    command = RecordMeetings(source="ledger", unit=TOWNSHIP, rows=batch)
    good, failed = check_meeting_rows(command, NOW)
    decisions, outcomes = decide_record_meetings(
        "ledger", good, meetings={}, known_units={TOWNSHIP}, today=TODAY
    )
    result = report(outcomes + failed)
    assert result["imported"] + result["duplicate"] + result["failed"] == len(batch)
    assert [r["row"] for r in result["rows"]] == list(range(1, len(batch) + 1))
    assert len({d.record_id for d in decisions}) == len(decisions) == result["imported"]
    for decision in decisions:  # a landed meeting is never more than 30 days old without its reason
        (event,) = decision.events
        assert isinstance(event, MeetingRecorded)
        facts = event.facts
        assert (TODAY - facts.held_on).days <= 30 or facts.backdate_reason
