"""Forwarding commands: HTTP body → CommandRequest on ``sanji.cmd.<context>.<name>`` → HTTP reply."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request

import contracts  # noqa: F401  (registers every command, so unknown names are refused here)
from contracts.commands import COMMANDS, MAX_COMMAND_BYTES, Actor, CommandReply, FieldError
from contracts.inputs import InputError, read_json
from services.eventkit.client import SanjiClient
from services.gateway.errors import GatewayError, field_error

NAME_PART = re.compile(r"^[a-z][a-z0-9_]{0,47}$")  # also keeps NATS wildcards and dots out of subjects
HEADER_VALUE = re.compile(r"^[A-Za-z0-9_.:-]+$")
IDEMPOTENCY_FIELD = "headers.Idempotency-Key"


def command_name(context: str, name: str) -> str:
    """The registered command ``<context>.<name>``, or a 404 naming it."""
    if not (NAME_PART.match(context) and NAME_PART.match(name)):
        raise GatewayError("not_found", "no such command (names are lowercase letters, digits and _)")
    full = f"{context}.{name}"
    if full not in COMMANDS:
        raise GatewayError("not_found", f"there is no command {full}")
    return full


async def read_body(request: Request, limit: int = MAX_COMMAND_BYTES) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    too_large = field_error("body", f"the body is larger than {limit} bytes", "too_large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object read by the door's rules (contracts.inputs), or 422 naming the field."""
    try:
        body = read_json(raw, "body")
    except InputError as error:
        raise field_error(error.field, error.reason) from None
    if not isinstance(body, dict):
        raise field_error("body", f"the body must be a JSON object, not {type(body).__name__}")
    return body


def header_id(request: Request, header: str, min_length: int) -> str | None:
    """An id taken from a header (Idempotency-Key, X-Correlation-Id), checked like the contract does."""
    value = request.headers.get(header)
    if value is None:
        return None
    if not (min_length <= len(value) <= 64 and HEADER_VALUE.match(value)):
        reason = f"must be {min_length}–64 characters of letters, digits, _ . : -"
        raise field_error(f"headers.{header}", reason)
    return value


async def forward(
    sanji: SanjiClient,
    name: str,
    body: dict[str, Any],
    actor: Actor,
    *,
    command_id: str | None = None,
    correlation_id: str | None = None,
) -> CommandReply:
    """Send a command to the service that owns it; an error reply raises GatewayError. An actor none
    of whose roles the command allows (a viewer, for every command) is refused here already."""
    allowed = COMMANDS[name].allowed_roles
    if not actor.roles & allowed:
        reason = f"this command needs one of the roles: {', '.join(sorted(allowed))}"
        raise GatewayError("forbidden", reason, [FieldError(field="actor.roles", reason=reason)])
    reply = await sanji.send(name, body, actor, command_id=command_id, correlation_id=correlation_id)
    if not reply.ok:
        if reply.error is None:
            raise GatewayError("internal", f"{name} failed without saying why")
        error = GatewayError.from_body(reply.error)
        # over HTTP the command id is the Idempotency-Key header: name it as the caller sent it
        error.fields = [
            FieldError(field=IDEMPOTENCY_FIELD, reason=f.reason) if f.field == "commandid" else f
            for f in error.fields
        ]
        raise error
    return reply
