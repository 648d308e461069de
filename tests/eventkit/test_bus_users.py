"""The embedded NATS holds the boundary: nobody connects anonymously, each service publishes only its own
events, only the gateway sends commands, an external system ingests only as itself within its subtree,
and nobody reads another user's replies. Each test attacks one protection and fails without it."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from contracts.commands import CommandReply, CommandRequest
from contracts.envelope import new_event_id
from contracts.subjects import EVENTS_STREAM, event_subject, ingest_subject
from services import registry
from services.eventkit.busconnect import connect
from services.eventkit.bususers import CREDENTIALS_FILE, SERVICE_CONSUMERS, ExternalSystem, load_passwords
from services.eventkit.client import new_command_id
from services.eventkit.embedded import NatsServer
from services.eventkit.responders import subscriptions_in_place
from services.eventkit.streams import ensure_sanji_streams
from tests.helpers import connect_collecting, refused, wait_until
from tests.opinion.support import LEADER, named, setup_city
from tests.outreach.support import TOWNSHIP, activity, query, register_units
from tests.stack import CITY_ADMIN, client, running

OTHER_COUNTY_UNIT = "3205.320507"


async def _stream_ids(nats_url: str) -> list[str]:
    """The Nats-Msg-Id of every event in SANJI_EVENTS (read as the operator)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        total = (await js.stream_info(EVENTS_STREAM)).state.messages
        sub = await js.subscribe("sanji.ev.>", stream=EVENTS_STREAM, ordered_consumer=True)
        ids = [((await sub.next_msg(timeout=5)).headers or {})["Nats-Msg-Id"] for _ in range(total)]
        await sub.unsubscribe()
        return ids
    finally:
        await nc.close()


async def _streams_exist(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        await ensure_sanji_streams(nc.jetstream())
    finally:
        await nc.close()


# --- who may connect ------------------------------------------------------------------------------


async def test_no_one_connects_anonymously_or_with_a_wrong_password(nats_server: NatsServer) -> None:
    anonymous = f"nats://127.0.0.1:{nats_server.port}"
    for url in (anonymous, f"nats://gateway:not-the-password@127.0.0.1:{nats_server.port}"):
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0, allow_reconnect=False)
    nc = await nats.connect(nats_server.url_for("gateway"), connect_timeout=5)  # the real one is let in
    await nc.close()


def test_passwords_are_kept_private_and_the_config_holds_only_hashes(nats_server: NatsServer) -> None:
    credentials = nats_server.data_dir / CREDENTIALS_FILE
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(nats_server.config_path.stat().st_mode) == 0o600
    config = nats_server.config_path.read_text()
    passwords = load_passwords(nats_server.data_dir)
    assert set(passwords) >= {"operator", "gateway", *SERVICE_CONSUMERS, "monitor", "elearning"}
    assert not any(password in config for password in passwords.values())
    assert config.count('password: "$2b$') == len(passwords)
    assert "no_auth_user" not in config


