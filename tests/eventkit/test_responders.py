"""The write path's request/reply server on a real nats-server: bounded concurrency, a queue group
shared by instances, and a stop that answers what it already took."""

from __future__ import annotations

import asyncio
import re

import nats
from nats.errors import NoRespondersError

from contracts.commands import CommandReply
from services.eventkit.responders import Respond, Responders
from tests.helpers import wait_until


class Gate:
    """A responder that holds every request until released, counting how many it holds at once."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.holding = 0
        self.most = 0

    async def respond(self, raw: bytes, _subject: str) -> bytes:
        self.holding += 1
        self.most = max(self.most, self.holding)
        try:
            await self.open.wait()
            return b"re:" + raw
        finally:
            self.holding -= 1


async def test_at_most_workers_requests_run_at_once_and_each_is_answered(nats_url: str) -> None:
    server, caller = await nats.connect(nats_url), await nats.connect(nats_url)
    gate, responders = Gate(), Responders(server, workers=2)
    try:
        await responders.serve("kit.cmd.gated", "kit", gate.respond)
        requests = [
            asyncio.create_task(caller.request("kit.cmd.gated", f"{n}".encode(), timeout=10))
            for n in range(5)
        ]
        await wait_until(lambda: gate.holding == 2)
        await asyncio.sleep(0.2)  # the other three wait in the subscription, not in the responder
        assert gate.holding == 2
        gate.open.set()
        answers = await asyncio.gather(*requests)
        assert sorted(answer.data for answer in answers) == [f"re:{n}".encode() for n in range(5)]
        assert gate.most == 2
    finally:
        await responders.stop()
        await caller.close()
        await server.close()


async def test_stop_answers_the_requests_already_taken(nats_url: str) -> None:
    server, caller = await nats.connect(nats_url), await nats.connect(nats_url)
    gate, responders = Gate(), Responders(server, workers=4)
    try:
        await responders.serve("kit.cmd.stopping", "kit", gate.respond)
        taken = asyncio.create_task(caller.request("kit.cmd.stopping", b"x", timeout=10))
        await wait_until(lambda: gate.holding == 1)
        stopping = asyncio.create_task(responders.stop())
        await asyncio.sleep(0.1)
        assert not stopping.done()  # it waits for the request it took
        gate.open.set()
        await stopping
        assert (await taken).data == b"re:x"
    finally:
        await caller.close()
        await server.close()


async def test_instances_share_requests_through_the_queue_group(nats_url: str) -> None:
    first_nc, second_nc, caller = [await nats.connect(nats_url) for _ in range(3)]
    served: list[str] = []

    def answering(name: str) -> Respond:
        async def respond(raw: bytes, _subject: str) -> bytes:
            served.append(name)
            return name.encode()

        return respond

    first, second = Responders(first_nc, workers=2), Responders(second_nc, workers=2)
    try:
        await first.serve("kit.cmd.shared", "kit", answering("first"))
        await second.serve("kit.cmd.shared", "kit", answering("second"))
        for n in range(40):
            await caller.request("kit.cmd.shared", str(n).encode(), timeout=5)
        assert len(served) == 40  # each request answered once, by one instance
        assert set(served) == {"first", "second"}
    finally:
        await first.stop()
        await second.stop()
        for nc in (first_nc, second_nc, caller):
            await nc.close()


async def test_a_request_right_after_serve_finds_the_responder(nats_url: str) -> None:
    """Serve, then request at once from another connection, many times: never "no responders". With a
    single flush after subscribing this missed about once in 4,000 rounds (nats-py's PING overtakes its
    queued SUB), so the test catches a regression often, not always."""
    server, caller = await nats.connect(nats_url), await nats.connect(nats_url)

    async def echo(raw: bytes, _subject: str) -> bytes:
        return raw

    try:
        for round_number in range(3000):
            responders = Responders(server, workers=1)
            subject = f"kit.cmd.ready.{round_number}"
            await responders.serve(subject, "kit", echo)
            try:
                assert (await caller.request(subject, b"x", timeout=5)).data == b"x"
            except NoRespondersError:
                raise AssertionError(f"round {round_number}: no responders right after serve") from None
            await responders.stop()
    finally:
        await caller.close()
        await server.close()


async def test_a_responder_that_fails_answers_an_internal_error_with_an_id_not_a_timeout(
    nats_url: str,
) -> None:
    server, caller = await nats.connect(nats_url), await nats.connect(nats_url)
    responders = Responders(server, workers=2)

    async def broken(raw: bytes, subject: str) -> bytes:
        raise RuntimeError("boom: secret internals")

    try:
        await responders.serve("kit.cmd.broken", "kit", broken)
        for _ in range(2):  # and the responder keeps serving
            message = await caller.request("kit.cmd.broken", b"{}", timeout=5)
            reply = CommandReply.model_validate_json(message.data)
            assert reply.error is not None
            assert reply.error.code == "internal"
            assert re.search(r"error id [0-9a-f]{16}", reply.error.message)
            assert b"boom" not in message.data
            assert b"Traceback" not in message.data
    finally:
        await responders.stop()
        await server.close()
        await caller.close()
