"""A city and a county site on loopback work one case as one system. The city dispatches a case to a
county township: it hands the case over (and refuses to act on it itself), the county adopts it and its
clerks work it at the county's gateway, and the city's views follow. The city supervises the case while
the county's link is cut and its opinion service is down; the link returns, the county's opinion service
crashes after applying the supervision and before acking it, and is started again: the supervision is on
the county's case once, and in both sites' timelines. A county's escalation to the city hands the case
back up: it waits in the city's list, and the city's answer reaches the county once. A county cannot forge
the city's facts, nor send one up for another county's case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY as METRICS

from contracts.commands import Actor
from contracts.envelope import EventEnvelope, dataschema_for, new_event_id, utc_now
from contracts.opinion import OpinionHandedOver, OpinionReported
from contracts.subjects import EVENTS_STREAM, event_subject
from services.eventkit.busconnect import connect
from services.eventkit.client import SanjiClient
from services.eventkit.embedded import NatsServer, PostgresServer
from services.eventkit.faults import SimulatedCrash
from services.eventkit.runtime import ServiceRuntime
from services.eventkit.sitestreams import provision_city, provision_county
from tests.conftest import fresh_database
from tests.deploy.multisite_kit import (
    CITY,
    LinkRelay,
    city_server,
    county_server,
    leaf_links,
    services,
    site_settings,
)
from tests.helpers import wait_until
from tests.opinion.builders import TOWN2
from tests.opinion.support import COUNTY_CLERK, LEADER, TOWN_CLERK, item, named, send_ok, setup_city
from tests.stack import build, client

COUNTY_CODE = "320506"
COUNTY = f"{CITY}.{COUNTY_CODE}"
TOWN = f"{COUNTY}.{COUNTY_CODE}001"
OTHER_TOWN = f"{CITY}.320507.320507001"
CASE = "case-cross-0001"
TIMEOUT = 60.0
HANDOVERS = "opinion-handovers"  # the receiving site's reaction (services/opinion/reactions.py)
DOWN_AND_UP = [
    "assigned",
    "handed_over",
    "adopted",
    "acknowledged",
    "action_recorded",
    "supervision_started",
    "supervision_received",
]  # the county's reaction (services/opinion/reactions.py)


@dataclass
class Sites:
    city: NatsServer
    county: NatsServer
    relay: LinkRelay
    city_db: str
    county_db: str

    def county_opinion(self, **options: Any) -> ServiceRuntime:
        """The county's opinion service (not started): the test stops and starts it on its own."""
        return build("opinion", site_settings(self.county, "opinion", self.county_db, COUNTY), **options)


@pytest.fixture
async def joined(tmp_path: Path, pg_server: PostgresServer) -> AsyncIterator[Sites]:
    """The city and county 320506 (its leaf link through a relay the test can cut), streams provisioned."""
    city = city_server(tmp_path, (COUNTY_CODE,))
    city.start()
    relay = LinkRelay(city.site.leaf_port)  # type: ignore[union-attr]
    county: NatsServer | None = None
    try:
        await relay.restore()
        county = county_server(tmp_path, city, COUNTY_CODE, relay)
        county.start()
        await _provision(city, county)
        async with fresh_database(pg_server) as city_db, fresh_database(pg_server) as county_db:
            yield Sites(city, county, relay, city_db, county_db)
    finally:
        await relay.close()
        if county is not None:
            county.stop()
        city.stop()


async def _provision(city: NatsServer, county: NatsServer) -> None:
    nc = await connect(city.url, "test-provision")
    try:
        await provision_city(nc.jetstream(), CITY, [COUNTY_CODE])
    finally:
        await nc.close()
    nc = await connect(county.url, "test-provision")
    try:
        await provision_county(nc.jetstream(), COUNTY)
    finally:
        await nc.close()


async def _dispatch(sanji: SanjiClient, case_id: str) -> None:
    """The city reports, grades and dispatches a case to the county's township."""
    await send_ok(sanji, "opinion.report", item(case_id, CITY, datetime.now(UTC) - timedelta(hours=1)))
    grade = {"relevant": True, "category": "elderly_care", "severity": "II", "owning_unit": TOWN}
    await send_ok(sanji, "opinion.grade", {"case_id": case_id, "unit": CITY, **grade})
    await send_ok(
        sanji, "opinion.assign", {"case_id": case_id, "unit": CITY, "to_unit": TOWN, "note": "请核实"}
    )


