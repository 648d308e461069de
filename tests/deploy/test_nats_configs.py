"""The shipped NATS configs (deploy/nats) and stream configs (deploy/nats/streams), proved on real servers:
they parse, they match what Sanji's code expects, the hub sources a county across JetStream domains and
catches up exactly once after an outage, and the users are confined to what they may do."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

import nats
import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, PubAck

from contracts.envelope import new_event_id
from contracts.subjects import EVENTS_STREAM, event_subject, ingest_subject
from services.eventkit.natsdeploy import password_variable, sourcing_subject, users_conf
from services.eventkit.responders import subscriptions_in_place
from services.eventkit.sitestreams import county_stream_config, hub_stream_config
from services.eventkit.streams import ensure_stream, events_stream_config
from tests.deploy.sites import (
    CATCH_UP_TIMEOUT,
    NATS_DIR,
    STREAMS_DIR,
    Site,
    config_test,
    connect,
    load_stream,
    make_sites,
    site_env,
)
from tests.helpers import connect_collecting, refused, wait_until

CONFS = [NATS_DIR / "county.conf", NATS_DIR / "hub.conf"]  # the sites; users-*.conf are included by them
COUNTY_DOMAIN = "c320506"
# Settings Sanji's own code fixes for its streams (services/eventkit/streams.py); the JSON must agree.
STREAM_KEYS = [
    "name",
    "subjects",
    "retention",
    "discard",
    "max_age",
    "storage",
    "num_replicas",
    "duplicate_window",
    "deny_delete",
    "deny_purge",
    "allow_direct",
]


def _setting(conf: Path, key: str) -> list[str]:
    """Every value of `key: value` in a config file (quotes stripped, comments ignored)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*[:=]\s*\"?([^\"#\s]+)\"?", re.MULTILINE)
    return pattern.findall(conf.read_text())


# --- the files ------------------------------------------------------------------------------------


def test_both_site_configs_ship_with_their_users() -> None:
    assert sorted(conf.name for conf in NATS_DIR.glob("*.conf")) == [
        "county.conf",
        "hub.conf",
        "users-county.conf",
        "users-hub.conf",
    ]


@pytest.mark.parametrize("site", ["hub", "county"])
def test_the_users_files_are_rendered_from_the_grants(site: str) -> None:
    # The same grants as the embedded server's (services/eventkit/bususers.py): edit those, then run
    # `python -m services.eventkit.natsdeploy`.
    assert (NATS_DIR / f"users-{site}.conf").read_text() == users_conf(site)
    assert f'include "users-{site}.conf"' in (NATS_DIR / f"{site}.conf").read_text()


def test_the_env_example_names_every_password() -> None:
    example = (NATS_DIR / "nats.env.example").read_text()
    for conf in NATS_DIR.glob("*.conf"):
        for variable in re.findall(r"\$(SANJI_(?:NATS|HUB)_[A-Z0-9_]+)", conf.read_text()):
            assert f"\n{variable}=" in example, f"{variable} ({conf.name}) is not in nats.env.example"


