"""`sanji up --site city|county`: which site this machine runs and how it joins the others.

The city (the default) runs the hub: with ``--county CODE`` (repeatable) its NATS listens for those
counties' leaf links, writes each one's credentials to ``<data>/nats/leaf-c<code>.json`` (0600) and its
SANJI_EVENTS sources their events. A county (``--site county --scope 3205.320506 --hub nats://host:port``)
runs its own NATS as a leaf node of that hub (credentials from the city's file, or ``--hub-credentials``),
its own PostgreSQL and services, in a data folder of its own (``.sanji-c<code>`` by default).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from services.eventkit.embedded.processes import free_port
from services.eventkit.embedded.site_nats import (
    CityHub,
    CountyLeaf,
    leaf_credentials_file,
    read_leaf_credentials,
)
from services.eventkit.sitestreams import county_of, provision_city, provision_county

LEAF_PORT_FILE = "leafport"
CITY_DATA_DIR = Path(".sanji")


class SiteError(ValueError):
    """Options that do not make a site: said in words, before anything starts."""


@dataclass(frozen=True)
class SiteOptions:
    site: str = "city"
    scope: str | None = None
    hub: str | None = None
    hub_credentials: Path | None = None
    counties: tuple[str, ...] = ()

    def refusal(self) -> str | None:
        """Why these options make no site (None: they do)."""
        try:
            self.check()
        except SiteError as error:
            return str(error)
        return None

    def check(self) -> None:
        if self.site not in {"city", "county"}:
            raise SiteError(f"--site must be city or county, not {self.site!r}")
        if self.site == "city":
            if self.scope or self.hub or self.hub_credentials:
                raise SiteError("--scope, --hub and --hub-credentials are for --site county")
            for county in self.counties:
                if not (county.isdigit() and len(county) == 6):
                    raise SiteError(f"--county {county!r}: a county's six-digit division code")
            return
        if self.counties:
            raise SiteError("--county is for the city site (the counties that may join it)")
        if not self.scope or not self.hub:
            raise SiteError("--site county needs --scope CITY.COUNTY and --hub nats://HOST:LEAFPORT")
        try:
            county_of(self.scope)
        except ValueError as error:
            raise SiteError(f"--scope: {error}") from None

    @property
    def county(self) -> str:
        return county_of(self.scope or "")[1]

    def default_data_dir(self) -> Path:
        return CITY_DATA_DIR if self.site == "city" else Path(f".sanji-c{self.county}")

    def nats_role(self, nats_dir: Path) -> CityHub | CountyLeaf | None:
        """The embedded NATS's role: None for a city with no county (a site on its own, as before)."""
        if self.site == "city":
            return CityHub(self.counties, leaf_port(nats_dir)) if self.counties else None
        credentials = self.hub_credentials or leaf_credentials_file(CITY_DATA_DIR / "nats", self.county)
        if not credentials.is_file():
            raise SiteError(
                f"no leaf credentials at {credentials}: start the city with --county {self.county}, "
                "or give --hub-credentials FILE"
            )
        user, password = read_leaf_credentials(credentials)
        return CountyLeaf(self.county, hub_address(self.hub or ""), user, password)

    def provision(self, operator_url: str, city: str) -> None:
        """The site's streams, before its services start (they would make a plain one)."""
        asyncio.run(self._provision(operator_url, city))

    async def _provision(self, operator_url: str, city: str) -> None:
        from services.eventkit.busconnect import connect

        nc = await connect(operator_url, "sanji-up-provision")
        try:
            if self.site == "county":
                await provision_county(nc.jetstream(), self.scope or "")
            else:
                await provision_city(nc.jetstream(), city, list(self.counties))
        finally:
            await nc.close()

    def describe(self, role: CityHub | CountyLeaf | None) -> str:
        if isinstance(role, CityHub):
            codes = ", ".join(role.counties)
            return f"city hub; counties {codes} join at nats://127.0.0.1:{role.leaf_port}"
        if isinstance(role, CountyLeaf):
            return f"county {self.scope}; leaf node of the hub at {role.hub}"
        return "city (no county joins)"


def hub_address(url: str) -> str:
    """``nats://user:pw@host:7422`` → ``host:7422`` (the credentials come from the city's file)."""
    rest = url.partition("://")[2] or url
    address = rest.rpartition("@")[2].rstrip("/")
    if ":" not in address:
        raise SiteError(f"--hub {url!r}: give the hub's leaf port, e.g. nats://127.0.0.1:7422")
    return address


def joined_hub(nats_dir: Path) -> CityHub | None:
    """The hub `sanji up --county …` made of this folder (the counties whose leaf credentials it wrote),
    so that a command rewriting its config keeps the leaf links; None for any other server."""
    counties = sorted(path.stem.removeprefix("leaf-c") for path in nats_dir.glob("leaf-c*.json"))
    return CityHub(tuple(counties), leaf_port(nats_dir)) if counties else None


def leaf_port(nats_dir: Path) -> int:
    """The city's leaf port: the one used last time, else a free one (remembered for the next start)."""
    nats_dir.mkdir(parents=True, exist_ok=True)
    path = nats_dir / LEAF_PORT_FILE
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        port = free_port()
        path.write_text(f"{port}\n")
        return port
