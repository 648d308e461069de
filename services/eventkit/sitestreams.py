"""The streams that join a city site and its county sites, made from one description (the shipped
deploy/nats/streams files are the same for county 320506; tests/deploy holds them equal).

Up: the city's SANJI_EVENTS sources each county's SANJI_EVENTS (the county's subtree only) and appends
the county's origin token to every subject (``sanji.ev.….3205.320506._.c320506``), so the city's
services and views read every county's facts with their own, and nothing a county wrote is ever sent
back to it. Down: a county's SANJI_EVENTS sources from the city's what the city's own services wrote for
the county's subtree (seven tokens exactly: never a county's own, which carry eight), stored with the
token ``city`` appended, so the county's services and views read it with their own and it never goes
back up (the city takes seven-token subjects only).
Both are JetStream sources: each message once (Nats-Msg-Id dedupe within the two-hour window, and the
source consumer resumes from its last copied sequence after a cut), in the origin's order, headers kept.
"""

from __future__ import annotations

import dataclasses
import logging

from nats.js import JetStreamContext
from nats.js.api import ExternalStream, StreamConfig, StreamSource, SubjectTransform
from nats.js.errors import NotFoundError

from contracts.subjects import EVENTS_STREAM
from contracts.units import division_codes
from services.eventkit.natsdeploy import (
    CITY,
    CITY_DOMAIN,
    downlink_filters,
    downlink_subject,
    origin_token,
    sourcing_subject,
)
from services.eventkit.streams import events_stream_config

log = logging.getLogger(__name__)


def county_of(scope: str) -> tuple[str, str]:
    """``3205.320506`` → (``3205``, ``320506``): a county site's city and county codes."""
    codes = division_codes(scope)
    if len(codes) != 2:
        raise ValueError(f"a county site's scope is city.county (e.g. 3205.320506), not {scope!r}")
    return codes[0], codes[1]


def county_domain(county: str) -> str:
    """A county site's JetStream domain: ``c`` + its division code."""
    return origin_token(county)


def hub_source(city: str, county: str) -> StreamSource:
    """The city's source of one county: its subtree, stored with the county's origin token appended."""
    return StreamSource(
        name=EVENTS_STREAM,
        subject_transforms=[tagged(f"sanji.ev.*.*.{city}.{county}.*", origin_token(county))],
        external=ExternalStream(api=f"$JS.{county_domain(county)}.API", deliver=sourcing_subject(county)),
    )


def hub_stream_config(city: str, counties: list[str]) -> StreamConfig:
    """The city's SANJI_EVENTS: its own events (subjects) and every county's (sources)."""
    return dataclasses.replace(
        events_stream_config(), sources=[hub_source(city, county) for county in counties] or None
    )


def tagged(src: str, token: str) -> SubjectTransform:
    """``src`` stored with ``token`` appended: ``sanji.ev.opinion.*.3205.320506.*`` →
    ``sanji.ev.opinion.{{wildcard(1)}}.3205.320506.{{wildcard(2)}}.<token>``."""
    parts, wildcard = [], 0
    for piece in src.split("."):
        if piece == "*":
            wildcard += 1
            parts.append(f"{{{{wildcard({wildcard})}}}}")
        else:
            parts.append(piece)
    return SubjectTransform(src=src, dest=".".join([*parts, token]))


def county_stream_config(county: str, city: str = CITY) -> StreamConfig:
    """A county's SANJI_EVENTS: its own events (subjects) and what the city sends it (sources), one
    source per filter (each pinned by the hub's leaf user), stored with the city's origin token."""
    external = ExternalStream(api=f"$JS.{CITY_DOMAIN}.API", deliver=downlink_subject(county))
    sources = [
        StreamSource(name=EVENTS_STREAM, subject_transforms=[tagged(src, CITY_DOMAIN)], external=external)
        for src in downlink_filters(county, city)
    ]
    return dataclasses.replace(events_stream_config(), sources=sources)


async def provision_city(js: JetStreamContext, city: str, counties: list[str]) -> None:
    """Create the city's SANJI_EVENTS, or give the existing one exactly these counties' sources."""
    wanted = hub_stream_config(city, counties)
    try:
        await js.stream_info(EVENTS_STREAM)
    except NotFoundError:
        await js.add_stream(config=wanted)
        return
    await js.update_stream(config=wanted)


async def provision_county(js: JetStreamContext, scope: str) -> None:
    """Create a county's SANJI_EVENTS, or give the existing one the city's sources."""
    city, county = county_of(scope)
    wanted = county_stream_config(county, city)
    try:
        await js.stream_info(EVENTS_STREAM)
    except NotFoundError:
        await js.add_stream(config=wanted)
        return
    await js.update_stream(config=wanted)
