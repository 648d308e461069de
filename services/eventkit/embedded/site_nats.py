"""The embedded nats-server of a site joined to others: the city hub (JetStream domain ``city``, a leaf
listener whose connections log in as ``leaf-c<county>``) or a county (domain ``c<county>``, a leaf remote
to the hub that carries no Sanji subject), in the shape of deploy/nats/hub.conf and county.conf: the
users in account SANJI with the same grants, a system account, bcrypt hashes only.

The hub writes each county's leaf credentials to ``<hub data>/leaf-c<county>.json`` (0600); a county
site reads that file (or one given) to join.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from services.eventkit.bususers import Grants, hashed, user_entries, write_private
from services.eventkit.natsdeploy import CITY_DOMAIN, leaf_grants, origin_token

SYSTEM_USER = "sys"


@dataclass(frozen=True)
class CityHub:
    """The city site: counties that may join, and the port their leaf links connect to."""

    counties: tuple[str, ...]
    leaf_port: int


@dataclass(frozen=True)
class CountyLeaf:
    """A county site joined to the hub at ``hub`` (host:port of its leaf listener)."""

    county: str
    hub: str
    user: str
    password: str


def leaf_user(county: str) -> str:
    return f"leaf-{origin_token(county)}"


def leaf_credentials_file(hub_data: Path, county: str) -> Path:
    return hub_data / f"{leaf_user(county)}.json"


def write_leaf_credentials(hub_data: Path, county: str, password: str) -> None:
    text = json.dumps({"user": leaf_user(county), "password": password}) + "\n"
    write_private(leaf_credentials_file(hub_data, county), text)


def read_leaf_credentials(path: Path) -> tuple[str, str]:
    """(user, password) from a hub's leaf credentials file."""
    stored = json.loads(path.read_text())
    return str(stored["user"]), str(stored["password"])


def site_users(site: CityHub | CountyLeaf | None) -> dict[str, Grants]:
    """The users a site adds to every server's: at the hub, one leaf user per county."""
    if isinstance(site, CityHub):
        return {leaf_user(county): leaf_grants(county) for county in site.counties}
    return {}


def site_config(
    site: CityHub | CountyLeaf, grants: dict[str, Grants], passwords: dict[str, str], store_dir: str
) -> str:
    """JetStream with the site's domain, its leaf block and the accounts (the rest of nats.conf is common)."""
    q = json.dumps
    domain = CITY_DOMAIN if isinstance(site, CityHub) else origin_token(site.county)
    if isinstance(site, CityHub):
        # no_advertise: a county reconnects only to the address it was given (a relay, a NAT), never
        # to the hub's own listener learned from the hub.
        leaf = f'leafnodes {{\n  listen: "127.0.0.1:{site.leaf_port}"\n  no_advertise: true\n}}\n'
    else:
        url = f"nats-leaf://{site.user}:{site.password}@{site.hub}"
        leaf = (
            'leafnodes {\n  reconnect: "1s"\n  remotes: [\n'
            f'    {{ urls: [{q(url)}], account: "SANJI", deny_imports: ["sanji.>"], deny_exports: ["sanji.>"] }}\n'
            "  ]\n}\n"
        )
    entries = user_entries(grants, lambda user: q(hashed(passwords[user])), "      ")
    system = f"{{ user: {q(SYSTEM_USER)}, password: {q(hashed(passwords[SYSTEM_USER]))} }}"
    return (
        "jetstream {\n"
        f"  store_dir: {q(store_dir)}\n"
        f"  domain: {domain}\n"
        "  max_memory_store: 256MB\n"
        "  max_file_store: 10GB\n"
        "}\n"
        + leaf
        + "accounts {\n  SANJI {\n    jetstream: enabled\n    users: [\n"
        + "\n".join(entries)
        + f"\n    ]\n  }}\n  SYS {{\n    users: [ {system} ]\n  }}\n}}\nsystem_account: SYS\n"
    )
