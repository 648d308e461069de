"""Back-filled publications, given/when/then: each row passes submit, the three reviews, publish and
views under the live rules, refusals name the row's own field, and a row seen before is a duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from contracts.inputs import validate_input
from contracts.outreach import (
    PublicationPublished,
    PublicationReviewed,
    PublicationSubmitted,
    PublicationViewsRecorded,
)
from contracts.outreach_backfill import RecordPublications
from services.eventkit.bulkrows import report
from services.outreach.domain.past_publications import (
    check_publication_rows,
    decide_record_publications,
    import_publication_id,
)
from services.outreach.domain.publications import Outlet, Publication, evolve_publication

NOW = datetime(2025, 7, 30, 4, tzinfo=UTC)
COUNTY = "3205.320506"
TOWNSHIP = "3205.320506.320506001"
OUTLETS = {"wx-320506": Outlet("wx-320506", COUNTY, "active", date(2024, 1, 1))}


def reviews(*people: str, day: int = 13) -> list[dict[str, Any]]:
    stages = ("first", "second", "third")
    return [
        {"stage": stage, "reviewer": person, "reviewed_at": f"2025-06-{day + i:02d}T02:00:00+00:00"}
        for i, (stage, person) in enumerate(zip(stages, people, strict=False))
    ]


def swapped_times(signed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first two reviews with each other's times: the 复审 then happened before the 初审."""
    first, second, *rest = signed
    return [
        first | {"reviewed_at": second["reviewed_at"]},
        second | {"reviewed_at": first["reviewed_at"]},
        *rest,
    ]


def row(external_id: str, number: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "row": number,
        "external_id": external_id,
        "unit": TOWNSHIP,
        "kind": "article",
        "title": "长桥街道开展低保政策宣讲",
        "outlet_id": "wx-320506",
        "written_by": "陈静",
        "submitted_at": "2025-06-12T02:00:00+00:00",
        "reviews": reviews("王芳", "李强", "张明"),
        "published_on": "2025-06-20",
        "views": 1280,
        "views_as_of": "2025-06-25",
        "backdate_reason": "补录上半年稿件",
    }
    return body | changes


def decide(
    *rows: dict[str, Any], already: dict[str, Publication] | None = None
) -> tuple[Any, dict[str, Any]]:
    command = validate_input(
        RecordPublications, {"source": "office-ledger", "unit": COUNTY, "rows": list(rows)}, NOW
    )
    good, failed = check_publication_rows(command, NOW)
    decisions, outcomes = decide_record_publications(
        good,
        publications=already or {},
        known_units={TOWNSHIP},
        retired={},
        outlets=OUTLETS,
        now=NOW,
    )
    return decisions, report(outcomes + failed)


def test_a_published_piece_is_recorded_stage_by_stage_with_who_and_when() -> None:
    (decision,), result = decide(row("P-1", 2))
    assert result["imported"] == 1
    assert decision.record_id == import_publication_id("office-ledger", "P-1")
    kinds = [event.event_type for event in decision.events]
    assert kinds == [
        PublicationSubmitted.event_type,
        *[PublicationReviewed.event_type] * 3,
        PublicationPublished.event_type,
        PublicationViewsRecorded.event_type,
    ]
    submitted, *signed = decision.events[:4]
    assert isinstance(submitted, PublicationSubmitted)
    assert submitted.submitted_by == "陈静"
    assert submitted.occurred_at == datetime(2025, 6, 12, 2, tzinfo=UTC)
    assert [(e.stage.value, e.reviewer, e.occurred_at.day) for e in signed] == [
        ("first", "王芳", 13),
        ("second", "李强", 14),
        ("third", "张明", 15),
    ]
    assert all(e.backdate_reason == "补录上半年稿件" for e in decision.events[:4])