async def _works(sanji: SanjiClient, name: str, body: dict[str, Any], actor: Actor) -> bool:
    return (await sanji.send(name, body, actor)).ok


async def _case(sanji: SanjiClient, case_id: str) -> dict[str, Any]:
    answer = await sanji.query("projection.opinion.case", {"case_id": case_id})
    return dict(answer["result"]) if answer["ok"] else {"timeline": [{"type": str(answer)}]}


async def _timeline(sanji: SanjiClient, case_id: str) -> list[str]:
    return [step["type"] for step in (await _case(sanji, case_id)).get("timeline", [])]


async def _stored(runtime: ServiceRuntime, case_id: str) -> list[str]:
    """The case's events in the site's own opinion store."""
    return [e.envelope.type for e in await runtime.store.read_stream(f"opinion:{case_id}")]


def _duplicates() -> float:
    """How many city facts the county's reaction found in its inbox already (so applied nothing)."""
    found = METRICS.get_sample_value(
        "sanji_events_handled_total", {"consumer": HANDOVERS, "outcome": "duplicate"}
    )
    return found or 0.0


def crash_once(point: str, crashed: list[str]) -> None:
    """A fault hook: the first reaction commit is followed by the process dying (no ack)."""
    if point == "after_commit" and not crashed:
        crashed.append(point)
        raise SimulatedCrash(point)


@pytest.mark.slow
async def test_a_case_handed_to_a_county_is_worked_there_and_supervised_across_a_cut(joined: Sites) -> None:
    s = joined
    async with (
        services(s.city, s.city_db, ("duty", "opinion", "projection"), county_sites=(COUNTY_CODE,)),
        services(s.county, s.county_db, ("projection",), COUNTY),
        client(s.city.url_for("gateway")) as at_city,
        client(s.county.url_for("gateway")) as at_county,
    ):
        opinion = s.county_opinion()
        await opinion.start()
        try:
            await setup_city(at_city)
            await _dispatch(at_city, CASE)
            case = {"case_id": CASE, "unit": TOWN}

            # The city handed the case over: acting on it there would fork it.
            refused = await at_city.send("opinion.acknowledge", case, LEADER)
            assert refused.error is not None, refused
            assert refused.error.code == "conflict", refused
            assert COUNTY_CODE in refused.error.message

            # The county's clerks work it at the county's gateway, once the county adopted it.
            await wait_until(
                lambda: _works(at_county, "opinion.acknowledge", case, TOWN_CLERK),
                TIMEOUT,
                message="the county never adopted the case",
            )
            action = {**case, "action": "verify", "description": "实地核实，涉事护工已停职"}
            await send_ok(at_county, "opinion.record_action", action, TOWN_CLERK)
            await wait_until(
                lambda: _state_is(at_city, "disposing"), TIMEOUT, message="the city never saw the progress"
            )

            # The link drops and the county's opinion service is down: the city supervises all the same.
            await s.relay.cut()
            await wait_until(lambda: leaf_links(s.city) == 0, message="the city still sees the county")
            await opinion.stop()
            await send_ok(at_city, "opinion.supervise", {"case_id": CASE, "unit": CITY, "reason": "限期办结"})

            # Back: the county applies the supervision, then dies before acking it.
            crashed: list[str] = []
            opinion = s.county_opinion(fault=lambda point: crash_once(point, crashed))
            await opinion.start()
            await s.relay.restore()
            await wait_until(lambda: bool(crashed), TIMEOUT, message="the supervision never came down")
            assert (await _stored(opinion, CASE)).count("opinion.supervision_received") == 1
            await opinion.stop()

            # Started again: the unacked supervision comes again, and the inbox answers it.
            duplicates = _duplicates()
            opinion = s.county_opinion()
            await opinion.start()
            await wait_until(
                lambda: _duplicates() > duplicates, TIMEOUT, message="the supervision was never redelivered"
            )
            assert await _stored(opinion, CASE) == [
                "opinion.adopted",
                "opinion.acknowledged",
                "opinion.action_recorded",
                "opinion.supervision_received",
            ]
            await _until_supervision_shows(at_city, "city")
            await _until_supervision_shows(at_county, "county")
            # The county never saw the report or the grading (done at the city's own unit): the
            # hand-over brought the case to its views.
            assert await _timeline(at_city, CASE) == ["reported", "graded", *DOWN_AND_UP]
            assert await _timeline(at_county, CASE) == DOWN_AND_UP
            assert (await _case(at_county, CASE))["supervisor"] == CITY
        finally:
            await opinion.stop()


