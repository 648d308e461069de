"""Assessment rules, given / when / then: schemes, manual scores, adjustments, bulletins and appeals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.assessment import (
    AdjustScore,
    AdoptScheme,
    AppealFiled,
    BulletinPublished,
    BulletinRow,
    DecideAppeal,
    EnterManualScore,
    Explanation,
    FileAppeal,
    Rollup,
    Scheme,
    SchemeAdopted,
)
from services.assessment import domain
from services.assessment.domain.bulletins import default_title, reissue
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from services.eventkit.periods import parse_period
from tests.assessment.kit import SCHEME

SCHEME_MODEL = Scheme.model_validate(SCHEME)
TOWN = "3205.320506.320506001"


def adopt(**extra: Any) -> AdoptScheme:
    return AdoptScheme.model_validate({"unit": "3205", "year": 2026, "scheme": SCHEME, **extra})


def test_the_first_adoption_is_version_1_and_a_replacement_needs_a_reason() -> None:
    [first] = domain.decide_adopt(domain.SchemeBook(), adopt())
    assert isinstance(first, SchemeAdopted)
    assert first.scheme_version == 1
    book = domain.evolve_schemes(domain.SchemeBook(), first)
    changed = {**SCHEME, "title": "第二版"}
    with pytest.raises(DomainError, match="give a reason"):
        domain.decide_adopt(book, adopt(scheme=changed))
    [second] = domain.decide_adopt(book, adopt(scheme=changed, reason="细则修订"))
    assert isinstance(second, SchemeAdopted)
    assert second.scheme_version == 2
    assert domain.decide_adopt(book, adopt(reason="same again")) == []  # the same scheme changes nothing


def test_only_the_city_adopts_a_scheme() -> None:
    with pytest.raises(DomainError, match="city"):
        domain.decide_adopt(domain.SchemeBook(), adopt(unit="3205.320506"))


def manual(indicator: str = "innovation", points: float = 8) -> EnterManualScore:
    return EnterManualScore(unit=TOWN, period="2026-Q1", indicator_id=indicator, points=points, note="创新")


def test_manual_scores_only_for_manual_indicators_within_their_points() -> None:
    scheme = (1, SCHEME_MODEL)
    assert len(domain.decide_manual(scheme, None, manual())) == 1
    with pytest.raises(DomainError, match="computed from facts"):
        domain.decide_manual(scheme, None, manual("central_study"))
    with pytest.raises(DomainError, match="at most 10"):
        domain.decide_manual(scheme, None, manual(points=10.5))
    with pytest.raises(NotFound, match="no indicator 'nope'"):
        domain.decide_manual(scheme, None, manual("nope"))
    with pytest.raises(NotFound, match="no scheme"):
        domain.decide_manual(None, None, manual())
    with pytest.raises(DomainError, match="published"):
        domain.decide_manual(scheme, "bulletin:3205:2026-Q1", manual())


def test_adjustments_need_points_and_an_open_period() -> None:
    adjust = AdjustScore(unit=TOWN, period="2026-Q1", points=-1.5, reason="台账不全")
    assert len(domain.decide_adjust(None, adjust)) == 1
    with pytest.raises(DomainError, match="0 points"):
        domain.decide_adjust(None, adjust.model_copy(update={"points": 0}))
    with pytest.raises(DomainError, match="only by an appeal"):
        domain.decide_adjust("bulletin:3205:2026-Q1", adjust)


def explanation() -> Explanation:
    return Explanation(scheme_version=1, indicators=[], applicable_points=20, scale=1)


def row(unit: str, parent: str | None, own: float, total: float, rank: int | None) -> BulletinRow:
    return BulletinRow(
        unit=unit,
        name=unit,
        parent=parent,
        own=own,
        total=total,
        vetoed=False,
        rank=rank,
        explanation=explanation(),
    )


COUNTY, TOWN_B = "3205.320506", "3205.320506.320506002"
BULLETIN = BulletinPublished(
    unit="3205",
    period="2026-Q1",
    bulletin_version=1,
    title="通报",
    scheme_version=1,
    rows=[
        row("3205", None, 10, 9.5, None),
        row(COUNTY, "3205", 4, 9, 1),
        row(TOWN, COUNTY, 16, 16, 1),
        row(TOWN_B, COUNTY, 12, 12, 2),
    ],
    appeal_deadline=date(2026, 4, 15),
)


def appeal(appeal_id: str = "appeal-1") -> FileAppeal:
    return FileAppeal(appeal_id=appeal_id, unit=TOWN_B, period="2026-Q1", reason="漏报")


def test_appeals_within_the_window_against_a_listed_unit() -> None:
    [filed] = domain.decide_file_appeal(domain.AppealState(), BULLETIN, appeal(), date(2026, 4, 15))
    assert isinstance(filed, AppealFiled)
    assert filed.bulletin_version == 1
    with pytest.raises(DomainError, match="closed on 2026-04-15"):
        domain.decide_file_appeal(domain.AppealState(), BULLETIN, appeal(), date(2026, 4, 16))
    with pytest.raises(NotFound, match="nothing to appeal"):
        domain.decide_file_appeal(domain.AppealState(), None, appeal(), date(2026, 4, 1))
    with pytest.raises(AlreadyExists):
        domain.decide_file_appeal(domain.AppealState(filed=filed), BULLETIN, appeal(), date(2026, 4, 1))


def test_decisions_come_once_from_the_publisher_and_a_rejection_carries_no_points() -> None:
    [filed] = domain.decide_file_appeal(domain.AppealState(), BULLETIN, appeal(), date(2026, 4, 1))
    state = domain.evolve_appeal(domain.AppealState(), filed)
    decide = DecideAppeal(appeal_id="appeal-1", unit="3205", upheld=False, points=2, reason="不属实")
    with pytest.raises(DomainError, match="changes no points"):
        domain.decide_appeal(state, decide)
    with pytest.raises(DomainError, match="decided by 3205"):
        domain.decide_appeal(state, decide.model_copy(update={"unit": COUNTY, "points": 0}))
    [decided] = domain.decide_appeal(state, decide.model_copy(update={"upheld": True}))
    with pytest.raises(AlreadyExists):
        domain.decide_appeal(domain.evolve_appeal(state, decided), decide)


def test_a_reissue_moves_the_appellant_recombines_above_and_reranks() -> None:
    again = reissue(
        BULLETIN,
        appellant=TOWN_B,
        delta=4.5,
        reason="核实属实",
        appeal_id="appeal-1",
        rollup=Rollup(own=0.5, children=0.5),
        appeal_deadline=date(2026, 5, 1),
    )
    rows = {r.unit: r for r in again.rows}
    assert again.bulletin_version == 2
    assert again.reissued_for == "appeal-1"
    assert (rows[TOWN_B].own, rows[TOWN_B].total, rows[TOWN_B].rank, rows[TOWN].rank) == (16.5, 16.5, 1, 2)
    assert rows[COUNTY].total == 10.13  # 4 × ½ + (16 + 16.5) / 2 × ½ = 10.125, half up
    assert rows["3205"].total == 10.07  # 10 × ½ + 10.13 × ½ = 10.065, half up
    assert [r.unit for r in again.rows] == ["3205", COUNTY, TOWN_B, TOWN]
    assert rows[TOWN_B].explanation.adjustments[-1].points == 4.5
    assert BULLETIN.rows[3].total == 12  # the first version is untouched


def test_a_bulletin_untitled_is_titled_with_the_period_as_the_bureau_writes_it() -> None:
    name = "苏州市民政局"
    assert default_title(name, parse_period("2026-Q1")) == "苏州市民政局2026年第一季度考核通报"
    assert default_title(name, parse_period("2026-03")) == "苏州市民政局2026年3月考核通报"
    assert default_title(name, parse_period("2026")) == "苏州市民政局2026年度考核通报"
