"""Assessment command handlers: load, decide (domain.py), append. Scores themselves are appended by the
rescorer and by publishing; a manual score or an adjustment marks its score dirty in the same transaction."""

from __future__ import annotations

from contracts.assessment import (
    AdjustScore,
    AdoptScheme,
    AppealDecided,
    BulletinPublished,
    DecideAppeal,
    EnterManualScore,
    FileAppeal,
    PublishBulletin,
    ScoreAdjusted,
    UnitScore,
)
from contracts.outreach import Cadence
from services.assessment import domain, tables
from services.assessment.aggregates import (
    APPEAL,
    BULLETIN,
    SCHEMES,
    SHEET,
    appeal_stream,
    bulletin_stream,
    scheme_stream,
    sheet_stream,
)
from services.assessment.domain.bulletins import assemble_rows, default_title, reissue
from services.assessment.domain.facts import is_scored_unit
from services.assessment.scorer import ScoreRun
from services.eventkit.aggregates import load
from services.eventkit.commanding import CommandContext, Decision, Handlers
from services.eventkit.errors import DomainError, NotFound
from services.eventkit.localtime import local_date
from services.eventkit.periods import Period, parse_period, periods_in


async def adopt_scheme(ctx: CommandContext, command: AdoptScheme) -> Decision:
    book, version = await load(ctx, SCHEMES, command.year)
    events = domain.decide_adopt(book, command)
    if events:  # every unit's open periods of the year are scored again under the new version
        units = await tables.scored_units(ctx.conn, [kind.value for kind in command.scheme.also_scores])
        periods = [p for cadence in Cadence for p in periods_in(command.year, cadence)]
        for unit in units:
            await tables.mark_dirty(ctx.conn, unit, periods)
    return Decision(scheme_stream(command.year), version, command.unit, events)


async def require_scored_unit(ctx: CommandContext, unit: str, period: Period | None = None) -> None:
    """An office; or, for a ``period`` whose scheme scores the section's kind, that section."""
    known = await tables.UNITS.get(ctx.conn, unit)
    if not is_scored_unit(unit):
        book, _ = await load(ctx, SCHEMES, period.year) if period else (None, None)
        scheme = book.current[1] if book and book.current else None
        if not (known and scheme and scheme.scores_kind(known.kind)):
            raise DomainError(
                f"{unit} is a section the scheme does not score: offices are scored", "body.unit"
            )
    if known is None:
        raise NotFound(f"unit {unit} is not registered", "body.unit")


async def enter_manual_score(ctx: CommandContext, command: EnterManualScore) -> Decision:
    period = parse_period(command.period)
    await require_scored_unit(ctx, command.unit, period)
    book, _ = await load(ctx, SCHEMES, period.year)
    _, version = await load(ctx, SHEET, (command.unit, command.period))
    events = domain.decide_manual(
        book.current, await tables.frozen_by(ctx.conn, command.unit, command.period), command
    )
    await tables.mark_dirty(ctx.conn, command.unit, [period])
    return Decision(sheet_stream(command.unit, command.period), version, command.unit, events)


async def adjust_score(ctx: CommandContext, command: AdjustScore) -> Decision:
    await require_scored_unit(ctx, command.unit, parse_period(command.period))
    _, version = await load(ctx, SHEET, (command.unit, command.period))
    events = domain.decide_adjust(await tables.frozen_by(ctx.conn, command.unit, command.period), command)
    await tables.mark_dirty(ctx.conn, command.unit, [parse_period(command.period)])
    return Decision(sheet_stream(command.unit, command.period), version, command.unit, events)


async def subtree_tree(ctx: CommandContext, top: str, period: Period) -> dict[str, list[str]]:
    tree: dict[str, list[str]] = {}
    queue = [top]
    while queue:
        unit = queue.pop(0)
        tree[unit] = await tables.scored_children(ctx.conn, unit, period.first_day)
        queue.extend(tree[unit])
    return tree


async def frozen_score(ctx: CommandContext, unit: str, period: str, stream: str) -> UnitScore:
    """A score frozen by an earlier bulletin (a county's own): its row in that bulletin's latest version."""
    state, _ = await load(ctx, BULLETIN, stream)
    row = next(r for r in state.latest.rows if r.unit == unit) if state.latest else None
    if row is None:
        raise NotFound(f"the score of {unit} for {period} is frozen by {stream}, which does not list it")
    return UnitScore(
        unit=unit, period=period, own=row.own, total=row.total, vetoed=row.vetoed, explanation=row.explanation
    )


