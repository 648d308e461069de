"""A fact dated year 0001, published straight onto the event stream past every validation, is parked with
its reason by the running assessment service while every other unit keeps being scored; the parked items
show in `sanji_parked_items`."""

from __future__ import annotations

from prometheus_client import REGISTRY as METRICS

from contracts.envelope import EventEnvelope
from tests.assessment.kit import STUDY_SCHEME, TOWN_A, TOWN_B, register_city, study
from tests.eventkit.events import envelope
from tests.helpers import wait_until
from tests.stack import client, running


def year_one_activity() -> EventEnvelope:
    valid = envelope("activity:poison", 1, unit=TOWN_B)
    data = {**valid.data, "activity_id": "poison", "kind": "central_group_study", "held_on": "0001-01-01"}
    return valid.model_copy(update={"data": data})


async def test_a_poison_fact_on_the_stream_is_parked_while_every_other_unit_is_scored(
    nats_url: str, database_url: str
) -> None:
    async with (
        running(nats_url, database_url, "duty", "outreach", "assessment") as runtimes,
        client(nats_url) as sanji,
    ):
        await register_city(sanji, STUDY_SCHEME)
        runtime = next(r for r in runtimes if r.definition.name == "assessment")

        poison = year_one_activity()
        subject = "sanji.ev.outreach.activity_logged.3205.320506.320506002"
        await runtime.js.publish(
            subject, poison.model_dump_json().encode(), headers={"Nats-Msg-Id": poison.id}
        )
        await study(sanji, "study-a-0301", TOWN_A, "2026-03-05")
        await study(sanji, "study-b-0302", TOWN_B, "2026-03-06")

        async def scored(unit: str, period: str, own: float) -> bool:
            found: float | None = await runtime.pool.fetchval(
                "SELECT own FROM assessment.scores WHERE unit = $1 AND period = $2", unit, period
            )
            return found == own

        await wait_until(lambda: scored(TOWN_A, "2026-03", 10), message="A not scored past the poison")
        await wait_until(lambda: scored(TOWN_B, "2026-03", 10), message="B not scored past the poison")

        async def poison_parked() -> bool:
            rows = await runtime.pool.fetch("SELECT worker, item, reason FROM assessment.parked")
            return any(TOWN_B in row["item"] or poison.id == row["item"] for row in rows)

        await wait_until(poison_parked, timeout=60, message="the poison was never parked")
        await study(sanji, "study-a-0302", TOWN_A, "2026-02-05")  # and scoring goes on after parking
        await wait_until(lambda: scored(TOWN_A, "2026-02", 10), message="scoring stopped after parking")

        def gauge() -> float:
            workers = ("assessment-rescorer", "assessment-facts")
            return sum(METRICS.get_sample_value("sanji_parked_items", {"worker": w}) or 0 for w in workers)

        await wait_until(lambda: gauge() > 0, message="sanji_parked_items does not show the parked items")
