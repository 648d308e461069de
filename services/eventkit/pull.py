"""A lean reader of a JetStream pull consumer, for the projector's hot path.

nats-py's ``PullSubscription.fetch`` waits for each message of a batch with its own task, ``wait_for``
and uuid: about five event-loop turns per message, a third of the projection's CPU. Here one pull
request is open at a time; its messages land in a buffer from a subscription callback (no task per
message), and ``take`` hands over whatever has arrived. The next request goes out as soon as the open
one is filled or ends, unless a full batch already waits in the buffer: at most two batches are ever
requested ahead of the reader, so a slow reader holds the server back rather than fill memory.

Order is the consumer's delivery order (one consumer, one request at a time). Nothing is acknowledged:
the caller keeps its own checkpoint, as the projector does in PostgreSQL. Without acknowledgements the
server counts a message as delivered once it has written it to the connection, so a message lost on the
way (the connection dropped while a batch was in flight, a node of the cluster died) would never come
again: the reader checks that the consumer's delivery numbers run without a gap, as nats's ordered
consumers do, and on a gap it fails so that its caller starts again from its own checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

log = logging.getLogger(__name__)

REQUEST_EXPIRES = 5.0  # seconds a pull request waits on the server for its batch to fill
# A request that neither filled nor expired this long after its deadline was lost (a reconnect drops
# the server's waiting requests without a word): the reader sends a new one.
LOST_AFTER = 2.0
ENDED = frozenset({"404", "408"})  # no messages / request expired: the request is over, ask again


class PullConsumerGone(RuntimeError):
    """The server ended the consumer or refused the request (status 409 and the like), or messages it
    delivered never arrived: the reader cannot go on without skipping some."""


class PullReader:
    def __init__(self, js: JetStreamContext, stream: str, consumer: str, batch: int) -> None:
        # The context's connection and API prefix (a JetStream domain changes the prefix): nats-py
        # keeps both on the context without public accessors.
        nc: NatsClient = js._nc
        self.nc, self.batch, self.stream, self.consumer = nc, batch, stream, consumer
        self._js: JetStreamContext | None = js
        self._next_subject = f"{js._prefix}.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._inbox = nc.new_inbox()
        self._buffer: deque[Msg] = deque()
        self._arrived = asyncio.Event()
        self._failure: PullConsumerGone | None = None
        self._open = 0  # messages the open request may still deliver; 0 when none is open
        self._deadline = 0.0
        self._subscription: Subscription | None = None
        self._next_delivery = 1  # the consumer's delivery number the next message must carry

    async def start(self) -> None:
        """Start reading a consumer that has delivered nothing yet."""
        self._subscription = await self.nc.subscribe(self._inbox, cb=self._on_message)
        await self._request()

    @classmethod
    async def open(cls, js: JetStreamContext, stream: str, config: ConsumerConfig, batch: int) -> PullReader:
        """Create the (ephemeral) consumer described by ``config`` and start reading it."""
        info = await js.add_consumer(stream, config)
        reader = cls(js, stream, info.name, batch)
        await reader.start()
        return reader

    async def close(self) -> None:
        """Stop reading and delete the consumer (it would otherwise linger until its inactivity limit)."""
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
        if self._js is not None:
            try:
                await self._js.delete_consumer(self.stream, self.consumer)
            except Exception as error:  # gone already, or the connection is down: it expires on its own
                log.debug("pull consumer %s not deleted: %r", self.consumer, error)
            self._js = None

    async def take(self, wait: float) -> list[Msg]:
        """Up to ``batch`` messages in delivery order: those already here, else the first to arrive
        within ``wait`` seconds (else an empty list)."""
        if self._failure is not None:
            raise self._failure
        if not self._buffer:
            await self._keep_requesting()
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), wait)
        if self._failure is not None:
            raise self._failure
        count = min(len(self._buffer), self.batch)
        messages = [self._buffer.popleft() for _ in range(count)]
        await self._keep_requesting()
        return messages

    async def _keep_requesting(self) -> None:
        if self._open and time.monotonic() > self._deadline + LOST_AFTER:
            self._open = 0
        if not self._open and len(self._buffer) < self.batch:
            await self._request()

    async def _request(self) -> None:
        self._open = self.batch
        self._deadline = time.monotonic() + REQUEST_EXPIRES
        body = {"batch": self.batch, "expires": int(REQUEST_EXPIRES * 1e9)}
        await self.nc.publish(self._next_subject, json.dumps(body).encode(), reply=self._inbox)

    async def _on_message(self, message: Msg) -> None:
        status = message.headers.get("Status") if message.headers and not message.data else None
        if self._failure is not None:
            pass  # the reader has failed: its caller starts again, nothing more is kept
        elif status is None:
            delivery = message.metadata.sequence.consumer
            if delivery != self._next_delivery:
                self._failure = PullConsumerGone(
                    f"messages lost in flight: delivery {self._next_delivery} expected, {delivery} came"
                )
            else:
                self._next_delivery += 1
                self._buffer.append(message)
                self._open = max(self._open - 1, 0)
        elif status in ENDED:
            self._open = 0
        elif status != "100":  # 100 is a heartbeat; anything else means the consumer cannot serve us
            description = message.headers.get("Description", "") if message.headers else ""
            self._failure = PullConsumerGone(f"pull request refused: {status} {description}".strip())
        self._arrived.set()
        if not self._open and len(self._buffer) < self.batch and self._failure is None:
            await self._request()