def test_each_bad_row_fails_on_its_own_field_and_the_good_rows_are_kept() -> None:
    decisions, result = decide(
        row("P-1", 2),
        row("P-2", 3, reviews=reviews("王芳", "王芳", "张明")),  # one person signs two stages
        row("P-3", 4, reviews=reviews("陈静", "李强", "张明")),  # the author reviews
        row("P-4", 5, reviews=swapped_times(reviews("王芳", "李强", "张明"))),  # 复审 signed before 初审
        row("P-5", 6, submitted_at="2025-06-14T02:00:00+00:00"),  # submitted after the first review
        row("P-6", 7, published_on="2025-06-14"),  # published before the 终审
        row("P-7", 8, backdate_reason=None),  # over BACKDATE_DAYS old without a reason
        row("P-8", 9, outlet_id="nope-0001"),
        row("P-9", 10, reviews=reviews("王芳", "李强")),  # two reviews only
        row("P-1", 11),  # the first row again
        row("P-10", 12, unit="3205.320507.320507001"),  # outside the batch's unit
    )
    by_row = {r["row"]: r for r in result["rows"]}
    assert (result["imported"], result["duplicate"], result["failed"]) == (1, 1, 9)
    fields = {number: [e["field"] for e in entry.get("errors", [])] for number, entry in by_row.items()}
    assert fields[3] == ["reviews.1.reviewer"]
    assert fields[4] == ["reviews.0.reviewer"]
    assert fields[5] == ["reviews.1.stage"]
    assert fields[6] == ["reviews.0.reviewed_at"]
    assert fields[7] == ["published_on"]
    assert fields[8] == ["backdate_reason"]
    assert fields[9] == ["outlet_id"]
    assert fields[10] == ["reviews"]
    assert fields[12] == ["unit"]
    assert by_row[11]["status"] == "duplicate"
    assert by_row[11]["publication_id"] == import_publication_id("office-ledger", "P-1")
    assert [d.record_id for d in decisions] == [import_publication_id("office-ledger", "P-1")]


def test_a_row_recorded_before_is_a_duplicate_and_adds_nothing() -> None:
    (first,), _ = decide(row("P-1", 2))
    assert (
        decide(row("P-1", 2), already={first.record_id: Publication()})[1]["imported"] == 1
    )  # never recorded
    recorded = Publication()
    for event in first.events:
        recorded = evolve_publication(recorded, event)
    decisions, result = decide(row("P-1", 2), already={first.record_id: recorded})
    assert decisions == []
    assert [r["status"] for r in result["rows"]] == ["duplicate"]


def proofreads(*people: str, day: int = 14) -> list[dict[str, Any]]:
    return [
        {
            "proofread": number,
            "proofreader": person,
            "proofread_at": f"2025-06-{day}T{6 + number:02d}:00:00+00:00",
        }
        for number, person in enumerate(people, start=1)
    ]


def test_proofreads_are_recorded_between_the_reviews_in_the_order_they_happened() -> None:
    (decision,), result = decide(row("P-1", 2, proofreads=proofreads("周敏", "吴涛", "郑丽")))
    assert result["imported"] == 1
    kinds = [event.event_type.removeprefix("outreach.publication_") for event in decision.events]
    assert kinds == [
        "submitted",
        "reviewed",  # 06-13
        "reviewed",  # 06-14 02:00
        "proofread",  # 06-14 07:00, 08:00, 09:00
        "proofread",
        "proofread",
        "reviewed",  # 06-15
        "published",
        "views_recorded",
    ]


def test_a_proofread_breaking_the_rules_fails_its_row_on_its_own_field() -> None:
    _, result = decide(
        row("P-1", 2, proofreads=proofreads("周敏", "周敏", "郑丽")),  # one person proofreads twice
        row("P-2", 3, proofreads=proofreads("周敏", "吴涛")),  # proofreading begun, not finished
        row("P-3", 4, proofreads=proofreads("周敏", "吴涛", "郑丽", day=11)),  # before submission
    )
    fields = {r["row"]: [e["field"] for e in r.get("errors", [])] for r in result["rows"]}
    assert (result["imported"], result["failed"]) == (0, 3), fields
    assert fields[2] == ["proofreads.1.proofreader"]
    assert fields[4] == ["proofreads.0.proofread_at"]
    assert fields[3] == ["proofreads"]
