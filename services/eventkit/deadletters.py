"""Dead letters: what reaction consumers could not handle, kept with the error for an operator to
list, send back for another try, or discard. Retried letters go to the consumer's retry subject,
where the same handler and inbox apply them (still exactly once)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from contracts.subjects import DLQ_STREAM, dead_letter_subject, retry_subject

DEAD_SUBJECTS = "sanji.dlq.dead.>"


class NoSuchDeadLetter(LookupError):
    """No dead letter has that sequence number (already retried or discarded?)."""


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    consumer: str
    error: str
    attempts: int
    original_subject: str
    original_seq: int
    event_id: str | None
    event_type: str | None
    data: bytes

    @classmethod
    def from_message(cls, message: RawStreamMsg) -> DeadLetter:
        headers = message.headers or {}
        payload = message.data or b""
        try:
            document = json.loads(payload)
        except ValueError:
            document = {}
        document = document if isinstance(document, dict) else {}
        return cls(
            seq=message.seq or 0,
            consumer=headers.get("Sanji-Consumer", "?"),
            error=headers.get("Sanji-Error", ""),
            attempts=int(headers.get("Sanji-Attempts", "0")),
            original_subject=headers.get("Sanji-Original-Subject", ""),
            original_seq=int(headers.get("Sanji-Original-Seq", "0")),
            event_id=document.get("id"),
            event_type=document.get("type"),
            data=payload,
        )


async def send_to_dead_letters(
    js: JetStreamContext, consumer: str, message: Msg, reason: str, attempts: int
) -> None:
    """Store a message a consumer gave up on, with why; once per consumer and original message."""
    seq = message.metadata.sequence.stream
    headers = {
        "Nats-Msg-Id": f"dlq:{consumer}:{seq}",
        "Sanji-Error": reason[:2000],
        "Sanji-Consumer": consumer,
        "Sanji-Original-Subject": message.subject,
        "Sanji-Original-Seq": str(seq),
        "Sanji-Attempts": str(attempts),
    }
    await js.publish(dead_letter_subject(consumer), message.data, headers=headers, stream=DLQ_STREAM)


async def dead_letter_count(js: JetStreamContext) -> int:
    info = await js.stream_info(DLQ_STREAM, subjects_filter=DEAD_SUBJECTS)
    return sum((info.state.subjects or {}).values())


async def list_dead_letters(js: JetStreamContext, limit: int = 100) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    seq = 1
    while len(letters) < limit:
        try:
            message = await js.get_msg(DLQ_STREAM, seq=seq, subject=DEAD_SUBJECTS, next=True)
        except NotFoundError:
            break
        letters.append(DeadLetter.from_message(message))
        seq = (message.seq or seq) + 1
    return letters


async def get_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    try:
        message = await js.get_msg(DLQ_STREAM, seq=seq)
    except NotFoundError:
        raise NoSuchDeadLetter(f"no dead letter with sequence {seq}") from None
    if not (message.subject or "").startswith("sanji.dlq.dead."):
        raise NoSuchDeadLetter(f"sequence {seq} is not a dead letter")
    return DeadLetter.from_message(message)


async def retry_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    """Send a dead letter back to its consumer, then remove it from the dead letters."""
    letter = await get_dead_letter(js, seq)
    await js.publish(
        retry_subject(letter.consumer),
        letter.data,
        headers={"Nats-Msg-Id": f"retry:{letter.consumer}:{seq}", "Sanji-Dead-Letter-Seq": str(seq)},
        stream=DLQ_STREAM,
    )
    await js.delete_msg(DLQ_STREAM, seq)
    return letter


async def discard_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    letter = await get_dead_letter(js, seq)
    await js.delete_msg(DLQ_STREAM, seq)
    return letter
