"""The read API over the projection, cut to the actor's subtree. Every answer carries its freshness."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from contracts.commands import Actor, not_known
from contracts.units import UnitPathError, ancestors_and_self, is_within, parse_unit_path
from services.eventkit.client import SanjiClient
from services.gateway.errors import GatewayError, field_error


async def query(sanji: SanjiClient, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """A projection query's result, or its error raised as GatewayError."""
    answer = await sanji.query(name, params)
    if answer.get("ok"):
        result: dict[str, Any] = answer["result"]
        return result
    raise GatewayError.from_answer(answer.get("error") or {})


def summary(unit: dict[str, Any]) -> dict[str, Any]:
    """The summary row of a unit (as in projection.units) from its full projection.unit answer."""
    subtree = unit["subtree"]
    return {
        "path": unit["path"],
        "name": unit["name"],
        "kind": unit["kind"],
        "level": unit["level"],
        "subtree": {"activities": subtree["activities"], "audience": subtree["audience"]},
    }


async def top_units(sanji: SanjiClient, actor: Actor, **params: Any) -> dict[str, Any]:
    """The top units the actor sees: the city's top units, or the actor's own scope unit (``params``:
    ``after``, if given)."""
    if "." not in actor.scope:
        found = await query(sanji, "projection.units", params)
        units = [unit for unit in found["units"] if is_within(unit["path"], actor.scope)]
        return {"units": units, "freshness": found["freshness"], "stale": found["stale"]}
    try:
        unit = await query(sanji, "projection.unit", {"path": actor.scope, **params})
    except GatewayError as error:
        if error.code != "not_found":
            raise
        found = await query(sanji, "projection.units", params)
        return {"units": [], "freshness": found["freshness"], "stale": found["stale"]}
    return {"units": [summary(unit)], "freshness": unit["freshness"], "stale": unit["stale"]}


def unseen(kind: str, ident: str) -> GatewayError:
    """Missing or outside the actor's scope: one 404 for both, word for word what the projection says
    of a missing one, naming only what was asked for (never the unit it belongs to)."""
    return GatewayError("not_found", not_known(kind, ident))


def checked_path(path: str, actor: Actor) -> str:
    """A valid unit path inside the actor's scope, else 422 naming ``unitpath`` or the not-found 404."""
    try:
        parse_unit_path(path)
    except UnitPathError as error:
        raise field_error("unitpath", str(error)) from None
    if not is_within(path, actor.scope):
        raise unseen("unit", path)
    return path


async def scoped_record(
    sanji: SanjiClient,
    name: str,
    kind: str,
    ident: str,
    actor: Actor,
    *,
    units: Callable[[Mapping[str, Any]], Any],
    **params: Any,
) -> dict[str, Any]:
    """Record ``<kind>_id = ident`` from query ``name`` (with ``params``, e.g. ``after``); answered as not
    found, like a missing one, unless one of its ``units(found)`` lies in the actor's subtree."""
    found = await query(sanji, name, {f"{kind}_id": ident, **params})
    if not any(unit and is_within(str(unit), actor.scope) for unit in units(found)):
        raise unseen(kind, ident)
    return found


async def unit_detail(sanji: SanjiClient, actor: Actor, path: str, **params: Any) -> dict[str, Any]:
    """One unit with its own and subtree counts and its children (``params``: ``after``, if given)."""
    return await query(sanji, "projection.unit", {"path": checked_path(path, actor), **params})


async def breadcrumb(sanji: SanjiClient, path: str) -> list[dict[str, str]]:
    """The units above ``path`` up to the city, each with its name (its path when unknown)."""
    above = ancestors_and_self(path)[:-1]

    async def name_of(ancestor: str) -> dict[str, str]:
        answer = await sanji.query("projection.unit", {"path": ancestor})
        name = answer["result"]["name"] if answer.get("ok") else ancestor
        return {"path": ancestor, "name": name}

    return list(await asyncio.gather(*(name_of(ancestor) for ancestor in above)))


async def unit_trend(sanji: SanjiClient, path: str) -> list[dict[str, Any]]:
    """This year's twelve months of the unit subtree: activities held and opinion items reported."""
    held, reported = await asyncio.gather(
        query(sanji, "projection.outreach.monthly", {"path": path}),
        query(sanji, "projection.opinion.monthly", {"path": path}),
    )
    return [
        {"month": activities["month"], "activities": activities["count"], "cases": cases["count"]}
        for activities, cases in zip(held["months"], reported["months"], strict=True)
    ]


async def kinds_by_month(sanji: SanjiClient, path: str, year: int) -> dict[str, Any]:
    """The twelve months of ``year`` and of the year before in the unit subtree, activities by kind."""
    this, last = await asyncio.gather(
        query(sanji, "projection.outreach.monthly", {"path": path, "year": year}),
        query(sanji, "projection.outreach.monthly", {"path": path, "year": year - 1}),
    )
    return {"year": year, "this": this["months"], "last": last["months"]}
