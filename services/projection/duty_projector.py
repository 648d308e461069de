"""The projector of the duty view: current rows for listings and counts, and validity intervals
(duty_history) for questions "as of" a date. Duty's events are few (structure changes, not a
stream of activities), so each is applied in turn; the batch still commits once with its checkpoint."""

from __future__ import annotations

from datetime import date

from contracts import duty as d
from contracts.envelope import EventEnvelope
from contracts.registry import DomainEvent, UnknownEventType
from services.eventkit.db import Conn
from services.eventkit.projector import Delivered
from services.projection.duty_checks import CHECKS, Apply

NAME = "duty"


class History:
    """Validity intervals of one subject's attributes in ``<schema>.duty_history``."""

    def __init__(self, conn: Conn, schema: str, subject: str) -> None:
        self.conn, self.table, self.subject = conn, f"{schema}.duty_history", subject

    async def end(self, attribute: str, on: date | None, value: str | None = None) -> None:
        """Close the open interval(s) of ``attribute`` (only ``value``'s, for a set-valued one)."""
        await self.conn.execute(
            f"UPDATE {self.table} SET valid_to = $3 WHERE subject = $1 AND attribute = $2"
            " AND valid_to IS NULL AND ($4::text IS NULL OR value = $4)",
            self.subject,
            attribute,
            on,
            value,
        )

    async def begin(self, attribute: str, value: str, on: date | None, detail: str | None = None) -> None:
        await self.conn.execute(
            f"INSERT INTO {self.table} (subject, attribute, value, detail, valid_from) VALUES ($1, $2, $3, $4, $5)",
            self.subject,
            attribute,
            value,
            detail,
            on,
        )

    async def set(self, attribute: str, value: str, on: date | None, detail: str | None = None) -> None:
        await self.end(attribute, on)
        await self.begin(attribute, value, on, detail)


def unit_history(conn: Conn, s: str, path: str) -> History:
    return History(conn, s, f"unit:{path}")


def post_history(conn: Conn, s: str, post_id: str) -> History:
    return History(conn, s, f"post:{post_id}")


def outlet_history(conn: Conn, s: str, outlet_id: str) -> History:
    return History(conn, s, f"outlet:{outlet_id}")


async def unit_registered(conn: Conn, s: str, e: d.UnitRegistered, _: EventEnvelope) -> None:
    await conn.execute(
        f"INSERT INTO {s}.duty_units (path, parent, name, kind, registered_on, previous_path)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        e.path,
        e.parent,
        e.name,
        e.kind.value,
        e.effective_on,
        e.previous_path,
    )
    await unit_history(conn, s, e.path).begin("name", e.name, e.effective_on)


async def unit_renamed(conn: Conn, s: str, e: d.UnitRenamed, _: EventEnvelope) -> None:
    await conn.execute(f"UPDATE {s}.duty_units SET name = $2 WHERE path = $1", e.path, e.name)
    await unit_history(conn, s, e.path).set("name", e.name, e.effective_on)


async def unit_retired(conn: Conn, s: str, e: d.UnitRetired, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_units SET retired_on = $2, successor = $3 WHERE path = $1",
        e.path,
        e.effective_on,
        e.successor,
    )
    await unit_history(conn, s, e.path).end("name", e.effective_on)


async def post_created(conn: Conn, s: str, e: d.PostCreated, _: EventEnvelope) -> None:
    await conn.execute(
        f"INSERT INTO {s}.duty_posts (post_id, unit, kind, title, created_on) VALUES ($1, $2, $3, $4, $5)",
        e.post_id,
        e.unit,
        e.kind.value,
        e.title,
        e.effective_on,
    )
    await post_history(conn, s, e.post_id).begin("unit", e.unit, e.effective_on)


async def post_filled(conn: Conn, s: str, e: d.PostFilled, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_posts SET staff_no = $2, person_name = $3, holder_since = $4 WHERE post_id = $1",
        e.post_id,
        e.staff_no,
        e.person_name,
        e.effective_on,
    )
    await post_history(conn, s, e.post_id).set("holder", e.staff_no, e.effective_on, e.person_name)


async def post_vacated(conn: Conn, s: str, e: d.PostVacated, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_posts SET staff_no = NULL, person_name = NULL, holder_since = NULL WHERE post_id = $1",
        e.post_id,
    )
    await post_history(conn, s, e.post_id).end("holder", e.effective_on)


async def post_abolished(conn: Conn, s: str, e: d.PostAbolished, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_posts SET abolished_on = $2 WHERE post_id = $1", e.post_id, e.effective_on
    )
    await post_history(conn, s, e.post_id).end("unit", e.effective_on)


async def post_relocated(conn: Conn, s: str, e: d.PostRelocated, _: EventEnvelope) -> None:
    await conn.execute(f"UPDATE {s}.duty_posts SET unit = $2 WHERE post_id = $1", e.post_id, e.to_unit)
    await post_history(conn, s, e.post_id).set("unit", e.to_unit, e.effective_on)


