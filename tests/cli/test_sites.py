"""`sanji up --site …`: options that make no site are refused in words before anything starts, a county
finds the leaf credentials the city wrote, and the city's leaf port is kept between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli.sites import SiteError, SiteOptions, hub_address, leaf_port
from services.eventkit.embedded.site_nats import CityHub, CountyLeaf, write_leaf_credentials


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (SiteOptions(site="town"), "--site must be city or county"),
        (SiteOptions(site="county", hub="nats://127.0.0.1:7422"), "needs --scope"),
        (SiteOptions(site="county", scope="3205.320506"), "needs --scope CITY.COUNTY and --hub"),
        (SiteOptions(site="county", scope="3205", hub="nats://h:1"), "scope is city.county"),
        (SiteOptions(site="county", scope="3205.320506.320506001", hub="nats://h:1"), "scope is city.county"),
        (SiteOptions(scope="3205.320506"), "are for --site county"),
        (SiteOptions(counties=("32050",)), "six-digit division code"),
        (
            SiteOptions(site="county", scope="3205.320506", hub="nats://h:1", counties=("320507",)),
            "--county is",
        ),
    ],
)
def test_options_that_make_no_site_are_refused_in_words(options: SiteOptions, said: str) -> None:
    refusal = options.refusal()
    assert refusal is not None
    assert said in refusal


def test_a_city_without_counties_runs_on_its_own_as_before(tmp_path: Path) -> None:
    assert SiteOptions().refusal() is None
    assert SiteOptions().nats_role(tmp_path) is None
    assert SiteOptions().default_data_dir() == Path(".sanji")


def test_the_city_keeps_its_leaf_port(tmp_path: Path) -> None:
    role = SiteOptions(counties=("320506", "320507")).nats_role(tmp_path)
    assert isinstance(role, CityHub)
    assert role.counties == ("320506", "320507")
    assert leaf_port(tmp_path) == role.leaf_port  # the county's --hub stays right across restarts


def test_a_county_joins_with_the_credentials_the_city_wrote(tmp_path: Path) -> None:
    write_leaf_credentials(tmp_path, "320506", "s3cret")
    assert (tmp_path / "leaf-c320506.json").stat().st_mode & 0o777 == 0o600
    options = SiteOptions(
        site="county",
        scope="3205.320506",
        hub="nats://127.0.0.1:7422",
        hub_credentials=tmp_path / "leaf-c320506.json",
    )
    assert options.refusal() is None
    assert options.default_data_dir() == Path(".sanji-c320506")
    assert options.nats_role(tmp_path) == CountyLeaf("320506", "127.0.0.1:7422", "leaf-c320506", "s3cret")
    missing = SiteOptions(
        site="county", scope="3205.320506", hub="nats://h:1", hub_credentials=tmp_path / "x"
    )
    with pytest.raises(SiteError, match="start the city with --county 320506"):
        missing.nats_role(tmp_path)


def test_the_hub_address_drops_scheme_and_credentials() -> None:
    assert hub_address("nats://u:p@10.0.0.1:7422") == "10.0.0.1:7422"
    assert hub_address("nats-leaf://hub.example:7422/") == "hub.example:7422"
    with pytest.raises(SiteError, match="leaf port"):
        hub_address("nats://hub.example")
