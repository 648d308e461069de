"""Units, given/when/then: registration under a known parent, kinds by position, renames."""

from __future__ import annotations

import re
from datetime import date

import pytest

from contracts.duty import RegisterUnit, RenameUnit, UnitKind, UnitRegistered, UnitRenamed, UnitRetired
from services.duty.domain.units import Unit, decide_register_unit, decide_rename_unit
from services.eventkit.errors import AlreadyExists, DomainError, NotFound
from tests.duty.given import CHANGQIAO, GUOXIANG, TODAY, WUZHONG, county, township, unit


def register(path: str, name: str, kind: UnitKind, effective_on: date | None = None) -> RegisterUnit:
    return RegisterUnit(path=path, name=name, kind=kind, effective_on=effective_on)


def test_a_township_registers_under_its_county_with_the_effective_date() -> None:
    events = decide_register_unit(
        Unit(), county(), register(CHANGQIAO, "长桥街道", UnitKind.TOWNSHIP_OFFICE, date(2025, 1, 1)), TODAY
    )
    assert events == [
        UnitRegistered(
            path=CHANGQIAO,
            name="长桥街道",
            kind=UnitKind.TOWNSHIP_OFFICE,
            parent=WUZHONG,
            effective_on=date(2025, 1, 1),
        )
    ]


def test_a_unit_needs_its_parent_registered_first() -> None:
    with pytest.raises(NotFound, match=re.escape("parent unit 3205.320506 is not registered")) as refused:
        decide_register_unit(Unit(), Unit(), register(CHANGQIAO, "长桥街道", UnitKind.TOWNSHIP_OFFICE), TODAY)
    assert refused.value.field == "path"


def retired_township() -> Unit:
    retired = UnitRetired(path=CHANGQIAO, successor=GUOXIANG, effective_on=date(2025, 3, 1), reason="撤并")
    return unit(CHANGQIAO, "长桥街道", UnitKind.TOWNSHIP_OFFICE, retired)


def test_nothing_registers_under_a_retired_unit() -> None:
    retired = retired_township()
    with pytest.raises(
        DomainError, match=re.escape("retired on 2025-03-01; it continues as 3205.320506.320506002")
    ):
        decide_register_unit(
            Unit(), retired, register(f"{CHANGQIAO}.dept01", "办公室", UnitKind.DEPARTMENT), TODAY
        )


@pytest.mark.parametrize(
    ("path", "kind"),
    [(WUZHONG, UnitKind.TOWNSHIP_OFFICE), (f"{WUZHONG}.dept01", UnitKind.COUNTY_OFFICE)],
)
def test_the_kind_must_fit_where_the_unit_sits(path: str, kind: UnitKind) -> None:
    parent = county() if path != WUZHONG else Unit("3205", "苏州市民政局", UnitKind.BUREAU)
    with pytest.raises(DomainError, match="must be of kind") as refused:
        decide_register_unit(Unit(), parent, register(path, "某单位", kind), TODAY)
    assert refused.value.field == "kind"


def test_a_unit_registers_once() -> None:
    with pytest.raises(AlreadyExists, match="already registered as 吴中区民政局"):
        decide_register_unit(
            county(), Unit("3205"), register(WUZHONG, "吴中区", UnitKind.COUNTY_OFFICE), TODAY
        )


def test_a_future_effective_date_is_refused() -> None:
    with pytest.raises(DomainError, match="in the future"):
        decide_register_unit(
            Unit(),
            county(),
            register(CHANGQIAO, "长桥街道", UnitKind.TOWNSHIP_OFFICE, date(2025, 8, 1)),
            TODAY,
        )


def rename(name: str, on: date) -> RenameUnit:
    return RenameUnit(path=CHANGQIAO, name=name, effective_on=on, reason="区划调整")


def test_a_rename_keeps_the_previous_name() -> None:
    events = decide_rename_unit(township(), rename("长桥街道办事处", date(2025, 5, 1)), TODAY)
    assert events == [
        UnitRenamed(
            path=CHANGQIAO,
            name="长桥街道办事处",
            previous_name="长桥街道",
            effective_on=date(2025, 5, 1),
            reason="区划调整",
        )
    ]


def test_a_rename_to_the_same_name_is_refused() -> None:
    with pytest.raises(DomainError, match="already named 长桥街道"):
        decide_rename_unit(township(), rename("长桥街道", date(2025, 5, 1)), TODAY)


def test_a_rename_cannot_take_effect_before_the_last_change() -> None:
    earlier = UnitRenamed(
        path=CHANGQIAO, name="长桥镇", previous_name="长桥街道", effective_on=date(2025, 6, 1), reason="更名"
    )
    renamed = unit(CHANGQIAO, "长桥街道", UnitKind.TOWNSHIP_OFFICE, earlier)
    with pytest.raises(DomainError, match="last changed on 2025-06-01"):
        decide_rename_unit(renamed, rename("新名称", date(2025, 5, 1)), TODAY)


def test_a_retired_unit_cannot_be_renamed() -> None:
    with pytest.raises(DomainError, match="was retired on 2025-03-01"):
        decide_rename_unit(retired_township(), rename("新名称", date(2025, 5, 1)), TODAY)
