"""What a duty command handler loads and appends: aggregates by stream, at the version it read them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from contracts.registry import REGISTRY, DomainEvent
from services.duty import lookups
from services.duty.domain.common import (
    Change,
    inspection_stream,
    outlet_stream,
    post_stream,
    rectification_stream,
    unit_stream,
)
from services.duty.domain.inspections import (
    Inspection,
    Rectification,
    evolve_inspection,
    evolve_rectification,
)
from services.duty.domain.outlets import Outlet, evolve_outlet
from services.duty.domain.posts import Post, evolve_post
from services.duty.domain.units import Unit, evolve_unit
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.localtime import local_date

S = TypeVar("S")


class Session:
    """One command's view of the store: loads aggregates (remembering each stream's version) and
    turns the domain's changes into decisions, updating the lookup tables in the same transaction."""

    def __init__(self, ctx: CommandContext) -> None:
        self.ctx = ctx
        self.schema = ctx.store.schema
        self.versions: dict[str, int] = {}

    @property
    def today(self) -> date:
        return local_date(self.ctx.now)

    async def _load(
        self, keys: Sequence[str], stream_of: Callable[[str], str], initial: S, evolve: Callable[[S, Any], S]
    ) -> dict[str, S]:
        streams = {stream_of(key): key for key in keys}
        found = await self.ctx.store.read_streams(list(streams), conn=self.ctx.conn)
        states: dict[str, S] = {}
        for stream, stored in found.items():
            state, version = initial, 0
            for event in stored:
                decoded: DomainEvent = REGISTRY.decode(event.envelope)
                state, version = evolve(state, decoded), event.envelope.streamversion
            self.versions[stream] = version
            states[streams[stream]] = state
        return states

    async def units(self, paths: Sequence[str]) -> dict[str, Unit]:
        return await self._load(paths, unit_stream, Unit(), evolve_unit)

    async def unit(self, path: str) -> Unit:
        return (await self.units([path]))[path]

    async def posts(self, post_ids: Sequence[str]) -> dict[str, Post]:
        return await self._load(post_ids, post_stream, Post(), evolve_post)

    async def post(self, post_id: str) -> Post:
        return (await self.posts([post_id]))[post_id]

    async def locked_post(self, post_id: str) -> Post:
        """The post, after taking its row lock (see lookups.lock_posts)."""
        await lookups.lock_posts(self.ctx.conn, self.schema, [post_id])
        return await self.post(post_id)

    async def outlets(self, outlet_ids: Sequence[str]) -> dict[str, Outlet]:
        return await self._load(outlet_ids, outlet_stream, Outlet(), evolve_outlet)

    async def outlet(self, outlet_id: str) -> Outlet:
        return (await self.outlets([outlet_id]))[outlet_id]

    async def owned_outlets(self, post_id: str) -> list[Outlet]:
        ids = await lookups.outlets_owned_by(self.ctx.conn, self.schema, post_id)
        return list((await self.outlets(ids)).values())

    async def inspection(self, inspection_id: str) -> Inspection:
        found = await self._load([inspection_id], inspection_stream, Inspection(), evolve_inspection)
        return found[inspection_id]

    async def rectification(self, rectification_id: str) -> Rectification:
        found = await self._load(
            [rectification_id], rectification_stream, Rectification(), evolve_rectification
        )
        return found[rectification_id]

    async def commit(self, changes: Sequence[Change]) -> list[Decision]:
        """Decisions at the versions loaded; every stream written must have been loaded first."""
        decisions = []
        for decided in changes:
            if decided.stream not in self.versions:
                raise RuntimeError(f"{decided.stream} was decided on without being loaded")
            decisions.append(
                Decision(decided.stream, self.versions[decided.stream], decided.unit, decided.events)
            )
        await lookups.remember(self.ctx.conn, self.schema, changes)
        return decisions