async def _state_is(sanji: SanjiClient, state: str) -> bool:
    return (await _case(sanji, CASE)).get("state") == state


async def _until_supervision_shows(sanji: SanjiClient, site: str) -> None:
    seen: list[str] = []

    async def shows() -> bool:
        seen[:] = await _timeline(sanji, CASE)
        return "supervision_received" in seen

    await wait_until(shows, TIMEOUT, message=lambda: f"{site}'s timeline: {seen}")


def _report(case_id: str) -> dict[str, Any]:
    """A valid report of a case at the city, as a hand-over carries it."""
    body = item(case_id, CITY, datetime.now(UTC))
    fields = {key: body[key] for key in ("case_id", "unit", "channel", "title", "excerpt", "captured_at")}
    return OpinionReported(**fields, source="staff").model_dump(mode="json")


def _forged(event_type: str, unit: str, data: dict[str, Any]) -> EventEnvelope:
    """An event as a relay would publish it, which no service of the county decided."""
    return EventEnvelope(
        id=new_event_id(),
        source="urn:sanji:opinion",
        type=event_type,
        time=utc_now(),
        subject=f"opinion:{data['case_id']}",
        dataschema=dataschema_for(event_type, 1),
        unitpath=unit,
        actor="forger@320506",
        correlationid=new_event_id(),
        streamversion=99,
        typeversion=1,
        data=data,
    )


async def _publish(server: NatsServer, subject: str, envelope: EventEnvelope) -> None:
    nc = await connect(server.url, "test-forger")
    try:
        await nc.jetstream().publish(
            subject,
            envelope.model_dump_json().encode(),
            headers={"Nats-Msg-Id": envelope.id, "Sanji-Type": envelope.type},
            stream=EVENTS_STREAM,
        )
    finally:
        await nc.close()


async def _hub_holds(city: NatsServer, msg_id: str) -> bool:
    nc = await connect(city.url, "test-check")
    try:
        js = nc.jetstream()
        total = (await js.stream_info(EVENTS_STREAM)).state.messages
        for seq in range(1, total + 1):
            headers = (await js.get_msg(EVENTS_STREAM, seq)).headers or {}
            if headers.get("Nats-Msg-Id") == msg_id:
                return True
        return False
    finally:
        await nc.close()


@pytest.mark.slow
async def test_a_county_cannot_forge_the_citys_facts_nor_reach_another_countys_case(joined: Sites) -> None:
    s = joined
    async with (
        services(s.city, s.city_db, ("duty", "opinion", "projection"), county_sites=(COUNTY_CODE,)),
        services(s.county, s.county_db, ("opinion",), COUNTY) as (opinion,),
        client(s.city.url_for("gateway")) as at_city,
        client(s.county.url_for("gateway")) as at_county,
    ):
        await setup_city(at_city)
        await _dispatch(at_city, CASE)
        case = {"case_id": CASE, "unit": TOWN}
        await wait_until(lambda: _works(at_county, "opinion.acknowledge", case, TOWN_CLERK), TIMEOUT)

        # At the county, events on its own subjects that say the city supervised its case, and handed it
        # a case of another county: its reaction takes only what came down from the city.
        supervision = {"case_id": CASE, "supervisor": CITY, "reason": "伪造督办"}
        forged = _forged("opinion.supervision_started", TOWN, supervision)
        await _publish(s.county, event_subject(forged.type, TOWN), forged)
        other: dict[str, Any] = {"case_id": "case-other-county", "to_site": COUNTY_CODE, "unit": OTHER_TOWN}
        handed = {"state": "assigned", "reported_unit": CITY, "dispatchers": [CITY], "assignee": OTHER_TOWN}
        other |= {"report": _report("case-other-county")}
        stolen = _forged("opinion.handed_over", OTHER_TOWN, {**other, "case": handed})
        await _publish(s.county, event_subject(stolen.type, TOWN), stolen)
        # ... and the same hand-over on the other county's subjects, for the hub to carry to it.
        sent_up = _forged("opinion.handed_over", OTHER_TOWN, {**other, "case": handed})
        await _publish(s.county, event_subject(sent_up.type, OTHER_TOWN), sent_up)

        # A genuine step after the forgeries: once the city has it, the hub's source went past them; once
        # the county adopted a second case, its reaction did.
        await send_ok(
            at_county,
            "opinion.record_action",
            {**case, "action": "verify", "description": "核实"},
            TOWN_CLERK,
        )
        await _dispatch(at_city, "case-cross-0002")
        await wait_until(lambda: _state_is(at_city, "disposing"), TIMEOUT, message="nothing went up")
        await wait_until(
            lambda: _works(
                at_county, "opinion.acknowledge", {**case, "case_id": "case-cross-0002"}, TOWN_CLERK
            ),
            TIMEOUT,
            message="the second case was never adopted",
        )
        assert "opinion.supervision_received" not in await _stored(opinion, CASE)
        OpinionHandedOver.model_validate(stolen.data)  # a valid fact: only where it came from refuses it
        assert await _stored(opinion, "case-other-county") == []
        assert not await _hub_holds(s.city, sent_up.id)  # the hub sources the county's own subtree only
        assert await _hub_holds(s.city, stolen.id)  # sent up as the county's own, and nowhere further


