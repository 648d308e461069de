"""Unit paths: which are valid, what the error names when one is not, and the tree helpers."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.units import (
    Level,
    UnitPath,
    UnitPathError,
    ancestors_and_self,
    division_codes,
    is_within,
    level_of,
    parent_of,
    parse_unit_path,
    subject_tokens,
)

CITY = "3205"
COUNTY = "3205.320506"
TOWNSHIP = "3205.320506.320506001"
SECTION = "3205.320506.320506001.dept01"


@pytest.mark.parametrize(
    "path",
    [
        CITY,
        COUNTY,
        TOWNSHIP,
        SECTION,
        "3205.dept01",  # a section of the city bureau
        "3205.320506.care_home_2",  # an institution under a county office
        "3205.320506.320506001.party.branch_1",  # local codes nest
        "1101.110101.110101999",
        "3205.320506.320506001.a.b.c.d.e",  # exactly MAX_DEPTH levels
        "3205.320506.320506001." + "a" * 32,  # the longest local code
    ],
)
def test_valid_paths_are_returned_unchanged(path: str) -> None:
    assert parse_unit_path(path) == path


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("320", "'320'"),  # city too short
        ("32050", "'32050'"),  # city too long
        ("3200", "'3200'"),  # a province code, not a city
        ("abcd", "'abcd'"),
        ("3205.32050", "'32050'"),  # county too short
        ("3205.3205061", "'3205061'"),  # county too long
        ("3205.320500", "'320500'"),  # the city itself, not a county
        ("3205.320506.32050600", "'32050600'"),  # township too short
        ("3205.320506.3205060011", "'3205060011'"),  # township too long
        ("3205.320506.320506000", "'320506000'"),  # the county itself, not a township
        ("3205.330506", "'330506' does not lie under '3205'"),  # county not under the city
        ("3205.320506.320507001", "'320507001' does not lie under '320506'"),  # township elsewhere
        ("3205.dept01.320506", "'320506' is a division code after a local code"),
        ("3205.320506.dept01.320506001", "'320506001' is a division code after a local code"),
        ("3205.320506.320506001.320506001001", "'320506001001' is a division code below township"),
        ("3205.320506.320506001.a.b.c.d.e.f", "'f' is one too deep"),
        ("3205.320506.320506001." + "a" * 33, "'" + "a" * 33 + "'"),  # local code too long
        ("3205.Dept01", "'Dept01'"),  # local codes are lowercase
        ("3205.1dept", "'1dept'"),
        ("3205.dept-01", "'dept-01'"),
        ("3205..dept01", "level 2 of the unit path is empty"),
        ("3205.320506.", "level 3 of the unit path is empty"),
        (".3205", "'' is not a 4-digit city"),
        ("", "unit path is empty"),
    ],
)
def test_invalid_paths_name_the_bad_segment(path: str, named: str) -> None:
    with pytest.raises(UnitPathError) as raised:
        parse_unit_path(path)
    assert named in str(raised.value)


@pytest.mark.parametrize(
    "path",
    [
        "3205\n",  # `$` alone would let a trailing newline through, and into a NATS subject
        "3205.320506\n",
        "3205.dept01\n",
        "３２05",  # full-width digits are Unicode digits, not division codes
        "3205.３２0506",
        "3205.320506.320506٠٠1",  # Arabic-Indic digits
        "3205 ",
        "3205.dept 01",
        "3205.sanji>",
        "3205.*",
    ],
)
def test_only_ascii_codes_without_stray_characters_pass(path: str) -> None:
    with pytest.raises(UnitPathError):
        parse_unit_path(path)


def test_unit_path_type_reports_the_segment_through_pydantic() -> None:
    adapter = TypeAdapter(UnitPath)
    assert adapter.validate_python(TOWNSHIP) == TOWNSHIP
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python("3205.330506")
    assert "'330506' does not lie under '3205'" in str(raised.value)


@pytest.mark.parametrize(
    ("path", "level"),
    [
        (CITY, Level.CITY),
        ("3205.dept01", Level.CITY),
        (COUNTY, Level.COUNTY),
        ("3205.320506.care_home", Level.COUNTY),
        (TOWNSHIP, Level.TOWNSHIP),
        (SECTION, Level.TOWNSHIP),
    ],
)
def test_level_of_is_the_level_of_the_office(path: str, level: Level) -> None:
    assert level_of(path) == level


def test_division_codes_stop_at_the_first_local_code() -> None:
    assert division_codes(SECTION) == ["3205", "320506", "320506001"]
    assert division_codes("3205.dept01") == ["3205"]


def test_ancestors_and_self_run_from_the_city_down() -> None:
    assert ancestors_and_self(SECTION) == (CITY, COUNTY, TOWNSHIP, SECTION)
    assert ancestors_and_self(CITY) == (CITY,)


def test_parent_of() -> None:
    assert parent_of(SECTION) == TOWNSHIP
    assert parent_of(COUNTY) == CITY
    assert parent_of(CITY) is None


@pytest.mark.parametrize(
    ("path", "scope", "within"),
    [
        (CITY, CITY, True),
        (SECTION, CITY, True),
        (SECTION, COUNTY, True),
        (TOWNSHIP, TOWNSHIP, True),
        (COUNTY, TOWNSHIP, False),  # a parent is not within its child
        ("3205.320507", COUNTY, False),  # a sibling county
        ("3205.dept10", "3205.dept1", False),  # a shared prefix is not a parent
        ("3205.320506.320506001", "3205.320506.32050600", False),
    ],
)
def test_is_within(path: str, scope: str, within: bool) -> None:
    assert is_within(path, scope) is within


@pytest.mark.parametrize(
    ("path", "tokens"),
    [
        (CITY, ("3205", "_", "_")),
        ("3205.dept01", ("3205", "_", "_")),
        (COUNTY, ("3205", "320506", "_")),
        ("3205.320506.care_home", ("3205", "320506", "_")),
        (TOWNSHIP, ("3205", "320506", "320506001")),
        (SECTION, ("3205", "320506", "320506001")),
    ],
)
def test_subject_tokens_fill_missing_levels_with_underscore(path: str, tokens: tuple[str, str, str]) -> None:
    assert subject_tokens(path) == tokens
