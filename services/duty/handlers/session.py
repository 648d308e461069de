"""What a duty command handler loads and appends: aggregates by stream, at the version it read them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from services.duty import tables
from services.duty.aggregates import (
    CADENCES,
    INSPECTION,
    ORGANIZATION,
    OUTLET,
    POST,
    RECTIFICATION,
    REPORT,
    UNIT,
)
from services.duty.domain.common import Change
from services.duty.domain.inspections import Inspection, Rectification
from services.duty.domain.outlets import Outlet
from services.duty.domain.posts import Post
from services.duty.domain.records import Cadences, HalfYearReport, Organization
from services.duty.domain.units import Unit
from services.duty.handlers.report_timers import arm_for_registered
from services.eventkit.aggregates import AggregateSpec, load_many
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date

S = TypeVar("S")


class Session:
    """One command's view of the store: loads aggregates (remembering each stream's version) and
    turns the domain's changes into decisions, updating the lookup tables in the same transaction."""

    def __init__(self, ctx: CommandContext) -> None:
        self.ctx = ctx
        self.versions: dict[str, int] = {}

    @property
    def today(self) -> date:
        return local_date(self.ctx.now)

    async def _load(self, spec: AggregateSpec[str, S], keys: Sequence[str]) -> dict[str, S]:
        states: dict[str, S] = {}
        for key, (state, version) in (await load_many(self.ctx, spec, keys)).items():
            self.versions[spec.stream(key)] = version
            states[key] = state
        return states

    async def units(self, paths: Sequence[str]) -> dict[str, Unit]:
        return await self._load(UNIT, paths)

    async def unit(self, path: str) -> Unit:
        return (await self.units([path]))[path]

    async def posts(self, post_ids: Sequence[str]) -> dict[str, Post]:
        return await self._load(POST, post_ids)

    async def post(self, post_id: str) -> Post:
        return (await self.posts([post_id]))[post_id]

    async def locked_post(self, post_id: str) -> Post:
        """The post, after taking its row lock (see tables.lock_posts)."""
        await tables.lock_posts(self.ctx.conn, [post_id])
        return await self.post(post_id)

    async def outlets(self, outlet_ids: Sequence[str]) -> dict[str, Outlet]:
        return await self._load(OUTLET, outlet_ids)

    async def outlet(self, outlet_id: str) -> Outlet:
        return (await self.outlets([outlet_id]))[outlet_id]

    async def owned_outlets(self, post_id: str) -> list[Outlet]:
        ids = await tables.outlets_owned_by(self.ctx.conn, post_id)
        return list((await self.outlets(ids)).values())

    async def inspection(self, inspection_id: str) -> Inspection:
        found = await self._load(INSPECTION, [inspection_id])
        return found[inspection_id]

    async def rectification(self, rectification_id: str) -> Rectification:
        found = await self._load(RECTIFICATION, [rectification_id])
        return found[rectification_id]

    async def cadences(self, city: str) -> Cadences:
        return (await self._load(CADENCES, [city]))[city]

    async def report(self, key: str) -> HalfYearReport:
        return (await self._load(REPORT, [key]))[key]

    async def organization(self, path: str) -> Organization:
        return (await self._load(ORGANIZATION, [path]))[path]

    async def commit(self, changes: Sequence[Change]) -> list[Decision]:
        """Decisions at the versions loaded; every stream written must have been loaded first."""
        decisions = []
        for decided in changes:
            if decided.stream not in self.versions:
                raise RuntimeError(f"{decided.stream} was decided on without being loaded")
            decisions.append(
                Decision(decided.stream, self.versions[decided.stream], decided.unit, decided.events)
            )
        await tables.remember(self.ctx.conn, changes)
        await arm_for_registered(self.ctx.conn, changes, self.ctx.now)
        return decisions