async def test_passwords_survive_a_restart(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats")
    with server:
        before = server.url_for("duty")
    again = NatsServer(tmp_path / "nats")
    with again:
        assert again.url_for("duty").split("@")[0] == before.split("@")[0]
        nc = await nats.connect(again.url_for("duty"), connect_timeout=5)
        await nc.close()


# --- events ---------------------------------------------------------------------------------------


async def test_a_service_user_publishes_only_its_own_contexts_events(nats_server: NatsServer) -> None:
    await _streams_exist(nats_server.url)
    duty, errors = await connect_collecting(nats_server.url_for("duty"))
    try:
        js = duty.jetstream()
        own = event_subject("duty.unit_registered", "3205.320506")
        ack = await js.publish(own, b"{}", headers={"Nats-Msg-Id": new_event_id()}, stream=EVENTS_STREAM)
        assert ack.seq == 1  # its own context: stored

        other = event_subject("outreach.activity_logged", TOWNSHIP)
        await duty.publish(other, b"{}", headers={"Nats-Msg-Id": new_event_id()})
        await wait_until(
            partial(refused, errors, "Publish", other), message="duty published outreach's event"
        )
    finally:
        await duty.close()
    projection, errors = await connect_collecting(nats_server.url_for("projection"))
    try:
        await projection.publish(own, b"{}")
        await wait_until(
            partial(refused, errors, "Publish", own), message="the projection published an event"
        )
    finally:
        await projection.close()
    assert len(await _stream_ids(nats_server.url)) == 1


async def test_services_work_on_their_own_users_and_a_forged_event_never_lands(
    nats_server: NatsServer, database_url: str
) -> None:
    names = [name for name in registry.names() if name != "gateway"]
    async with (
        running(nats_server.url_for, database_url, *names) as runtimes,
        client(nats_server.url_for("gateway")) as sanji,
    ):
        await register_units(sanji)  # commands through the gateway's user; outreach's reaction learns units
        reply = await sanji.send("outreach.log_activity", activity("act-real-0001", audience=7), CITY_ADMIN)
        assert reply.ok, reply.error

        async def audience() -> int:
            township = await query(sanji, "unit", path=TOWNSHIP)
            return int(township["own"]["audience"])

        await wait_until(lambda: _equals(audience(), 7), message="the projection never showed the activity")

        # Every other user forges a copy of a real event with a huge audience, as the attacker did.
        real = await _an_activity_logged(nats_server.url)
        forged = {**real, "id": new_event_id(), "data": {**real["data"], "audience": 1_000_000}}
        subject = event_subject("outreach.activity_logged", TOWNSHIP)
        for user in ("gateway", "monitor", "duty", "projection"):
            attacker, errors = await connect_collecting(nats_server.url_for(user))
            try:
                await attacker.publish(
                    subject, json.dumps(forged).encode(), headers={"Nats-Msg-Id": forged["id"]}
                )
                await wait_until(
                    partial(refused, errors, "Publish", subject), message=f"{user} forged an event"
                )
            finally:
                await attacker.close()

        # A later real event passes the forged one's place: the projection has seen everything by then.
        reply = await sanji.send("outreach.log_activity", activity("act-real-0002", audience=5), CITY_ADMIN)
        assert reply.ok, reply.error
        await wait_until(lambda: _equals(audience(), 12), message="the projection never showed the second")
        assert forged["id"] not in await _stream_ids(nats_server.url)
        # Every reaction made its durable consumers with its own user's grants (the event stream's and
        # the dead-letter retries'); a refused consumer-create would only be logged and retried.
        await wait_until(lambda: _consumers_made(nats_server.url), message="a reaction has no consumer")
        assert all(runtime.nc.is_connected for runtime in runtimes)


async def _consumers_made(nats_url: str) -> bool:
    wanted = {name for consumers in SERVICE_CONSUMERS.values() for name in consumers}
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        made = {info.name for info in await js.consumers_info(EVENTS_STREAM)}
        return wanted <= made
    finally:
        await nc.close()


async def _equals(value: Any, wanted: int) -> bool:
    return bool(await value == wanted)


async def _an_activity_logged(nats_url: str) -> dict[str, Any]:
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().subscribe(
            "sanji.ev.outreach.activity_logged.>", stream=EVENTS_STREAM, ordered_consumer=True
        )
        message = await sub.next_msg(timeout=5)
        await sub.unsubscribe()
        document: dict[str, Any] = json.loads(message.data)
        return document
    finally:
        await nc.close()


# --- commands and ingest --------------------------------------------------------------------------


async def test_only_the_gateway_sends_commands(nats_server: NatsServer) -> None:
    served: list[str] = []

    async def answer(message: Msg) -> None:
        served.append(message.subject)
        await message.respond(b'{"ok": true}')

    responder = await nats.connect(nats_server.url)
    await responder.subscribe("sanji.cmd.>", cb=answer)
    await subscriptions_in_place(responder)
    subject = "sanji.cmd.duty.rename_unit"
    try:
        gateway = await connect(nats_server.url_for("gateway"), "gateway")
        assert (await gateway.request(subject, b"{}", timeout=5)).data == b'{"ok": true}'
        await gateway.close()
        for user in ("monitor", "elearning", "outreach", "projection"):
            sender, errors = await connect_collecting(nats_server.url_for(user))
            try:
                await sender.publish(subject, b"{}", reply=f"_INBOX_{user}.x")
                await wait_until(
                    partial(refused, errors, "Publish", subject), message=f"{user} sent a command"
                )
            finally:
                await sender.close()
        assert served == [subject]  # the gateway's alone
    finally:
        await responder.close()


async def test_an_ingest_acts_as_its_subjects_system_within_its_subtree_whatever_the_body_claims(
    tmp_path: Path, database_url: str
) -> None:
    hotline = ExternalSystem("hotline", "3205.320506", ("opinion.item",))
    server = NatsServer(tmp_path / "nats", systems=[hotline])
    with server:
        async with (
            running(server.url_for, database_url, "duty", "opinion") as runtimes,
            client(server.url_for("gateway")) as sanji,
        ):
            await setup_city(sanji)
            system, errors = await connect_collecting(server.url_for("hotline"))
            try:
                # The body claims the city's admin; the subject says hotline, county 320506.
                own = await _ingest(system, "3205.320506", _item("h-1", "3205.320506.320506001"))
                assert own.ok, own.error
                beyond = await _ingest(system, "3205.320506", _item("h-2", OTHER_COUNTY_UNIT))
                assert beyond.error is not None
                assert beyond.error.code == "not_found"  # outside its subtree: as if it did not exist

                # NATS refuses the subjects of another subtree, and of another system's name.
                for subject in (
                    ingest_subject("opinion", "item", "hotline", OTHER_COUNTY_UNIT),
                    ingest_subject("opinion", "item", "monitor", "3205.320506"),
                    ingest_subject("opinion", "nil_report", "hotline", "3205.320506"),
                ):
                    await system.publish(subject, b"{}", reply="_INBOX_hotline.x")
                    await wait_until(partial(refused, errors, "Publish", subject), message=subject)
            finally:
                await system.close()
            actors = await named(runtimes, "opinion").pool.fetch(
                "SELECT DISTINCT envelope->>'actor' AS actor FROM opinion.events"
                " WHERE envelope->>'type' = 'opinion.reported'"
            )
            assert [row["actor"] for row in actors] == ["system:hotline"]


def _item(external_id: str, unit: str) -> dict[str, Any]:
    return {
        "source": "hotline-12345",
        "external_id": external_id,
        "unit": unit,
        "channel": "hotline_12345",
        "title": "市民来电反映低保审核问题",
        "excerpt": "来电人称社区低保审核不公开。",
        "link": "https://hotline.example/c/1",
        "captured_at": (datetime.now(UTC) - timedelta(minutes=20)).isoformat(),
    }


async def _ingest(nc: NatsClient, scope: str, body: dict[str, Any]) -> CommandReply:
    request = CommandRequest(actor=LEADER, commandid=new_command_id(), body=body)
    subject = ingest_subject("opinion", "item", "hotline", scope)
    message = await nc.request(subject, request.model_dump_json().encode(), timeout=10)
    return CommandReply.model_validate_json(message.data)


# --- replies --------------------------------------------------------------------------------------


async def test_nobody_reads_another_users_inbox(nats_server: NatsServer) -> None:
    for user, others in (
        ("gateway", ["_INBOX_duty.>", "_INBOX.>", ">"]),
        ("monitor", ["_INBOX_gateway.>", "_INBOX_operator.>"]),
        ("duty", ["_INBOX_gateway.>", "_INBOX_outreach.>"]),
    ):
        reader, errors = await connect_collecting(nats_server.url_for(user))
        try:
            for subject in others:
                await reader.subscribe(subject)
                await wait_until(
                    partial(refused, errors, "Subscription", subject), message=f"{user} read {subject}"
                )
        finally:
            await reader.close()


def test_the_inbox_prefix_follows_the_urls_user() -> None:
    from services.eventkit.busconnect import inbox_prefix_for

    assert inbox_prefix_for("nats://gateway:pw@127.0.0.1:4222") == "_INBOX_gateway"
    assert inbox_prefix_for("nats://a.b:pw@h:1,nats://a.b:pw@h:2") == "_INBOX_a_b"
    assert inbox_prefix_for("nats://127.0.0.1:4222") == "_INBOX"
    assert inbox_prefix_for("nats://gateway:pw@h:1", "_INBOX_county_320506") == "_INBOX_county_320506"


def test_an_external_system_is_a_name_and_a_subtree_of_division_codes() -> None:
    for name, scope in (("gateway", "3205"), ("Bad-Name", "3205"), ("ok", "3205.320506.dept01")):
        with pytest.raises(ValueError, match="external system"):
            ExternalSystem(name, scope, ("opinion.*",))