async def _waiting(sanji: SanjiClient, path: str) -> list[str]:
    """The cases whose next move is the unit's own, in its site's view."""
    answer = await sanji.query("projection.opinion.cases", {"path": path, "filter": "waiting"})
    return [case["case_id"] for case in answer["result"]["cases"]] if answer["ok"] else ["?"]


@pytest.mark.slow
async def test_a_countys_escalation_waits_at_the_city_and_the_citys_answer_reaches_the_county(
    joined: Sites,
) -> None:
    s = joined
    async with (
        services(
            s.city, s.city_db, ("duty", "opinion", "projection"), county_sites=(COUNTY_CODE,)
        ) as at_city_services,
        services(s.county, s.county_db, ("projection",), COUNTY),
        client(s.city.url_for("gateway")) as at_city,
        client(s.county.url_for("gateway")) as at_county,
    ):
        city_opinion = named(at_city_services, "opinion")
        opinion = s.county_opinion()
        await opinion.start()
        try:
            await setup_city(at_city)
            await _dispatch(at_city, CASE)
            case = {"case_id": CASE, "unit": TOWN}
            await wait_until(lambda: _works(at_county, "opinion.acknowledge", case, TOWN_CLERK), TIMEOUT)

            # The township escalates to its county, which escalates to the city: the case goes up.
            await send_ok(at_county, "opinion.escalate", {**case, "reason": "超出本级处置能力"}, TOWN_CLERK)
            up = {"case_id": CASE, "unit": COUNTY, "reason": "请市局统筹"}
            await send_ok(at_county, "opinion.escalate", up, COUNTY_CLERK)
            again = {"case_id": CASE, "unit": COUNTY, "to_unit": TOWN2}
            refused = await at_county.send("opinion.assign", again, COUNTY_CLERK)
            assert refused.error is not None, refused
            assert refused.error.code == "conflict", refused
            await wait_until(
                lambda: _waiting_is(at_city, [CASE]), TIMEOUT, message="the city never saw it waiting"
            )

            # The county's opinion service is down while the city answers: it dispatches to another township.
            await opinion.stop()
            answer = {"case_id": CASE, "unit": CITY, "to_unit": TOWN2, "note": "转郭巷街道办理"}
            await wait_until(
                lambda: _works(at_city, "opinion.assign", answer, LEADER), TIMEOUT, message="never taken back"
            )
            opinion = s.county_opinion()
            await opinion.start()
            again = {"case_id": CASE, "unit": TOWN2}
            await wait_until(
                lambda: _works(at_county, "opinion.acknowledge", again, COUNTY_CLERK),
                TIMEOUT,
                message="the city's answer never reached the county",
            )
            await wait_until(lambda: _waiting_is(at_city, []), TIMEOUT, message="still waiting at the city")
            assert await _stored(opinion, CASE) == [
                "opinion.adopted",
                "opinion.acknowledged",
                "opinion.escalated",
                "opinion.escalated",
                "opinion.handed_over",
                "opinion.adopted",
                "opinion.acknowledged",
            ]
            assert await _stored(city_opinion, CASE) == [
                "opinion.reported",
                "opinion.graded",
                "opinion.assigned",
                "opinion.handed_over",
                "opinion.adopted",
                "opinion.assigned",
                "opinion.handed_over",
            ]
        finally:
            await opinion.stop()


async def _waiting_is(sanji: SanjiClient, expected: list[str]) -> bool:
    return await _waiting(sanji, CITY) == expected
