"""Computing scores inside a transaction: load what a unit's period rests on, score it (pure), keep the
current score in ``scores`` and decide a ScoreComputed when it changed. Shared by the rescorer (open
periods, after facts arrive) and by publishing a bulletin (which scores the whole subtree afresh)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from contracts.assessment import ChildScore, Scheme, ScoreComputed, UnitScore
from services.assessment import tables
from services.assessment.aggregates import SCHEMES, SHEET, sheet_stream
from services.assessment.domain.facts import is_scored_unit
from services.assessment.domain.scoring import ScoringInput, score_unit
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision
from services.eventkit.periods import Period


def digest_of(score: UnitScore) -> str:
    canonical = json.dumps(score.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ScoreRun:
    """One transaction's scoring: each (unit, period) computed at most once, children before parents."""

    ctx: CommandContext
    decisions: list[Decision] = field(default_factory=list)
    done: dict[tuple[str, str], ChildScore | None] = field(default_factory=dict)
    scores: dict[tuple[str, str], UnitScore] = field(default_factory=dict)  # what this run computed
    schemes: dict[int, tuple[int, Scheme] | None] = field(default_factory=dict)

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        """Score inside a savepoint: if it fails, neither its rows nor this run's memory of what it
        computed remain, and the run goes on with other units."""
        decisions, done, scores = len(self.decisions), len(self.done), len(self.scores)
        try:
            async with self.ctx.conn.transaction():
                yield
        except Exception:
            del self.decisions[decisions:]
            for key in list(self.done)[done:]:  # dicts keep insertion order: these came with the failure
                del self.done[key]
            for key in list(self.scores)[scores:]:
                del self.scores[key]
            raise

    async def scheme_for(self, year: int) -> tuple[int, Scheme] | None:
        if year not in self.schemes:
            book, _ = await load(self.ctx, SCHEMES, year)
            self.schemes[year] = book.current
        return self.schemes[year]

    async def scores_section(self, scheme: Scheme, unit: str) -> bool:
        """A section (or affiliated unit) is scored only where the scheme names its kind; it has no
        children in its score (the units inside it lend it their facts instead)."""
        known = await tables.UNITS.get(self.ctx.conn, unit)
        return known is not None and scheme.scores_kind(known.kind)

    async def current(self, unit: str, period: Period) -> ChildScore | None:
        """A child's score as it stands (frozen or already computed), computing it if it has none."""
        row = await tables.current_score(self.ctx.conn, unit, period.label)
        if row is not None:
            return ChildScore(unit=unit, total=row["total"], vetoed=row["vetoed"])
        score = await self.compute(unit, period)
        return ChildScore(unit=unit, total=score.total, vetoed=score.vetoed) if score else None

    async def compute(self, unit: str, period: Period, *, fresh_children: bool = False) -> UnitScore | None:
        """Score ``unit`` for ``period`` unless frozen; None without a scheme for the year."""
        key = (unit, period.label)
        if key in self.done:
            return None
        self.done[key] = None
        scheme = await self.scheme_for(period.year)
        office = is_scored_unit(unit)
        if scheme is None or (not office and not await self.scores_section(scheme[1], unit)):
            return None
        if await tables.frozen_by(self.ctx.conn, unit, period.label):
            return None
        children = []
        for child in await tables.scored_children(self.ctx.conn, unit, period.first_day) if office else []:
            if fresh_children:
                await self.compute(child, period, fresh_children=True)
            if (found := await self.current(child, period)) is not None:
                children.append(found)
        sheet, version = await load(self.ctx, SHEET, (unit, period.label))
        facts = tables.own_facts if office else tables.section_facts
        data = ScoringInput(
            unit=unit,
            period=period,
            scheme=scheme[1],
            scheme_version=scheme[0],
            facts=await facts(self.ctx.conn, unit, period.last_day),
            targets=await tables.targets_of(self.ctx.conn, unit, period.year),
            manual=sheet.manual,
            adjustments=sheet.adjustments,
        )
        score = score_unit(data, children)
        digest = digest_of(score)
        await tables.save_score(self.ctx.conn, unit, period.label, score, digest)
        if digest != sheet.digest:
            self.decisions.append(
                Decision(sheet_stream(unit, period.label), version, unit, [computed(score, digest)])
            )
        self.done[key] = ChildScore(unit=unit, total=score.total, vetoed=score.vetoed)
        self.scores[key] = score
        return score


def computed(score: UnitScore, digest: str) -> ScoreComputed:
    return ScoreComputed(
        unit=score.unit,
        period=score.period,
        own=score.own,
        total=score.total,
        vetoed=score.vetoed,
        explanation=score.explanation,
        digest=digest,
    )
