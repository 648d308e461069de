"""The bureau's recurring duties, given/when/then: an inspection cadence set by the city and outlets
overdue against it; the half-yearly report due ten working days after the half-year (a New Year holiday
pushes it a day), late or flagged overdue; a social organization's party coverage and inspections."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from contracts.duty import (
    HalfYearReportMade,
    HalfYearReportOverdue,
    InspectionCadenceSet,
    OrganizationInspected,
    OutletKind,
    PartyCoverage,
    PartyCoverageSet,
    RecordHalfYearReport,
    RecordOrganizationInspection,
    SetInspectionCadence,
    SetPartyCoverage,
    UnitKind,
)
from contracts.inputs import validate_input
from services.duty.domain.records import (
    Cadences,
    HalfYearReport,
    Organization,
    decide_flag_report_overdue,
    decide_inspect_organization,
    decide_record_report,
    decide_set_cadence,
    decide_set_coverage,
    evolve_cadences,
    evolve_organization,
    evolve_report,
)
from services.eventkit.dues import (
    HalfYear,
    half_years_ending,
    inspection_base,
    inspection_due_on,
    inspection_overdue,
    next_report,
    report_due,
)
from services.eventkit.errors import AlreadyExists, DomainError
from services.eventkit.localtime import SHANGHAI
from tests.duty.given import SCOPE, TODAY, WUZHONG, county, given, township, unit

CITY = unit(SCOPE, "苏州市民政局", UnitKind.BUREAU)
ORG_PATH = f"{WUZHONG}.org01"
ORG = unit(ORG_PATH, "吴中区慈善总会", UnitKind.SOCIAL_ORGANIZATION)
H2_2024 = HalfYear(2024, 2)
# 2024-H2 ends on Tue 31 Dec; 1 Jan 2025 is a holiday: the tenth working day after is Wed 15 Jan (not 14).
H2_2024_DUE = datetime(2025, 1, 15, 23, 59, 59, tzinfo=SHANGHAI)


def cadence(
    months: int = 3, on: date = date(2025, 1, 1), kind: OutletKind = OutletKind.WEBSITE
) -> SetInspectionCadence:
    return SetInspectionCadence(unit=SCOPE, kind=kind, months=months, effective_on=on)


def test_the_city_sets_how_often_a_kind_is_inspected() -> None:
    events = decide_set_cadence(Cadences(), CITY, cadence(), TODAY)
    assert events == [
        InspectionCadenceSet(
            unit=SCOPE, kind=OutletKind.WEBSITE, months=3, previous_months=None, effective_on=date(2025, 1, 1)
        )
    ]
    cadences = given(evolve_cadences, Cadences(), *events)
    later = decide_set_cadence(cadences, CITY, cadence(1, date(2025, 6, 1)), TODAY)
    assert later[0].previous_months == 3  # type: ignore[attr-defined]


def test_only_the_city_sets_a_cadence_and_never_before_the_last_one() -> None:
    with pytest.raises(DomainError, match="not the city bureau"):
        decide_set_cadence(Cadences(), county(), cadence().model_copy(update={"unit": WUZHONG}), TODAY)
    cadences = given(evolve_cadences, Cadences(), *decide_set_cadence(Cadences(), CITY, cadence(), TODAY))
    with pytest.raises(DomainError, match="already inspected every 3 months"):
        decide_set_cadence(cadences, CITY, cadence(3, date(2025, 3, 1)), TODAY)
    with pytest.raises(DomainError, match="a later change cannot take effect earlier"):
        decide_set_cadence(cadences, CITY, cadence(6, date(2024, 12, 1)), TODAY)
    with pytest.raises(DomainError, match="in the future"):
        decide_set_cadence(Cadences(), CITY, cadence(3, date(2025, 8, 1)), TODAY)


def test_an_outlet_is_overdue_the_day_after_its_cadence_runs_out() -> None:
    inspected = date(2025, 1, 31)
    assert inspection_due_on(inspected, 1) == date(2025, 2, 28)  # the month's last day, not 3 March
    assert inspection_due_on(inspected, 3) == date(2025, 4, 30)
    assert not inspection_overdue(inspected, 3, date(2025, 4, 30))
    assert inspection_overdue(inspected, 3, date(2025, 5, 1))
    assert inspection_overdue(None, 3, date(2025, 5, 1))  # never inspected, running before records began
    # A cycle runs from the last inspection, else the registration, never from before the cadence began.
    assert inspection_base(inspected, date(2024, 5, 1), date(2025, 1, 1)) == inspected
    assert inspection_base(None, date(2024, 5, 1), date(2025, 1, 1)) == date(2025, 1, 1)
    assert inspection_base(None, date(2025, 3, 1), date(2025, 1, 1)) == date(2025, 3, 1)


def report(
    half: str = "2024-H2", at: datetime | None = None, reason: str | None = "年度补录"
) -> RecordHalfYearReport:
    return RecordHalfYearReport(
        unit=WUZHONG, half_year=half, reported_to="中共吴中区委宣传部", occurred_at=at, backdate_reason=reason
    )


def test_the_half_year_report_is_due_ten_working_days_after_the_half_year_a_holiday_not_counted() -> None:
    assert report_due(H2_2024).due_at == H2_2024_DUE
    assert report_due(HalfYear(2025, 1)).due_at == datetime(2025, 7, 14, 23, 59, 59, tzinfo=SHANGHAI)
    assert half_years_ending(date(2025, 1, 1), date(2025, 12, 31)) == [HalfYear(2025, 1), HalfYear(2025, 2)]
    assert half_years_ending(date(2025, 4, 1), date(2025, 6, 30)) == [HalfYear(2025, 1)]
    assert half_years_ending(date(2025, 7, 1), date(2025, 9, 30)) == []
    # The timer a new office gets: the half-year just ended until its deadline passes, then the current one.
    assert next_report(datetime(2025, 1, 15, 15, 0, tzinfo=UTC)) == H2_2024
    assert next_report(datetime(2025, 1, 15, 16, 0, tzinfo=UTC)) == HalfYear(2025, 1)


def test_a_report_made_on_the_last_working_day_is_on_time_and_the_day_after_late() -> None:
    on_time = datetime(2025, 1, 15, 17, 0, tzinfo=SHANGHAI)
    events = decide_record_report(
        HalfYearReport(), county(), report(at=on_time), datetime(2025, 3, 1, tzinfo=UTC)
    )
    assert events == [
        HalfYearReportMade(
            unit=WUZHONG,
            half_year="2024-H2",
            reported_to="中共吴中区委宣传部",
            reported_at=on_time,
            due_at=H2_2024_DUE,
            deadline_estimated=False,
            late=False,
        )
    ]
    late = datetime(2025, 1, 16, 9, 0, tzinfo=SHANGHAI)
    (made,) = decide_record_report(
        HalfYearReport(), county(), report(at=late), datetime(2025, 3, 1, tzinfo=UTC)
    )
    assert isinstance(made, HalfYearReportMade)
    assert made.late


def test_a_report_is_made_once_by_an_office_within_bounds() -> None:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    made = given(
        evolve_report, HalfYearReport(), *decide_record_report(HalfYearReport(), county(), report(), now)
    )
    with pytest.raises(AlreadyExists, match="already reported on 2024-H2"):
        decide_record_report(made, county(), report(), now)
    with pytest.raises(DomainError, match="not an office"):
        decide_record_report(HalfYearReport(), ORG, report().model_copy(update={"unit": ORG_PATH}), now)
    with pytest.raises(DomainError, match="has not begun"):
        decide_record_report(HalfYearReport(), county(), report("2025-H2"), now)
    before = datetime(2024, 6, 30, 12, 0, tzinfo=SHANGHAI)
    with pytest.raises(DomainError, match=re.escape("before the half-year it covers")):
        decide_record_report(HalfYearReport(), county(), report(at=before), now)
    long_ago = datetime(2024, 12, 1, tzinfo=SHANGHAI)
    with pytest.raises(DomainError, match="needs a backdate_reason"):
        decide_record_report(HalfYearReport(), county(), report(at=long_ago, reason=None), now)


def test_the_timer_flags_an_unmade_report_overdue_only_after_its_deadline() -> None:
    just_before = datetime(2025, 1, 15, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert decide_flag_report_overdue(HalfYearReport(), township(), H2_2024, just_before) == []
    after = datetime(2025, 1, 15, 16, 0, tzinfo=UTC)
    assert decide_flag_report_overdue(HalfYearReport(), township(), H2_2024, after) == [
        HalfYearReportOverdue(unit=township().path or "", half_year="2024-H2", due_at=H2_2024_DUE)
    ]
    made = HalfYearReport(reported_at=datetime(2025, 1, 10, tzinfo=UTC))
    assert decide_flag_report_overdue(made, township(), H2_2024, after) == []
    flagged = given(
        evolve_report,
        HalfYearReport(),
        HalfYearReportOverdue(unit=WUZHONG, half_year="2024-H2", due_at=H2_2024_DUE),
    )
    assert decide_flag_report_overdue(flagged, county(), H2_2024, after) == []  # once
    assert decide_flag_report_overdue(HalfYearReport(), ORG, H2_2024, after) == []  # owes none


def coverage(value: PartyCoverage, on: date) -> SetPartyCoverage:
    return SetPartyCoverage(unit=ORG_PATH, coverage=value, effective_on=on)


def test_a_social_organization_gets_a_liaison_then_a_party_organization() -> None:
    first = decide_set_coverage(Organization(), ORG, coverage(PartyCoverage.LIAISON, date(2025, 3, 1)), TODAY)
    assert first == [
        PartyCoverageSet(
            unit=ORG_PATH, coverage=PartyCoverage.LIAISON, previous=None, effective_on=date(2025, 3, 1)
        )
    ]
    state = given(evolve_organization, Organization(), *first)
    second = decide_set_coverage(
        state, ORG, coverage(PartyCoverage.PARTY_ORGANIZATION, date(2025, 6, 1)), TODAY
    )
    assert second[0].previous is PartyCoverage.LIAISON  # type: ignore[attr-defined]
    with pytest.raises(DomainError, match="already has coverage liaison"):
        decide_set_coverage(state, ORG, coverage(PartyCoverage.LIAISON, date(2025, 6, 1)), TODAY)
    with pytest.raises(DomainError, match="a later change cannot take effect earlier"):
        decide_set_coverage(state, ORG, coverage(PartyCoverage.NONE, date(2025, 2, 1)), TODAY)


def test_coverage_and_inspections_belong_to_social_organizations_only() -> None:
    with pytest.raises(DomainError, match=re.escape("is not a social organization (社会组织)")):
        decide_set_coverage(Organization(), county(), coverage(PartyCoverage.NONE, TODAY), TODAY)
    inspect = RecordOrganizationInspection(
        inspection_id="so-1", unit=ORG_PATH, inspected_on=date(2025, 7, 1), inspector="区民政局"
    )
    events = decide_inspect_organization(Organization(), ORG, inspect, TODAY)
    assert events == [OrganizationInspected(**inspect.model_dump())]
    state = given(evolve_organization, Organization(), *events)
    with pytest.raises(AlreadyExists, match="so-1 is already recorded"):
        decide_inspect_organization(state, ORG, inspect, TODAY)
    with pytest.raises(DomainError, match="is not a social organization"):
        decide_inspect_organization(Organization(), township(), inspect, TODAY)


@pytest.mark.parametrize("label", ["0000-H1", "1999-H2", "2025-H3", "25-H1"])
def test_a_half_year_without_a_date_is_refused_at_the_door(label: str) -> None:
    # found by schemathesis: year 0 passed the door and failed as a 500 when its dates were computed
    body = {"unit": WUZHONG, "half_year": label, "reported_to": "市委宣传部"}
    with pytest.raises(ValueError, match="half_year"):
        validate_input(RecordHalfYearReport, body, datetime(2026, 3, 2, tzinfo=UTC))