@pytest.mark.parametrize("conf", CONFS, ids=lambda conf: conf.name)
def test_config_passes_the_servers_own_check(conf: Path, tmp_path: Path) -> None:
    result = config_test(conf, tmp_path, site_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "is valid" in output


@pytest.mark.parametrize("conf", CONFS, ids=lambda conf: conf.name)
def test_config_refuses_to_load_without_its_secrets(conf: Path, tmp_path: Path) -> None:
    env = site_env()
    del env[password_variable("duty")]
    result = config_test(conf, tmp_path, env)
    assert result.returncode != 0
    assert password_variable("duty") in result.stdout + result.stderr


@pytest.mark.parametrize("conf", CONFS, ids=lambda conf: conf.name)
def test_config_holds_no_secrets_and_no_absolute_store(conf: Path) -> None:
    text = conf.read_text() + (NATS_DIR / f"users-{conf.stem}.conf").read_text()
    passwords = re.findall(r"\bpassword\s*:\s*\"?([^\"\s,}]+)", text)
    assert len(passwords) > 5
    for password in passwords:
        assert password.startswith("$"), f"{conf.name}: a password written in the file"
    (store_dir,) = _setting(conf, "store_dir")
    assert not store_dir.startswith("/"), "store_dir must be relative to the working directory"


def test_each_site_has_its_own_jetstream_domain() -> None:
    assert _setting(NATS_DIR / "hub.conf", "domain") == ["city"]
    assert _setting(NATS_DIR / "county.conf", "domain") == [COUNTY_DOMAIN]


def test_hub_sources_the_county_through_the_county_domain_api() -> None:
    hub = load_stream("hub/SANJI_EVENTS.json")
    assert [(s.name, s.external.api if s.external else None) for s in hub.sources or []] == [
        (EVENTS_STREAM, f"$JS.{COUNTY_DOMAIN}.API")
    ]
    # The hub accepts the county's leaf connection under a user named after its domain, and takes only the
    # county's subtree, delivered on a sourcing path only that user may publish to.
    assert f'"leaf-{COUNTY_DOMAIN}"' in (NATS_DIR / "users-hub.conf").read_text()
    (source,) = hub.sources or []
    # Its subtree only, stored with the county's origin token appended (so nothing goes back down).
    assert [(t.src, t.dest) for t in source.subject_transforms or []] == [
        (
            "sanji.ev.*.*.3205.320506.*",
            "sanji.ev.{{wildcard(1)}}.{{wildcard(2)}}.3205.320506.{{wildcard(3)}}.c320506",
        )
    ]
    assert source.external is not None
    assert source.external.deliver == sourcing_subject("320506")


def test_sanji_subjects_never_cross_the_leaf_link() -> None:
    # Without this the hub's stream would also capture county events live (and the county's the hub's), so
    # the county's relay could get its PubAck from the hub and each event would be stored twice; and a
    # command could be served by the other site's service, splitting one aggregate over two stores.
    text = (NATS_DIR / "county.conf").read_text()
    assert 'deny_imports: ["sanji.>"]' in text
    assert 'deny_exports: ["sanji.>"]' in text


@pytest.mark.parametrize("relative", ["county/SANJI_EVENTS.json", "hub/SANJI_EVENTS.json"])
def test_event_stream_files_match_the_code(relative: str) -> None:
    shipped = json.loads((STREAMS_DIR / relative).read_text())
    wanted = events_stream_config().as_dict()
    assert {key: shipped.get(key) for key in STREAM_KEYS} == {key: wanted.get(key) for key in STREAM_KEYS}


def test_the_shipped_sources_are_the_ones_sanji_up_makes() -> None:
    # Both directions come from services/eventkit/sitestreams.py, as `sanji up --site` provisions them.
    for relative, wanted in (
        ("hub/SANJI_EVENTS.json", hub_stream_config("3205", ["320506"])),
        ("county/SANJI_EVENTS.json", county_stream_config("320506")),
    ):
        shipped = json.loads((STREAMS_DIR / relative).read_text())
        assert shipped["sources"] == wanted.as_dict()["sources"], relative


def test_the_sourcing_stream_states_its_duplicate_window() -> None:
    # A stream that sources others gets no default duplicate window: it must be written out.
    shipped = json.loads((STREAMS_DIR / "hub/SANJI_EVENTS.json").read_text())
    assert shipped["duplicate_window"] == 2 * 3600 * 10**9


# --- the sites running ----------------------------------------------------------------------------

COUNTY_UNIT = "3205.320506.320506001"
CITY_UNIT = "3205"


async def _publish(js: JetStreamContext, unit: str, count: int) -> tuple[list[str], list[PubAck]]:
    """Publish `count` events at `unit` the way the relay does (Nats-Msg-Id = event id)."""
    ids, acks = [], []
    for _ in range(count):
        event_id = new_event_id()
        ack = await js.publish(
            event_subject("outreach.activity_logged", unit),
            json.dumps({"id": event_id, "unitpath": unit}).encode(),
            headers={"Nats-Msg-Id": event_id, "Sanji-Type": "outreach.activity_logged"},
            stream=EVENTS_STREAM,
        )
        ids.append(event_id)
        acks.append(ack)
    return ids, acks


async def _stored_ids(js: JetStreamContext) -> list[str]:
    """The Nats-Msg-Id of every message in the stream, in stream order."""
    total = (await js.stream_info(EVENTS_STREAM)).state.messages
    sub = await js.subscribe("sanji.ev.>", stream=EVENTS_STREAM, ordered_consumer=True)
    try:
        ids = []
        for _ in range(total):
            msg = await sub.next_msg(timeout=5)
            ids.append((msg.headers or {})["Nats-Msg-Id"])
        return ids
    finally:
        await sub.unsubscribe()


async def _hub_caught_up(hub_js: JetStreamContext, expected: int) -> bool:
    """The hub holds `expected` events and its county source is active with nothing left to copy."""
    info = await hub_js.stream_info(EVENTS_STREAM)
    sources = info.sources or []
    active = all(s.active is not None and s.active >= 0 and s.lag == 0 and s.error is None for s in sources)
    return bool(sources) and active and info.state.messages >= expected


@pytest.mark.slow
async def test_hub_sources_the_county_and_catches_up_exactly_once_after_an_outage(
    sites: tuple[Site, Site],
) -> None:
    hub, county = sites
    await wait_until(lambda: hub.leaf_connections() == 1, message="county never joined the hub")
    county_nc, county_js = await connect(county)
    hub_nc, hub_js = await connect(hub)
    try:
        await county_js.add_stream(config=load_stream("county/SANJI_EVENTS.json"))
        hub_info = await hub_js.add_stream(config=load_stream("hub/SANJI_EVENTS.json"))
        assert hub_info.config.subjects == ["sanji.ev.>"]  # its own events, plus the county's sourced
        assert hub_info.config.duplicate_window == 7200
        # Sanji's services start with ensure_stream: they accept the streams the operator made.
        await ensure_stream(county_js, events_stream_config())
        await ensure_stream(hub_js, events_stream_config())

        county_ids, acks = await _publish(county_js, COUNTY_UNIT, 10)
        assert {ack.domain for ack in acks} == {COUNTY_DOMAIN}  # stored at the county, not at the hub
        city_ids, acks = await _publish(hub_js, CITY_UNIT, 3)
        assert {ack.domain for ack in acks} == {"city"}
        await wait_until(
            lambda: _hub_caught_up(hub_js, 13), CATCH_UP_TIMEOUT, message="hub never sourced the county"
        )
        stored = await _stored_ids(hub_js)
        assert sorted(stored) == sorted(county_ids + city_ids)
        county_state = (await county_js.stream_info(EVENTS_STREAM)).state
        assert county_state.messages == 10  # the hub's own events stay at the hub
    finally:
        await hub_nc.close()

    # The hub goes away: the county keeps taking events (and still dedupes a relay's retry).
    hub.stop()
    assert hub.pid is None
    try:
        cut_off_ids, acks = await _publish(county_js, COUNTY_UNIT, 15)
        assert {ack.domain for ack in acks} == {COUNTY_DOMAIN}
        assert [ack.seq for ack in acks] == list(range(11, 26))
        retry = await county_js.publish(
            event_subject("outreach.activity_logged", COUNTY_UNIT),
            b"{}",
            headers={"Nats-Msg-Id": cut_off_ids[0]},
            stream=EVENTS_STREAM,
        )
        assert retry.duplicate
        await wait_until(lambda: county.leaf_connections() == 0, message="county still sees the hub")

        # The hub returns and catches up: every event exactly once, the county's in the county's order.
        hub.start()
        await wait_until(lambda: hub.leaf_connections() == 1, message="county never rejoined the hub")
        hub_nc, hub_js = await connect(hub)
        try:
            await wait_until(
                lambda: _hub_caught_up(hub_js, 28), CATCH_UP_TIMEOUT, message="hub never caught up"
            )
            stored = await _stored_ids(hub_js)
            assert len(stored) == len(set(stored)) == 28
            assert set(stored) == {*county_ids, *cut_off_ids, *city_ids}
            assert [i for i in stored if i not in city_ids] == county_ids + cut_off_ids
        finally:
            await hub_nc.close()
    finally:
        await county_nc.close()


async def test_a_county_user_reads_only_its_own_subtree(hub_only: Site) -> None:
    hub = hub_only
    sanji_nc, sanji_js = await connect(hub)
    reader, errors = await connect_collecting(hub.url("county-320506"), inbox="_INBOX_county_320506")
    try:
        await sanji_js.add_stream(config=events_stream_config())
        own = await reader.subscribe("sanji.ev.*.*.3205.320506.>")
        for beyond in ("sanji.ev.*.*.3205.320507.>", "sanji.ev.>"):
            await reader.subscribe(beyond)
            await wait_until(partial(refused, errors, "Subscription", beyond), message=beyond)

        own_ids, _ = await _publish(sanji_js, "3205.320506", 1)
        other_ids, _ = await _publish(sanji_js, "3205.320507.320507001", 1)
        live = await own.next_msg(timeout=5)
        assert (live.headers or {})["Nats-Msg-Id"] == own_ids[0]

        # Reading the stream: only through its own durable consumer, with the filter of its subtree.
        js = reader.jetstream()
        mine = ConsumerConfig(
            name="county_320506",
            durable_name="county_320506",
            filter_subject="sanji.ev.*.*.3205.320506.>",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
        )
        await js.add_consumer(EVENTS_STREAM, mine)
        pull = await js.pull_subscribe_bind("county_320506", stream=EVENTS_STREAM)
        fetched = await pull.fetch(10, timeout=5)
        assert [(m.headers or {})["Nats-Msg-Id"] for m in fetched] == own_ids
        for message in fetched:
            await message.ack()

        wider = ConsumerConfig(
            name="county_320506", durable_name="county_320506", filter_subject="sanji.ev.>"
        )
        with pytest.raises(nats.errors.TimeoutError):
            await js.add_consumer(EVENTS_STREAM, wider, timeout=1)
        await wait_until(
            lambda: refused(
                errors, "Publish", "$JS.API.CONSUMER.CREATE.SANJI_EVENTS.county_320506.sanji.ev.>"
            )
        )

        # It cannot write events either.
        await reader.publish(event_subject("outreach.activity_logged", "3205.320506"), b"{}")
        await wait_until(
            lambda: refused(errors, "Publish", "sanji.ev.outreach.activity_logged.3205.320506._")
        )
        assert other_ids  # published, but never seen by this user
    finally:
        await reader.close()
        await sanji_nc.close()


async def test_another_system_may_only_ingest_its_own_subjects(hub_only: Site) -> None:
    hub = hub_only
    sanji_nc, _ = await connect(hub)
    other, errors = await connect_collecting(hub.url("monitor"))
    try:
        served: list[str] = []

        async def answer(msg: Msg) -> None:
            served.append(msg.subject)
            await msg.respond(b'{"ok": true}')

        await sanji_nc.subscribe("sanji.cmd.>", cb=answer)
        await sanji_nc.subscribe("sanji.ingest.>", cb=answer)
        await subscriptions_in_place(sanji_nc)
        own = ingest_subject("opinion", "item", "monitor", "3205.320506")
        reply = await other.request(own, b"{}", timeout=5)
        assert reply.data == b'{"ok": true}'

        # No commands (the gateway alone sends them), no other system's name, no other context, no events,
        # no JetStream, no reading events or anyone else's replies.
        for subject in (
            "sanji.cmd.outreach.log_activity",
            "sanji.cmd.duty.rename_unit",
            ingest_subject("opinion", "item", "elearning", "3205"),
            ingest_subject("outreach", "activity", "monitor", "3205"),
            "sanji.ev.outreach.activity_logged.3205._._",
            "$JS.API.STREAM.INFO.SANJI_EVENTS",
        ):
            await other.publish(subject, b"{}", reply="_INBOX_monitor.x")
            await wait_until(partial(refused, errors, "Publish", subject), message=subject)
        for subject in ("sanji.ev.>", "_INBOX.>", "_INBOX_gateway.>"):
            await other.subscribe(subject)
            await wait_until(partial(refused, errors, "Subscription", subject), message=subject)
        assert served == [own]
    finally:
        await other.close()
        await sanji_nc.close()


@pytest.mark.slow
async def test_a_county_leaf_cannot_put_another_countys_event_or_a_command_into_the_hub(
    tmp_path: Path,
) -> None:
    # A county site that ignores the city's config: its remote no longer denies Sanji subjects.
    hub, county = make_sites(tmp_path)
    reckless = tmp_path / "county.conf"
    reckless.write_text(
        county.template.read_text()
        .replace('deny_imports: ["sanji.>"]', "")
        .replace('deny_exports: ["sanji.>"]', "")
    )
    county.template = reckless
    hub.start()
    try:
        county.start()
        try:
            await _county_link_refused_at_the_hub(hub, county)
        finally:
            county.stop()
    finally:
        hub.stop()


async def _county_link_refused_at_the_hub(hub: Site, county: Site) -> None:
    await wait_until(lambda: hub.leaf_connections() == 1, message="county never joined the hub")
    county_nc, county_js = await connect(county)
    hub_nc, hub_js = await connect(hub)
    try:
        commands: list[str] = []

        async def answer(msg: Msg) -> None:
            commands.append(msg.subject)
            await msg.respond(b'{"ok": true}')

        await hub_nc.subscribe("sanji.cmd.>", cb=answer)
        await subscriptions_in_place(hub_nc)
        await county_js.add_stream(config=load_stream("county/SANJI_EVENTS.json"))
        await hub_js.add_stream(config=load_stream("hub/SANJI_EVENTS.json"))

        # Into the county's own stream, which the hub sources: its own subtree's event and another county's.
        own, _ = await _publish(county_js, COUNTY_UNIT, 1)
        await _publish(county_js, "3205.320507.320507001", 1)
        # Straight across the link: another county's event, and a command for the hub's services.
        forged = new_event_id()
        await county_nc.publish(
            event_subject("outreach.activity_logged", "3205.320507"), b"{}", headers={"Nats-Msg-Id": forged}
        )
        with pytest.raises((nats.errors.NoRespondersError, nats.errors.TimeoutError)):
            await county_nc.request("sanji.cmd.duty.rename_unit", b"{}", timeout=2)

        await wait_until(lambda: _hub_caught_up(hub_js, 1), CATCH_UP_TIMEOUT, message="hub never sourced")
        later, _ = await _publish(county_js, COUNTY_UNIT, 1)  # sourced after everything above
        await wait_until(lambda: _hub_caught_up(hub_js, 2), CATCH_UP_TIMEOUT, message="hub stopped sourcing")
        assert await _stored_ids(hub_js) == own + later
        assert commands == []
    finally:
        await hub_nc.close()
        await county_nc.close()
