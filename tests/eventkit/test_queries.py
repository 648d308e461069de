"""The query runner (services/eventkit/queries.py) against a real PostgreSQL: parameters checked by the
contract and refused naming the field, an empty value the same as none, the handler inside a read-only
repeatable-read snapshot, freshness from the spec's projector, ``after`` waited for before the snapshot
(else ``stale``), and an answer off its contract never leaving as if it were fine."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg
import pytest
from pydantic import Field

import services.eventkit.queries as runner
from contracts.queries.base import Answer, Limit, QueryContract, QueryParams, UnitParams
from services.eventkit.db import Conn, create_pool
from services.eventkit.queries import QueryError, QuerySpec, query_responder, run_query

SCHEMA = "q_test"


class ListParams(UnitParams):
    limit: Limit = 50
    flag: bool = False
    note: str | None = Field(None, max_length=20)


class Seen(Answer):
    params: dict[str, Any]
    isolation: str
    read_only: str
    rows: int


async def seen(conn: Conn, params: QueryParams) -> Mapping[str, Any]:
    return {
        "params": params.model_dump(exclude={"after"}),
        "isolation": await conn.fetchval("SHOW transaction_isolation"),
        "read_only": await conn.fetchval("SHOW transaction_read_only"),
        "rows": await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.facts"),
    }


SPEC = QuerySpec(QueryContract("test.seen", ListParams, Seen), "view", seen)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=4)
    await pool.execute(
        f"CREATE SCHEMA {SCHEMA};"
        f" CREATE TABLE {SCHEMA}.stream_checkpoints (name text PRIMARY KEY, seq bigint, updated_at timestamptz);"
        f" CREATE TABLE {SCHEMA}.facts (n int);"
        f" INSERT INTO {SCHEMA}.stream_checkpoints VALUES ('view', 7, now()), ('other', 99, now())"
    )
    yield pool
    await pool.close()


async def ask(pool: asyncpg.Pool, params: object, spec: QuerySpec = SPEC) -> dict[str, Any]:
    return await run_query(pool, SCHEMA, spec, json.dumps(params).encode())


async def refusal(pool: asyncpg.Pool, raw: bytes) -> QueryError:
    with pytest.raises(QueryError) as caught:
        await run_query(pool, SCHEMA, SPEC, raw)
    assert caught.value.code == "invalid"
    return caught.value


async def test_the_handler_reads_one_read_only_repeatable_read_snapshot_with_its_views_freshness(
    pool: asyncpg.Pool,
) -> None:
    found = await ask(pool, {"path": "3205", "limit": "10", "flag": "true"})
    assert found["isolation"] == "repeatable read"
    assert found["read_only"] == "on"
    assert found["params"] == {"path": "3205", "limit": 10, "flag": True, "note": None}
    assert found["freshness"]["checkpoint"] == 7  # the spec's projector, not another view's
    assert found["stale"] is False


async def test_an_empty_value_is_the_same_as_none(pool: asyncpg.Pool) -> None:
    empty = await ask(pool, {"path": "3205", "limit": "", "note": "", "after": None})
    assert empty["params"] == (await ask(pool, {"path": "3205"}))["params"]


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (b'{"path": "3205", "offset": 1}', "offset", "not a parameter"),
        (b'{"path": "3205", "limit": "999"}', "limit", "whole number from 1 to 200"),
        (b'{"path": "3205", "limit": true}', "limit", "whole number"),
        (b'{"path": "32"}', "path", "city division code"),
        (b"{}", "path", "required"),
        (b'{"path": "3205", "note": "a\\u0000b"}', "note", "NUL"),
        (b'{"path": "3205", "note": "' + b"x" * 21 + b'"}', "note", "at most 20"),
        (b'{"path": "3205", "limit": NaN}', "params", "NaN"),
        (b'["3205"]', "params", "JSON object"),
    ],
)
async def test_a_bad_parameter_is_refused_naming_the_field(
    pool: asyncpg.Pool, raw: bytes, field: str, reason: str
) -> None:
    error = await refusal(pool, raw)
    assert error.field == field
    assert reason in error.message, error.message
    assert error.body().fields[0].field == field


async def test_after_is_waited_for_before_the_snapshot(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait runs first and the snapshot sees what it waited for: a row the view committed during
    the wait is in the answer (a snapshot opened before the wait would miss it)."""
    waited: list[str] = []

    async def applied_meanwhile(
        pool: asyncpg.Pool, schema: str, projector: str, after: Any, wait: float
    ) -> bool:
        waited.append(projector)
        await pool.execute(f"INSERT INTO {schema}.facts VALUES (1)")
        return True

    monkeypatch.setattr(runner, "wait_applied", applied_meanwhile)
    monkeypatch.setattr(runner, "parse_position", lambda text: text)
    found = await ask(pool, {"path": "3205", "after": "pos-1"})
    assert waited == ["view"]
    assert found["rows"] == 1
    assert found["stale"] is False
    assert (await ask(pool, {"path": "3205"}))["stale"] is False  # no after: no wait at all
    assert waited == ["view"]


async def test_an_after_not_applied_in_time_answers_stale(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(pool: asyncpg.Pool, schema: str, projector: str, after: Any, wait: float) -> bool:
        assert wait == runner.AFTER_TIMEOUT
        return False

    monkeypatch.setattr(runner, "wait_applied", never)
    monkeypatch.setattr(runner, "parse_position", lambda text: text)
    found = await ask(pool, {"path": "3205", "after": "pos-2"})
    assert found["stale"] is True
    assert found["freshness"]["checkpoint"] == 7


async def test_an_after_that_is_no_position_is_refused_naming_after(pool: asyncpg.Pool) -> None:
    error = await refusal(pool, b'{"path": "3205", "after": "not a position"}')
    assert error.field == "after"


async def test_an_answer_off_its_contract_is_an_internal_error_not_a_reply(pool: asyncpg.Pool) -> None:
    async def sloppy(conn: Conn, params: QueryParams) -> Mapping[str, Any]:
        return {"params": {}, "isolation": "x", "read_only": "x", "rows": "many"}

    respond = query_responder(pool, SCHEMA, QuerySpec(SPEC.contract, "view", sloppy))
    answer = json.loads(await respond(b'{"path": "3205"}', "sanji.qry.test.seen"))
    assert answer["ok"] is False
    assert answer["error"]["code"] == "internal"
    assert "Traceback" not in json.dumps(answer)
    refused = json.loads(await respond(b'{"path": "3205", "limit": 0}', "sanji.qry.test.seen"))
    assert refused["error"]["code"] == "invalid"
    (named,) = refused["error"]["fields"]
    assert (named["field"], named["reason"]) == ("limit", "a whole number from 1 to 200")