async def publish_bulletin(ctx: CommandContext, command: PublishBulletin) -> list[Decision]:
    """Score the unit and its whole scored subtree afresh, rank peers, freeze every score in it."""
    await require_scored_unit(ctx, command.unit)
    period = parse_period(command.period)
    stream = bulletin_stream(command.unit, command.period)
    state, version = await load(ctx, BULLETIN, stream)
    domain.refuse_republish(state, command.unit, period)
    book, _ = await load(ctx, SCHEMES, period.year)
    if book.current is None:
        raise NotFound(
            f"no scheme is adopted for {period.year}: adopt one first", "body.period", rule="no_scheme"
        )
    if frozen := await tables.frozen_by(ctx.conn, command.unit, command.period):
        raise DomainError(
            f"the {command.period} scores of {command.unit} are already published in {frozen}",
            "body.unit",
            rule="score_published",
        )
    run = ScoreRun(ctx)
    await run.compute(command.unit, period, fresh_children=True)
    tree = await subtree_tree(ctx, command.unit, period)
    scores: dict[str, UnitScore] = {}
    for unit in tree:
        if (unit, command.period) in run.scores:
            scores[unit] = run.scores[(unit, command.period)]
        elif other := await tables.frozen_by(ctx.conn, unit, command.period):
            scores[unit] = await frozen_score(ctx, unit, command.period, other)
    names = await tables.UNITS.names(ctx.conn, tree)
    scheme_version, scheme = book.current
    event = BulletinPublished(
        unit=command.unit,
        period=command.period,
        bulletin_version=1,
        title=command.title or default_title(names.get(command.unit, command.unit), period),
        scheme_version=scheme_version,
        rows=assemble_rows(command.unit, scores, tree, names),
        appeal_deadline=domain.appeal_deadline(local_date(ctx.now), scheme.appeal_window_days),
    )
    await tables.freeze_scores(ctx.conn, list(scores), command.period, stream)
    return [*run.decisions, Decision(stream, version, command.unit, [event])]


async def covering_bulletin(
    ctx: CommandContext, unit: str, period: str
) -> tuple[str, BulletinPublished] | None:
    """The bulletin that froze ``unit``'s score for ``period`` (its stream and latest version)."""
    stream = await tables.frozen_by(ctx.conn, unit, period)
    if stream is None:
        return None
    state, _ = await load(ctx, BULLETIN, stream)
    return (stream, state.latest) if state.latest else None


async def file_appeal(ctx: CommandContext, command: FileAppeal) -> Decision:
    state, version = await load(ctx, APPEAL, command.appeal_id)
    found = await covering_bulletin(ctx, command.unit, command.period)
    events = domain.decide_file_appeal(state, found[1] if found else None, command, local_date(ctx.now))
    return Decision(appeal_stream(command.appeal_id), version, command.unit, events)


async def decide_appeal(ctx: CommandContext, command: DecideAppeal) -> list[Decision]:
    """The decision; when upheld with points, the adjustment on the unit's sheet and the re-issued bulletin."""
    state, version = await load(ctx, APPEAL, command.appeal_id)
    events = domain.decide_appeal(state, command)
    decided = events[0]
    assert isinstance(decided, AppealDecided)
    decisions = [Decision(appeal_stream(command.appeal_id), version, decided.unit, events)]
    if not decided.points:
        return decisions
    stream = bulletin_stream(decided.bulletin_unit, decided.period)
    bulletin, bulletin_version = await load(ctx, BULLETIN, stream)
    assert bulletin.latest is not None  # an appeal is filed only against a published bulletin
    book, _ = await load(ctx, SCHEMES, parse_period(decided.period).year)
    scheme = book.versions[bulletin.latest.scheme_version - 1]
    _, sheet_version = await load(ctx, SHEET, (decided.unit, decided.period))
    adjusted = ScoreAdjusted(
        unit=decided.unit,
        period=decided.period,
        points=decided.points,
        reason=decided.reason,
        appeal_id=decided.appeal_id,
    )
    deadline = domain.appeal_deadline(local_date(ctx.now), scheme.appeal_window_days)
    again = reissue(
        bulletin.latest,
        appellant=decided.unit,
        delta=decided.points,
        reason=decided.reason,
        appeal_id=decided.appeal_id,
        rollup=scheme.rollup,
        appeal_deadline=deadline,
    )
    await tables.reissued_scores(ctx.conn, decided.period, again.rows)
    return [
        *decisions,
        Decision(sheet_stream(decided.unit, decided.period), sheet_version, decided.unit, [adjusted]),
        Decision(stream, bulletin_version, decided.bulletin_unit, [again]),
    ]


HANDLERS: Handlers = {
    AdoptScheme: adopt_scheme,
    EnterManualScore: enter_manual_score,
    AdjustScore: adjust_score,
    PublishBulletin: publish_bulletin,
    FileAppeal: file_appeal,
    DecideAppeal: decide_appeal,
}
