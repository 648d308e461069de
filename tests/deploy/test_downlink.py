"""City → county on the shipped configs: a county's SANJI_EVENTS sources from the hub the unit registry of
its subtree and the opinion cases the city sends there (stored with the token ``city`` appended), each
exactly once, in the hub's order, with their headers; never another county's, never the county's own
events coming back (the hub appends the county's origin token as it sources them, and each side sources
seven-token subjects only); and a county cut off catches up when it returns."""

from __future__ import annotations

import json
import time

import pytest
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from contracts.envelope import new_event_id
from contracts.subjects import EVENTS_STREAM, event_subject
from services.eventkit.client import SanjiClient
from services.eventkit.natsdeploy import origin_token
from services.eventkit.settings import ServiceSettings
from tests.deploy.sites import CATCH_UP_TIMEOUT, STREAMS_DIR, Site, connect, load_stream
from tests.helpers import wait_until
from tests.stack import CITY_ADMIN, build, client, running

DOWN = EVENTS_STREAM  # a county keeps what the city sends it with its own events
COUNTY, TOWN, OTHER_TOWN = "320506", "3205.320506.320506001", "3205.320507.320507001"
OTHER_CASES = "sanji.ev.opinion.*.3205.320507.*"


def _from_city(messages: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [m for m in messages if m[0].endswith(".city")]


async def _publish(js: JetStreamContext, event_type: str, unit: str) -> str:
    """One event as the relay publishes it (Nats-Msg-Id = event id); its id."""
    event_id = new_event_id()
    await js.publish(
        event_subject(event_type, unit),
        json.dumps({"id": event_id, "type": event_type, "unitpath": unit}).encode(),
        headers={"Nats-Msg-Id": event_id, "Sanji-Type": event_type},
        stream=EVENTS_STREAM,
    )
    return event_id


async def _messages(js: JetStreamContext, stream: str) -> list[tuple[str, str, str]]:
    """(subject, Nats-Msg-Id, Sanji-Type) of every message in ``stream``, in stream order."""
    total = (await js.stream_info(stream)).state.messages
    found = []
    for seq in range(1, total + 1):
        msg = await js.get_msg(stream, seq)
        headers = msg.headers or {}
        found.append((msg.subject or "", headers.get("Nats-Msg-Id", ""), headers.get("Sanji-Type", "")))
    return found


async def _holds(js: JetStreamContext, stream: str, count: int) -> bool:
    return (await js.stream_info(stream)).state.messages >= count


@pytest.mark.slow
async def test_the_city_sends_a_county_its_units_and_cases_once_and_a_cut_off_county_catches_up(
    sites: tuple[Site, Site],
) -> None:
    hub, county = sites
    await wait_until(lambda: hub.leaf_connections() == 1, message="county never joined the hub")
    hub_nc, hub_js = await connect(hub)
    county_nc, county_js = await connect(county)
    try:
        await county_js.add_stream(config=load_stream("county/SANJI_EVENTS.json"))
        await hub_js.add_stream(config=load_stream("hub/SANJI_EVENTS.json"))
        # A county that ignores the city's config and asks for another county's cases on its own path:
        # the hub's leaf user lets only this county's downlink filters through.
        peek = json.loads((STREAMS_DIR / "county/SANJI_EVENTS.json").read_text())
        peek |= {"name": "SANJI_PEEK", "subjects": []}
        peek["sources"] = [{**peek["sources"][-1], "subject_transforms": [], "filter_subject": OTHER_CASES}]
        await county_js.add_stream(config=StreamConfig.from_response(peek))

        # The city registers the county's township and dispatches a case there; other things it records
        # stay at the hub: another county's township, the city's own unit, an activity in the county.
        sent = [
            await _publish(hub_js, "duty.unit_registered", TOWN),
            await _publish(hub_js, "opinion.assigned", TOWN),
        ]
        await _publish(hub_js, "duty.unit_registered", OTHER_TOWN)
        await _publish(hub_js, "opinion.assigned", OTHER_TOWN)
        await _publish(hub_js, "duty.unit_registered", "3205")
        await _publish(hub_js, "outreach.activity_logged", TOWN)
        # The county's own case: sourced up with its origin token, and never sent back down.
        own = await _publish(county_js, "opinion.escalated", TOWN)

        await wait_until(lambda: _holds(county_js, DOWN, 3), CATCH_UP_TIMEOUT, message="nothing came down")
        await wait_until(
            lambda: _holds(hub_js, EVENTS_STREAM, 7), CATCH_UP_TIMEOUT, message="nothing went up"
        )
        down = _from_city(await _messages(county_js, DOWN))
        # One source per filter: each keeps the hub's order; the unit registry and the cases interleave.
        assert sorted((msg_id, kind) for _, msg_id, kind in down) == sorted(
            [(sent[0], "duty.unit_registered"), (sent[1], "opinion.assigned")]
        )
        up = [m for m in await _messages(hub_js, EVENTS_STREAM) if m[1] == own]
        assert up == [(f"{event_subject('opinion.escalated', TOWN)}.{origin_token(COUNTY)}", own, up[0][2])]

        # The county is cut off (its server stopped, by PID); the city goes on dispatching to it.
        county.stop()
        await county_nc.close()
        await wait_until(lambda: hub.leaf_connections() == 0, message="the hub still sees the county")
        while_cut = [await _publish(hub_js, "opinion.supervision_started", TOWN) for _ in range(5)]
        county.start()
        returned = time.monotonic()
        county_nc, county_js = await connect(county)
        await wait_until(
            lambda: _holds(county_js, DOWN, 8), CATCH_UP_TIMEOUT, message="the county never caught up"
        )
        converged = time.monotonic() - returned
        print(f"\ncity → county downlink converged {converged:.1f} s after the county's server returned")
        everything = await _messages(county_js, DOWN)
        assert [m[1] for m in everything if not m[0].endswith(".city")] == [own]  # its own, once
        down = _from_city(everything)
        cases = [msg_id for _, msg_id, kind in down if kind.startswith("opinion.")]
        assert cases == [sent[1], *while_cut]  # each once, in the hub's order
        assert len(down) == len({msg_id for _, msg_id, _ in down}) == 7
        assert (await county_js.stream_info("SANJI_PEEK")).state.messages == 0
    finally:
        await county_nc.close()
        await hub_nc.close()


UNITS = [
    ("3205", "苏州市民政局", "bureau"),
    ("3205.320506", "吴中区民政局", "county_office"),
    (TOWN, "长桥街道", "township_office"),
]


async def _log_at_county(sanji: SanjiClient) -> bool:
    body = {
        "activity_id": "act-down-1",
        "unit": TOWN,
        "kind": "outreach_talk",
        "topic": "民法典进社区",
        "held_on": "2026-03-02",
        "audience": 40,
    }
    reply = await sanji.send("outreach.log_activity", body, CITY_ADMIN, command_id="cmd-act-down-1")
    return reply.ok


@pytest.mark.slow
async def test_a_county_sites_services_know_the_units_the_city_registered(
    sites: tuple[Site, Site], database_url: str, second_database_url: str
) -> None:
    hub, county = sites
    hub_db, county_db = database_url, second_database_url
    await wait_until(lambda: hub.leaf_connections() == 1, message="county never joined the hub")
    hub_nc, hub_js = await connect(hub)
    county_nc, county_js = await connect(county)
    try:
        await hub_js.add_stream(config=load_stream("hub/SANJI_EVENTS.json"))
        await county_js.add_stream(config=load_stream("county/SANJI_EVENTS.json"))
    finally:
        await county_nc.close()
        await hub_nc.close()
    county_settings = ServiceSettings(nats_url=county.url("outreach"), database_url=county_db, http_port=0)
    county_outreach = build("outreach", county_settings)
    async with running(hub.url, hub_db, "duty"), client(hub.url("gateway")) as city:
        for path, name, kind in UNITS:  # registered at the city only
            reply = await city.send(
                "duty.register_unit", {"path": path, "name": name, "kind": kind}, CITY_ADMIN
            )
            assert reply.ok, reply.error
        await county_outreach.start()
        try:
            async with client(county.url("gateway")) as sanji:
                await wait_until(
                    lambda: _log_at_county(sanji),
                    CATCH_UP_TIMEOUT,
                    message="the county never learned the unit",
                )
        finally:
            await county_outreach.stop()
