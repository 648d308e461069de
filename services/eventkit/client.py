"""Sending commands and queries over NATS: used by the gateway, the CLI and the tests alike."""

from __future__ import annotations

import json
from typing import Any

import uuid_utils
from nats.aio.client import Client as NatsClient
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts.commands import Actor, CommandReply, CommandRequest, ErrorBody
from contracts.subjects import command_subject, query_subject


class ServiceUnavailable(RuntimeError):
    """No service answered on the subject in time."""


def new_command_id() -> str:
    return str(uuid_utils.uuid7())


class SanjiClient:
    def __init__(self, nc: NatsClient, timeout: float = 10.0) -> None:
        self.nc, self.timeout = nc, timeout

    async def send(
        self,
        name: str,
        body: dict[str, Any],
        actor: Actor,
        *,
        command_id: str | None = None,
        correlation_id: str | None = None,
    ) -> CommandReply:
        return await self.send_raw(name, encode_request(body, actor, command_id, correlation_id))

    async def send_raw(self, name: str, payload: bytes) -> CommandReply:
        try:
            message = await self.nc.request(command_subject(name), payload, timeout=self.timeout)
        except (NoRespondersError, NatsTimeout) as error:
            context = name.partition(".")[0]
            return CommandReply(
                ok=False,
                error=ErrorBody(
                    code="unavailable",
                    message=f"the {context} service did not answer ({type(error).__name__})",
                ),
            )
        return CommandReply.model_validate_json(message.data)

    async def query(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            message = await self.nc.request(
                query_subject(name), json.dumps(params or {}).encode(), timeout=self.timeout
            )
        except (NoRespondersError, NatsTimeout) as error:
            return {
                "ok": False,
                "error": {"code": "unavailable", "message": f"no answer to {name}: {type(error).__name__}"},
            }
        answer: dict[str, Any] = json.loads(message.data)
        return answer


def encode_request(
    body: dict[str, Any], actor: Actor, command_id: str | None = None, correlation_id: str | None = None
) -> bytes:
    """A command request as sent on the wire (the bench builds its bulk requests ahead with this)."""
    request = CommandRequest(
        actor=actor, commandid=command_id or new_command_id(), correlationid=correlation_id, body=body
    )
    return request.model_dump_json().encode()
