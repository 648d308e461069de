"""The users of deploy/nats's hub and county configs, rendered from the grants the embedded server uses
(services/eventkit/bususers.py), with every password read from the environment.

``python -m services.eventkit.natsdeploy`` rewrites deploy/nats/users-hub.conf and users-county.conf;
tests/deploy/test_nats_configs.py fails when the shipped files differ from what this renders.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from services.eventkit.bususers import (
    JS,
    ExternalSystem,
    Grants,
    all_grants,
    inbox_prefix,
    user_entries,
)

CITY = "3205"
COUNTY = "320506"  # the county the shipped files are written for; copy per county (see deploy/README.md)
COUNTY_SCOPE = f"{CITY}.{COUNTY}"
# The hub's source of each county delivers on this prefix (deploy/nats/streams/hub/SANJI_EVENTS.json,
# external.deliver), so that a county's leaf user may publish into its own sourcing path and no other.
SOURCING_PREFIX = "sourcing"
# What the city sends a county, sourced by the county's SANJI_EVENTS from the hub, is delivered on this
# prefix (deploy/nats/streams/county/SANJI_EVENTS.json), the one path the hub lets down that county's link.
DOWNLINK_PREFIX = "downlink"
CITY_DOMAIN = "city"
DOWN_UNIT_EVENTS = ("unit_registered", "unit_renamed", "unit_retired")
HUB_SYSTEMS = (
    ExternalSystem("monitor", CITY, ("opinion.*",)),
    ExternalSystem("elearning", CITY, ("outreach.*",)),
    ExternalSystem("oa", CITY, ("outreach.submission", "outreach.adoption")),
)
COUNTY_SYSTEMS = (ExternalSystem("hotline", COUNTY_SCOPE, ("opinion.*",)),)
DEPLOY_NATS = Path(__file__).resolve().parents[2] / "deploy" / "nats"


def password_variable(user: str) -> str:
    """The environment variable holding ``user``'s password: ``leaf-c320506`` → SANJI_NATS_LEAF_C320506_PASSWORD."""
    return f"SANJI_NATS_{re.sub(r'[^A-Z0-9]', '_', user.upper())}_PASSWORD"


def sourcing_subject(county: str) -> str:
    """The hub's ``external.deliver`` prefix for a county's events."""
    return f"{SOURCING_PREFIX}.c{county}"


def downlink_subject(county: str) -> str:
    """The ``external.deliver`` prefix of a county's sources of the city's events."""
    return f"{DOWNLINK_PREFIX}.c{county}"


def origin_token(county: str) -> str:
    """The token the hub appends to a county's events as it sources them: ``320506`` → ``c320506``."""
    return f"c{county}"


def downlink_filters(county: str, city: str = CITY) -> tuple[str, ...]:
    """What the city sends a county: the unit registry of its subtree and the opinion cases there. Seven
    tokens exactly: events the hub's own services wrote, never a county's own coming back (those carry
    the origin token as an eighth)."""
    subtree = f"{city}.{county}.*"
    units = tuple(f"sanji.ev.duty.{name}.{subtree}" for name in DOWN_UNIT_EVENTS)
    return (*units, f"sanji.ev.opinion.*.{subtree}")


def leaf_grants(county: str) -> Grants:
    """A county's leaf link, seen from the hub: publish is what the county may send up, subscribe what the
    hub sends down. Up: its own sourcing deliveries, the answers to the hub's JetStream requests, and the
    requests of its sources of the city's events, each pinned to one of the county's downlink filters; nothing
    under sanji.> (no events, commands or queries) and no other hub JetStream API. Down: the hub's
    requests to the county's JetStream domain, the downlink deliveries, flow control and API replies."""
    creates = tuple(
        f"$JS.{CITY_DOMAIN}.API.CONSUMER.CREATE.SANJI_EVENTS.*.{filter_}"
        for filter_ in downlink_filters(county)
    )
    return Grants(
        publish=(f"{sourcing_subject(county)}.>", "$JSC.R.*", *creates, "$JS.FC.>"),
        subscribe=(f"$JS.c{county}.API.>", "$JS.FC.>", f"{downlink_subject(county)}.>", "$JSC.R.*"),
    )


def county_reader_grants(county: str) -> Grants:
    """Read-only at the hub: one durable consumer pinned to the county's subtree, and live events of it."""
    name, events = f"county_{county}", f"sanji.ev.*.*.{CITY}.{county}.>"
    return Grants(
        publish=(
            f"{JS}.INFO",
            f"{JS}.STREAM.INFO.SANJI_EVENTS",
            f"{JS}.CONSUMER.CREATE.SANJI_EVENTS.{name}.{events}",
            f"{JS}.CONSUMER.INFO.SANJI_EVENTS.{name}",
            f"{JS}.CONSUMER.MSG.NEXT.SANJI_EVENTS.{name}",
            f"$JS.ACK.SANJI_EVENTS.{name}.>",
        ),
        subscribe=(events, f"{inbox_prefix(name)}.>"),
    )


def site_grants(site: str) -> dict[str, Grants]:
    """Every user of the shipped hub or county config."""
    if site == "hub":
        grants = all_grants(HUB_SYSTEMS)
        grants[f"leaf-c{COUNTY}"] = leaf_grants(COUNTY)
        grants[f"county-{COUNTY}"] = county_reader_grants(COUNTY)
        return grants
    if site == "county":
        return all_grants(COUNTY_SYSTEMS)
    raise ValueError(f"site must be hub or county, not {site!r}")


def users_conf(site: str) -> str:
    """deploy/nats/users-<site>.conf: the SANJI account's users as one variable the site config reads."""
    header = [
        f"# The SANJI account's users of the {site} site, read by {site}.conf (users: $SANJI_USERS).",
        "# Generated by `python -m services.eventkit.natsdeploy` from services/eventkit/bususers.py: edit those,",
        "# not this file. Each password is an environment variable (nats.env.example).",
        "SANJI_USERS: [",
    ]
    entries = user_entries(site_grants(site), lambda user: f"${password_variable(user)}", "  ")
    return "\n".join([*header, *entries, "]"]) + "\n"


def main() -> None:
    for site in ("hub", "county"):
        (DEPLOY_NATS / f"users-{site}.conf").write_text(users_conf(site))
        sys.stdout.write(f"wrote {DEPLOY_NATS / f'users-{site}.conf'}\n")


if __name__ == "__main__":
    main()
