"""Assessment events for read-side tests, written the way the assessment service will write them: appended
to a PostgreSQL event store in the ``assessment`` schema and relayed to JetStream by the real relay."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from contracts.assessment import (
    BulletinPublished,
    BulletinRow,
    Explanation,
    FactRef,
    Line,
    ScoreComputed,
)
from contracts.envelope import new_event_id
from contracts.registry import DomainEvent
from contracts.subjects import EVENTS_STREAM
from services.eventkit.client import SanjiClient
from services.eventkit.relay import Relay
from tests.eventkit.events import event_envelope
from tests.eventkit.rig import Rig, rig
from tests.helpers import wait_until

SCHEMA = "assessment"


def explanation(points: float, *, vetoed: bool = False, adjustment: float = 0) -> Explanation:
    """A small but complete explanation: two indicators, a deduction, maybe a veto and an adjustment."""
    fact = FactRef(subject="activity:a-17", on_date=date(2026, 3, 2), events=[new_event_id()])
    indicators = [
        Line(
            id="talks",
            name="宣讲活动",
            kind="quota",
            points=points - 30,
            max_points=70,
            inputs={"required": 3, "done": 2},
            note="每少1次扣10分",
            facts=[fact],
        ),
        Line(id="closing", name="舆情办结率", kind="rate", points=32, max_points=30, inputs={"closed": 4}),
    ]
    deductions = [Line(id="late", name="舆情逾期", kind="deduction", points=-2, inputs={"overdue": 1})]
    vetoes = [Line(id="red_line", name="重大舆情失控", kind="veto", points=0)] if vetoed else []
    adjustments = (
        [Line(id="adj", name="申诉更正", kind="adjustment", points=adjustment)] if adjustment else []
    )
    return Explanation(
        scheme_version=1,
        indicators=indicators,
        deductions=deductions,
        vetoes=vetoes,
        adjustments=adjustments,
        applicable_points=100,
        scale=1.0,
    )


def score(
    unit: str, period: str, total: float, *, own: float | None = None, vetoed: bool = False
) -> ScoreComputed:
    return ScoreComputed(
        unit=unit,
        period=period,
        own=total if own is None else own,
        total=total,
        vetoed=vetoed,
        explanation=explanation(total, vetoed=vetoed),
        digest=f"sha256:{unit}:{period}:{total}",
    )


def row(unit: str, name: str, parent: str | None, total: float, rank: int | None, **more: Any) -> BulletinRow:
    vetoed = bool(more.get("vetoed", False))
    return BulletinRow(
        unit=unit,
        name=name,
        parent=parent,
        own=float(more.get("own", total)),
        total=total,
        vetoed=vetoed,
        rank=rank,
        explanation=explanation(total, vetoed=vetoed, adjustment=float(more.get("adjustment", 0))),
    )


def bulletin(
    unit: str, period: str, version: int, rows: list[BulletinRow], reissued_for: str | None = None
) -> BulletinPublished:
    return BulletinPublished(
        unit=unit,
        period=period,
        bulletin_version=version,
        title=f"{period}民政工作责任制考核通报",
        scheme_version=1,
        rows=rows,
        appeal_deadline=date(2026, 4, 20),
        reissued_for=reissued_for,
    )


class AssessmentEvents:
    """Appends assessment events, one stream per unit, and relays them to JetStream."""

    def __init__(self, kit: Rig) -> None:
        self.kit = kit
        self.relay = Relay(kit.store, kit.js, SCHEMA)
        self.versions: dict[str, int] = defaultdict(int)

    async def emit(self, *events: DomainEvent) -> None:
        for event in events:
            data = event.model_dump(mode="json")
            unit = str(data["unit"])  # every assessment event names its unit
            stream = f"assessment-unit:{unit}"
            self.versions[stream] += 1
            envelope = event_envelope(
                event,
                stream,
                self.versions[stream],
                unit=unit,
                actor="assessor@3205",
                source="urn:sanji:assessment",
            )
            await self.kit.store.append(stream, self.versions[stream] - 1, [envelope])
        while await self.relay.publish_batch():
            pass

    async def settled(self, sanji: SanjiClient) -> None:
        """Wait until the assessment view has applied everything on the stream so far."""
        last = (await self.kit.js.stream_info(EVENTS_STREAM)).state.last_seq

        async def applied() -> bool:
            answer = await sanji.query("projection.assessment.appeals", {"path": "3205"})
            checkpoint = answer.get("result", {}).get("freshness", {}).get("checkpoint", 0)
            return bool(checkpoint >= last)

        await wait_until(applied, message="the assessment view never caught up")


@asynccontextmanager
async def assessment_events(nats_url: str, database_url: str) -> AsyncIterator[AssessmentEvents]:
    async with rig(nats_url, database_url, schema=SCHEMA, pool_size=4) as kit:
        yield AssessmentEvents(kit)
