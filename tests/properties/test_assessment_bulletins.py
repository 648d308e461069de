"""A bulletin re-issued after any sequence of upheld appeals: versions count up, the same units stay,
no own score drops below zero, every total is the roll-up of its parts, and every level is ranked again."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from contracts.assessment import BulletinPublished, BulletinRow, Explanation, Rollup, UnitScore
from services.assessment.domain.bulletins import assemble_rows, reissue
from services.assessment.domain.scoring import rank, rolled_up

CITY = "3205"
TREE = {
    CITY: ["3205.320506", "3205.320507"],
    "3205.320506": ["3205.320506.320506001", "3205.320506.320506002"],
}
UNITS = [CITY, *TREE[CITY], *TREE["3205.320506"]]
ROLLUP = Rollup(own=0.3, children=0.7)
EXPLANATION = Explanation(scheme_version=1, indicators=[], applicable_points=100, scale=1)


def scored(owns: dict[str, float], vetoes: dict[str, bool]) -> dict[str, UnitScore]:
    """Scores bottom-up, each total rolled up from its own score and its children's totals."""
    scores: dict[str, UnitScore] = {}
    for unit in reversed(UNITS):
        children = [scores[child].total for child in TREE.get(unit, [])]
        total = rolled_up(owns[unit], children, ROLLUP) if children else owns[unit]
        scores[unit] = UnitScore(
            unit=unit,
            period="2026-Q3",
            own=owns[unit],
            total=total,
            vetoed=vetoes[unit],
            explanation=EXPLANATION,
        )
    return scores


def first_bulletin(owns: dict[str, float], vetoes: dict[str, bool]) -> BulletinPublished:
    rows = assemble_rows(CITY, scored(owns, vetoes), TREE, {})
    return BulletinPublished(
        unit=CITY,
        period="2026-Q3",
        bulletin_version=1,
        title="2026年第三季度通报",
        scheme_version=1,
        rows=rows,
        appeal_deadline=date(2026, 10, 20),
    )


def every_total_is_the_roll_up_of_its_parts(rows: list[BulletinRow]) -> None:
    for row in rows:
        children = [r.total for r in rows if r.parent == row.unit]
        assert row.total == (rolled_up(row.own, children, ROLLUP) if children else row.own)


def every_level_is_ranked_among_its_peers(rows: list[BulletinRow]) -> None:
    for parent in {row.parent for row in rows if row.parent is not None}:
        peers = [row for row in rows if row.parent == parent]
        assert {row.unit: row.rank for row in peers} == rank([(r.unit, r.total, r.vetoed) for r in peers])


owns = st.fixed_dictionaries(
    {unit: st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)) for unit in UNITS}
)
vetoes = st.fixed_dictionaries({unit: st.sampled_from([False, False, True]) for unit in UNITS})
appeals = st.lists(
    st.tuples(st.sampled_from(UNITS[1:]), st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 2))),
    min_size=1,
    max_size=5,
)


@given(owns=owns, vetoes=vetoes, appeals=appeals)
def test_a_bulletin_reissued_after_any_appeals_stays_consistent(
    owns: dict[str, float], vetoes: dict[str, bool], appeals: list[tuple[str, float]]
) -> None:
    bulletin = first_bulletin(owns, vetoes)
    every_total_is_the_roll_up_of_its_parts(bulletin.rows)
    for number, (appellant, delta) in enumerate(appeals, start=1):
        bulletin = reissue(
            bulletin,
            appellant=appellant,
            delta=delta,
            reason="申诉成立",
            appeal_id=f"appeal-{number}",
            rollup=ROLLUP,
            appeal_deadline=date(2026, 11, 1),
        )
        assert bulletin.bulletin_version == number + 1
        assert sorted(row.unit for row in bulletin.rows) == sorted(UNITS)
        assert all(row.own >= 0 for row in bulletin.rows)
        every_total_is_the_roll_up_of_its_parts(bulletin.rows)
        every_level_is_ranked_among_its_peers(bulletin.rows)