async def duty_assigned(conn: Conn, s: str, e: d.DutyAssigned, _: EventEnvelope) -> None:
    await post_history(conn, s, e.post_id).begin("oversees", e.section, e.effective_on)


async def duty_revoked(conn: Conn, s: str, e: d.DutyRevoked, _: EventEnvelope) -> None:
    await post_history(conn, s, e.post_id).end("oversees", e.effective_on, e.section)


async def duty_handed_over(conn: Conn, s: str, e: d.DutyHandedOver, _: EventEnvelope) -> None:
    for section in e.sections:
        await post_history(conn, s, e.from_post_id).end("oversees", e.effective_on, section)


async def outlet_registered(conn: Conn, s: str, e: d.OutletRegistered, _: EventEnvelope) -> None:
    await conn.execute(
        f"INSERT INTO {s}.duty_outlets (outlet_id, unit, kind, name, address, status, owner_post_id, registered_on)"
        " VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)",
        e.outlet_id,
        e.unit,
        e.kind.value,
        e.name,
        e.address,
        e.owner_post_id,
        e.effective_on,
    )
    history = outlet_history(conn, s, e.outlet_id)
    await history.begin("unit", e.unit, e.effective_on)
    await history.begin("owner", e.owner_post_id, e.effective_on)
    await history.begin("status", d.OutletStatus.ACTIVE.value, e.effective_on)


async def outlet_status_changed(conn: Conn, s: str, e: d.OutletStatusChanged, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_outlets SET status = $2 WHERE outlet_id = $1", e.outlet_id, e.status.value
    )
    await outlet_history(conn, s, e.outlet_id).set("status", e.status.value, e.effective_on)


async def outlet_owner_changed(conn: Conn, s: str, e: d.OutletOwnerChanged, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_outlets SET owner_post_id = $2 WHERE outlet_id = $1", e.outlet_id, e.to_post_id
    )
    await outlet_history(conn, s, e.outlet_id).set("owner", e.to_post_id, e.effective_on)


async def outlet_relocated(conn: Conn, s: str, e: d.OutletRelocated, _: EventEnvelope) -> None:
    await conn.execute(f"UPDATE {s}.duty_outlets SET unit = $2 WHERE outlet_id = $1", e.outlet_id, e.to_unit)
    await conn.execute(
        f"UPDATE {s}.duty_gaps SET unit = $2 WHERE outlet_id = $1 AND closed_on IS NULL",
        e.outlet_id,
        e.to_unit,
    )
    await outlet_history(conn, s, e.outlet_id).set("unit", e.to_unit, e.effective_on)


async def gap_opened(conn: Conn, s: str, e: d.OutletCoverageGapOpened, _: EventEnvelope) -> None:
    await conn.execute(
        f"UPDATE {s}.duty_outlets SET gap_since = $2 WHERE outlet_id = $1", e.outlet_id, e.effective_on
    )
    await conn.execute(
        f"INSERT INTO {s}.duty_gaps (outlet_id, unit, post_id, opened_on) VALUES ($1, $2, $3, $4)",
        e.outlet_id,
        e.unit,
        e.post_id,
        e.effective_on,
    )


async def gap_closed(conn: Conn, s: str, e: d.OutletCoverageGapClosed, _: EventEnvelope) -> None:
    await conn.execute(f"UPDATE {s}.duty_outlets SET gap_since = NULL WHERE outlet_id = $1", e.outlet_id)
    await conn.execute(
        f"UPDATE {s}.duty_gaps SET closed_on = $2, resolution = $3, closed_by = $4"
        " WHERE outlet_id = $1 AND closed_on IS NULL",
        e.outlet_id,
        e.effective_on,
        e.resolution.value,
        e.post_id,
    )


APPLY: dict[type[DomainEvent], Apply] = {
    d.UnitRegistered: unit_registered,
    d.UnitRenamed: unit_renamed,
    d.UnitRetired: unit_retired,
    d.PostCreated: post_created,
    d.PostFilled: post_filled,
    d.PostVacated: post_vacated,
    d.PostAbolished: post_abolished,
    d.PostRelocated: post_relocated,
    d.DutyAssigned: duty_assigned,
    d.DutyRevoked: duty_revoked,
    d.DutyHandedOver: duty_handed_over,
    d.OutletRegistered: outlet_registered,
    d.OutletStatusChanged: outlet_status_changed,
    d.OutletOwnerChanged: outlet_owner_changed,
    d.OutletRelocated: outlet_relocated,
    d.OutletCoverageGapOpened: gap_opened,
    d.OutletCoverageGapClosed: gap_closed,
    **CHECKS,
}
HANDLED_TYPES = frozenset(model.event_type for model in APPLY)


class DutyProjector:
    name = NAME
    event_types = HANDLED_TYPES

    async def apply(self, conn: Conn, schema: str, batch: list[Delivered]) -> None:
        for delivered in batch:
            envelope = delivered.envelope
            if envelope.type not in HANDLED_TYPES:
                continue  # other contexts' events, and duty's summaries (UnitsMerged, UnitSplit)
            try:
                event = delivered.event
            except UnknownEventType:
                continue
            await APPLY[type(event)](conn, schema, event, envelope)
