"""Sections and affiliated units scored where the scheme says so (issue 17, item 5): a scheme names the
unit kinds it scores besides the offices (``also_scores``, versioned with the rest of the scheme); those
units are scored on their own facts and show in the assessment view and in the summary's scores, while
an office's score, and every scheme that names none, stay as they were."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from contracts.assessment import AdoptScheme, Scheme, SchemeAdopted
from services.assessment import domain
from services.assessment.domain.facts import is_scored_unit, units_counting
from services.eventkit.client import SanjiClient
from tests.assessment.kit import ASSESSOR, CITY, COUNTY, SCHEME, assessment, ok, study
from tests.assessment.test_scores_nats import latest_score, score_is
from tests.helpers import wait_until
from tests.stack import client, running

DEPT = f"{CITY}.dept01"
INSTITUTION = f"{CITY}.inst01"
BRANCH = f"{DEPT}.branch01"
SECTIONS_SCHEME: dict[str, Any] = {**SCHEME, "also_scores": ["department"]}


# --- given / when / then: the scheme as data ---------------------------------------------------------


def test_a_scheme_scores_only_offices_unless_it_names_section_kinds() -> None:
    assert Scheme.model_validate(SCHEME).also_scores == []
    assert not Scheme.model_validate(SCHEME).scores_kind("department")
    scheme = Scheme.model_validate(SECTIONS_SCHEME)
    assert scheme.scores_kind("department")
    assert not scheme.scores_kind("affiliated_institution")
    assert not scheme.scores_kind("branch")


@pytest.mark.parametrize(
    ("also_scores", "reason"),
    [
        (["branch"], "also_scores"),  # a party branch is not a unit a scheme scores
        (["department", "department"], "twice"),
        ("department", "also_scores"),
    ],
)
def test_a_scheme_refuses_unknown_or_repeated_section_kinds(also_scores: Any, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Scheme.model_validate({**SCHEME, "also_scores": also_scores})


def test_naming_section_kinds_is_a_new_scheme_version_that_needs_a_reason() -> None:
    given = domain.decide_adopt(
        domain.SchemeBook(), AdoptScheme.model_validate({"unit": CITY, "year": 2026, "scheme": SCHEME})
    )
    book = domain.evolve_schemes(domain.SchemeBook(), given[0])
    when = AdoptScheme.model_validate(
        {"unit": CITY, "year": 2026, "scheme": SECTIONS_SCHEME, "reason": "科室纳入考核"}
    )
    [then] = domain.decide_adopt(book, when)
    assert isinstance(then, SchemeAdopted)
    assert then.scheme_version == 2
    assert [kind.value for kind in then.scheme.also_scores] == ["department"]


def test_a_sections_facts_mark_its_office_above_and_itself() -> None:
    assert units_counting(BRANCH) == [CITY, DEPT, BRANCH]
    assert units_counting(COUNTY) == [CITY, COUNTY]
    assert is_scored_unit(COUNTY)
    assert not is_scored_unit(DEPT)


# --- over real servers -------------------------------------------------------------------------------


async def view(sanji: SanjiClient, path: str, period: str) -> dict[str, Any]:
    found = await sanji.query("projection.assessment.unit", {"path": path, "period": period})
    result: dict[str, Any] = found.get("result") or {}
    return result


async def test_sections_are_scored_on_their_own_facts_once_the_scheme_names_their_kind(
    nats_url: str, database_url: str
) -> None:
    async with (
        running(nats_url, database_url, "duty", "outreach", "assessment", "projection") as runtimes,
        client(nats_url) as sanji,
    ):
        for path, name, kind in [
            (CITY, "苏州市民政局", "bureau"),
            (COUNTY, "吴中区民政局", "county_office"),
            (DEPT, "办公室", "department"),
            (INSTITUTION, "社会福利院", "affiliated_institution"),
        ]:
            await ok(sanji, "duty.register_unit", {"path": path, "name": name, "kind": kind})
        await ok(sanji, "assessment.adopt_scheme", {"unit": CITY, "year": 2026, "scheme": SCHEME}, ASSESSOR)
        runtime = assessment(runtimes)
        # The department studies in January, the institution too; under a scheme naming no section
        # kind, both count for the bureau only (the bureau's own quota met in January: 10 of 20 points).
        await study(sanji, "study-dept-0101", DEPT, "2026-01-08")
        await study(sanji, "study-inst-0101", INSTITUTION, "2026-01-09")

        async def bureau_own(points: float) -> bool:
            found = await latest_score(runtime, CITY, "2026-01")
            return found is not None and found.own == points

        await wait_until(lambda: bureau_own(10.0), message="the bureau never counted its sections' studies")
        assert await latest_score(runtime, DEPT, "2026-01") is None
        refused = await sanji.send(
            "assessment.enter_manual_score",
            {"unit": DEPT, "period": "2026-Q1", "indicator_id": "innovation", "points": 5, "note": "创新"},
            ASSESSOR,
        )
        assert refused.error is not None
        assert [f.field for f in refused.error.fields] == ["body.unit"]

        # Version 2 scores departments: the department gets a score of its own facts; the bureau's
        # own score is unchanged, and the affiliated institution (not named) still has none.
        adopt = {"unit": CITY, "year": 2026, "scheme": SECTIONS_SCHEME, "reason": "科室纳入考核"}
        await ok(sanji, "assessment.adopt_scheme", adopt, ASSESSOR)
        await score_is(runtime, DEPT, "2026-01", 10.0)
        await score_is(runtime, DEPT, "2026-02", 8.0)  # no study in February: 2 points off the quota
        body = {"unit": DEPT, "period": "2026-01", "indicator_id": "innovation", "points": 6, "note": "创新"}
        await ok(sanji, "assessment.enter_manual_score", body, ASSESSOR)
        await score_is(runtime, DEPT, "2026-01", 16.0)
        city = await latest_score(runtime, CITY, "2026-01")
        assert city is not None
        assert city.own == 10.0
        assert await latest_score(runtime, INSTITUTION, "2026-01") is None
        refused = await sanji.send("assessment.enter_manual_score", {**body, "unit": INSTITUTION}, ASSESSOR)
        assert refused.error is not None
        assert [f.field for f in refused.error.fields] == ["body.unit"]

        # The view: the department ranked among the bureau's sections, apart from its counties; the
        # department's own page and the summary's scores carry its score.
        async def shown() -> bool:
            found = await view(sanji, CITY, "2026-01")
            return [s["total"] for s in found.get("sections", [])] == [16.0]

        await wait_until(shown, message="the department's score never reached the view")
        city_view = await view(sanji, CITY, "2026-01")
        assert [s["unit"] for s in city_view["sections"]] == [DEPT]
        assert city_view["sections"][0]["rank"] == 1
        assert DEPT not in [child["unit"] for child in city_view["children"]]
        dept_view = await view(sanji, DEPT, "2026-01")
        assert (dept_view["score"]["total"], dept_view["score"]["rank"]) == (16.0, 1)
        summary = await sanji.query("projection.summary", {"path": DEPT, "period": "2026"})
        figures = {
            (f["section"], f["name"]): f["value"] for f in (summary.get("result") or {}).get("figures", [])
        }
        assert figures.get(("assessment", "total")) is not None
