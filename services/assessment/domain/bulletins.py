"""Bulletins (季通报、年考核), pure: publishing once per unit and period, ranking peers at each level,
and re-issuing a version after an appeal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.assessment import (
    BulletinPublished,
    BulletinRow,
    ChildScore,
    Line,
    Rollup,
    UnitScore,
)
from contracts.outreach import Cadence
from contracts.registry import DomainEvent
from services.assessment.domain.scoring import points, rank, rolled_up
from services.eventkit.errors import AlreadyExists
from services.eventkit.periods import Period


@dataclass(frozen=True)
class BulletinState:
    versions: tuple[BulletinPublished, ...] = ()

    @property
    def latest(self) -> BulletinPublished | None:
        return self.versions[-1] if self.versions else None


def evolve_bulletin(state: BulletinState, event: DomainEvent) -> BulletinState:
    if isinstance(event, BulletinPublished):
        return BulletinState((*state.versions, event))
    return state


def refuse_republish(state: BulletinState, unit: str, period: Period) -> None:
    if state.latest is not None:
        raise AlreadyExists(
            f"the {period.label} bulletin of {unit} is published (version {state.latest.bulletin_version});"
            " it is re-issued only by an appeal's decision",
            "body.period",
            rule="bulletin_published",
        )


def default_title(name: str, period: Period) -> str:
    """A bulletin's title when the assessor gives none, the period as the bureau writes it:
    苏州市民政局2026年第一季度考核通报 (a document's title, in Chinese whatever page it is read on)."""
    if period.cadence is Cadence.MONTH:
        said = f"{period.year}年{period.index}月"
    elif period.cadence is Cadence.QUARTER:
        said = f"{period.year}年第{'一二三四'[period.index - 1]}季度"
    else:
        said = f"{period.year}年度"
    return f"{name}{said}考核通报"


def appeal_deadline(published_on: date, window_days: int) -> date:
    return published_on + timedelta(days=window_days)


def assemble_rows(
    top: str, scores: Mapping[str, UnitScore], children: Mapping[str, Sequence[str]], names: Mapping[str, str]
) -> list[BulletinRow]:
    """The bulletin unit first (unranked), then each level's units ranked among their peers under the
    same parent (counties within the city, townships within each county), top-down."""
    rows = [_row(scores[top], None, None, names)]
    queue = [top]
    while queue:
        parent = queue.pop(0)
        peers = [scores[child] for child in children.get(parent, ()) if child in scores]
        ranks = rank([(s.unit, s.total, s.vetoed) for s in peers])
        for score in sorted(peers, key=lambda s: (ranks[s.unit], s.unit)):
            rows.append(_row(score, parent, ranks[score.unit], names))
            queue.append(score.unit)
    return rows


def _row(score: UnitScore, parent: str | None, position: int | None, names: Mapping[str, str]) -> BulletinRow:
    return BulletinRow(
        unit=score.unit,
        name=names.get(score.unit, score.unit),
        parent=parent,
        own=score.own,
        total=score.total,
        vetoed=score.vetoed,
        rank=position,
        explanation=score.explanation,
    )


def reissue(
    latest: BulletinPublished,
    *,
    appellant: str,
    delta: float,
    reason: str,
    appeal_id: str,
    rollup: Rollup,
    appeal_deadline: date,
) -> BulletinPublished:
    """The next version: the appellant's own score moved by ``delta`` (with the adjustment in its
    explanation), every total above it recombined, every level ranked again."""
    rows = {row.unit: row for row in latest.rows}
    row = rows[appellant]
    line = Line(
        id=f"appeal_{appeal_id}", name=reason, kind="adjustment", points=delta, note=f"申诉 {appeal_id}"
    )
    explanation = row.explanation.model_copy(update={"adjustments": [*row.explanation.adjustments, line]})
    rows[appellant] = row.model_copy(
        update={"own": points(max(0.0, row.own + delta)), "explanation": explanation}
    )
    unit: str | None = appellant
    while unit is not None:
        rows[unit] = _recombine(rows[unit], [r for r in rows.values() if r.parent == unit], rollup)
        unit = rows[unit].parent
    ordered = _rerank(list(rows.values()))
    return latest.model_copy(
        update={
            "bulletin_version": latest.bulletin_version + 1,
            "rows": ordered,
            "reissued_for": appeal_id,
            "appeal_deadline": appeal_deadline,
        }
    )


def _recombine(row: BulletinRow, children: Sequence[BulletinRow], rollup: Rollup) -> BulletinRow:
    if not children:
        return row.model_copy(update={"total": row.own})
    child_scores = sorted(
        (ChildScore(unit=c.unit, total=c.total, vetoed=c.vetoed) for c in children), key=lambda c: c.unit
    )
    return row.model_copy(
        update={
            "total": rolled_up(row.own, [child.total for child in children], rollup),
            "explanation": row.explanation.model_copy(update={"children": child_scores}),
        }
    )


def _rerank(rows: list[BulletinRow]) -> list[BulletinRow]:
    by_parent: dict[str | None, list[BulletinRow]] = {}
    for row in rows:
        by_parent.setdefault(row.parent, []).append(row)
    ranked: dict[str, BulletinRow] = {}
    for parent, peers in by_parent.items():
        ranks = rank([(r.unit, r.total, r.vetoed) for r in peers]) if parent is not None else {}
        for r in peers:
            ranked[r.unit] = r.model_copy(update={"rank": ranks.get(r.unit)})
    order = [row.unit for row in rows]
    top = [r for r in rows if r.parent is None]
    result: list[BulletinRow] = [ranked[r.unit] for r in top]
    queue = [r.unit for r in top]
    while queue:
        parent = queue.pop(0)
        peers = sorted(
            (ranked[u] for u in order if ranked[u].parent == parent),
            key=lambda r: (r.rank or 0, r.unit),
        )
        result.extend(peers)
        queue.extend(r.unit for r in peers)
    return result
