"""The one way a query is answered: parameters checked against the query's contract, a wait for
``after`` (read-your-writes), one repeatable-read read-only snapshot for the handler and the
freshness, and the answer checked against its contract before it leaves."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import ValidationError

from contracts.commands import ErrorBody, FieldError
from contracts.inputs import InputError, read_json
from contracts.queries.base import QueryContract, QueryParams
from services.eventkit.db import Conn
from services.eventkit.errors import internal_error
from services.eventkit.positions import DEFAULT_WAIT_SECONDS, parse_position, wait_applied

log = logging.getLogger(__name__)
Handler = Callable[[Conn, Any], Awaitable[Mapping[str, Any]]]  # (snapshot, params model) → answer fields
AFTER_TIMEOUT = DEFAULT_WAIT_SECONDS  # a query waits this long for ``after``, then answers stale


class QueryError(Exception):
    """A query that cannot be answered as asked (unknown unit, bad parameter), naming the field."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        if field is None and code == "invalid" and ": " in message:
            self.field = message.partition(": ")[0]

    def body(self) -> ErrorBody:
        reason = self.message.removeprefix(f"{self.field}: ") if self.field else self.message
        fields = [FieldError(field=self.field, reason=reason)] if self.field else []
        return ErrorBody.model_validate({"code": self.code, "message": self.message, "fields": fields})


@dataclass(frozen=True)
class QuerySpec:
    """A query contract answered by ``handler`` from the view whose checkpoint ``projector`` names."""

    contract: QueryContract
    projector: str
    handler: Handler

    @property
    def name(self) -> str:
        return self.contract.name


def checked_params(model: type[QueryParams], raw: bytes) -> QueryParams:
    """The request's parameters as ``model``, else QueryError naming the first field at fault and why."""
    try:
        data = read_json(raw, "params") if raw.strip() else {}
    except InputError as error:
        raise QueryError("invalid", f"{error.field}: {error.reason}", error.field) from None
    if not isinstance(data, dict):
        raise QueryError("invalid", "params: not a JSON object", "params")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "params"
        reason = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            reason = "not a parameter of this query"
        raise QueryError("invalid", f"{field}: {reason}", field) from None


async def freshness(conn: Conn, schema: str, projector: str) -> dict[str, Any]:
    """The stream sequence the view has applied and how long ago (as seen in this snapshot)."""
    row = await conn.fetchrow(
        f"SELECT seq, updated_at FROM {schema}.stream_checkpoints WHERE name = $1", projector
    )
    if row is None:
        return {"checkpoint": 0, "updated_at": None, "age_seconds": None}
    age = (datetime.now(UTC) - row["updated_at"]).total_seconds()
    return {
        "checkpoint": row["seq"],
        "updated_at": row["updated_at"].isoformat(),
        "age_seconds": round(age, 3),
    }


async def run_query(pool: asyncpg.Pool, schema: str, spec: QuerySpec, raw: bytes) -> dict[str, Any]:
    """The answer's fields (freshness and stale included), as its contract describes them."""
    params = checked_params(spec.contract.params, raw)
    stale = False
    if params.after is not None:
        try:
            position = parse_position(params.after)
        except ValueError as error:
            raise QueryError("invalid", f"after: {error}", "after") from None
        # Before the snapshot: a snapshot taken first would not see what the wait waited for.
        stale = not await wait_applied(pool, schema, spec.projector, position, AFTER_TIMEOUT)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        found = await spec.handler(conn, params)
        fresh = await freshness(conn, schema, spec.projector)
    answer = spec.contract.answer.model_validate({**found, "freshness": fresh, "stale": stale})
    return answer.model_dump(mode="json", by_alias=True)


def query_responder(
    pool: asyncpg.Pool, schema: str, spec: QuerySpec
) -> Callable[[bytes, str], Awaitable[bytes]]:
    """A responder (responders.py) answering ``{"ok": true, "result": …}`` or ``{"ok": false, "error": …}``."""

    async def respond(raw: bytes, subject: str) -> bytes:
        try:
            result = await run_query(pool, schema, spec, raw)
            return json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode()
        except QueryError as error:
            return json.dumps({"ok": False, "error": error.body().model_dump()}, ensure_ascii=False).encode()
        except Exception:
            body = internal_error("the query failed", subject=subject)
            return json.dumps({"ok": False, "error": body.model_dump()}, ensure_ascii=False).encode()

    return respond
