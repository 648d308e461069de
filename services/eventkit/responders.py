"""Request/reply on plain nats-py subscriptions: the write path's front door (commands and ingest).

FastStream serves the read-side query subjects; the write path does not go through it because, per
message, FastStream decodes the body as JSON and resolves the handler's dependencies (some in a
worker thread) before our handler sees the bytes it then parses itself: about a millisecond of CPU
a command, most of what a small command costs. Here a queue-group subscription hands each request
to a task, at most ``workers`` at a time (the rest wait in the subscription's buffer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import ConnectionClosedError

from contracts.commands import CommandReply
from services.eventkit.errors import internal_error

log = logging.getLogger(__name__)
Respond = Callable[[bytes, str], Awaitable[bytes]]  # (request body, subject it came on) → reply


class Responders:
    def __init__(self, nc: NatsClient, workers: int) -> None:
        self.nc = nc
        self._slots = asyncio.Semaphore(max(1, workers))
        self._subscriptions: list[Subscription] = []
        self._answering: set[asyncio.Task[None]] = set()

    async def serve(self, subject: str, queue: str, respond: Respond) -> None:
        async def on_request(message: Msg) -> None:
            await self._slots.acquire()  # back-pressure: the subscription's buffer holds the rest
            task = asyncio.create_task(self._answer(message, respond))
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)

        self._subscriptions.append(await self.nc.subscribe(subject, queue=queue, cb=on_request))
        await subscriptions_in_place(self.nc)  # before anyone is told we are ready

    async def _answer(self, message: Msg, respond: Respond) -> None:
        """The bus's boundary: whatever fails, the requester gets an internal error with an id to quote
        (the traceback goes to the log only) instead of waiting for its timeout."""
        try:
            try:
                reply = await respond(message.data, message.subject)
            except Exception:
                error = internal_error("the request could not be answered", subject=message.subject)
                reply = CommandReply(ok=False, error=error).model_dump_json().encode()
            if message.reply:
                await message.respond(reply)
        except Exception:  # the connection is gone: the requester times out and may retry the same id
            log.exception("could not answer a request", extra={"subject": message.subject})
        finally:
            self._slots.release()

    async def stop(self) -> None:
        """Take no new requests, answer the ones already taken."""
        for subscription in self._subscriptions:
            # A connection the server closed (its user's password rotated) has no subscriptions left.
            with contextlib.suppress(ConnectionClosedError):
                await subscription.unsubscribe()
        self._subscriptions.clear()
        if self._answering:
            await asyncio.gather(*self._answering, return_exceptions=True)


async def subscriptions_in_place(nc: NatsClient) -> None:
    """Return once the server has every subscription ``nc`` made so far.

    One ``flush()`` does not promise that: nats-py queues SUB for its flusher task but writes the PING
    of ``flush()`` straight to the socket, so the PONG can come back before the server has read the
    SUB, and a request sent then is answered "no responders" (about 1 in 4,000 here, more under load).
    The first flush's round trip lets the flusher write the queued SUB; the second PING follows it.
    """
    await nc.flush()
    await nc.flush()
