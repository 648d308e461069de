"""The projector of the duty view: current rows for listings and counts, and validity intervals
(duty_history) for questions "as of" a date. Structure changes are few and their updates depend on
the rows before them, so most are ordered changes; the inserts go as rows."""

from __future__ import annotations

from datetime import date

from contracts import duty as d
from services.eventkit.projector import Delivered
from services.eventkit.readmodel import Batch, Rows, on
from services.projection.duty_checks import DutyChecks
from services.projection.duty_records import DutyRecords

NAME = "duty"
HISTORY = Rows(
    "duty_history",
    (
        ("subject", "text"),
        ("attribute", "text"),
        ("value", "text"),
        ("detail", "text"),
        ("valid_from", "date"),
    ),
    on_conflict=None,
)
POSTS = Rows(
    "duty_posts",
    (("post_id", "text"), ("unit", "text"), ("kind", "text"), ("title", "text"), ("created_on", "date")),
    on_conflict=None,
)
OUTLETS = Rows(
    "duty_outlets",
    (
        ("outlet_id", "text"),
        ("unit", "text"),
        ("kind", "text"),
        ("name", "text"),
        ("address", "text"),
        ("status", "text"),
        ("owner_post_id", "text"),
        ("registered_on", "date"),
    ),
    on_conflict=None,
)
GAPS = Rows(
    "duty_gaps",
    (("outlet_id", "text"), ("unit", "text"), ("post_id", "text"), ("opened_on", "date")),
    on_conflict=None,
)


class History:
    """Validity intervals of one subject's attributes in ``duty_history``."""

    def __init__(self, batch: Batch, subject: str) -> None:
        self.batch, self.subject = batch, subject

    def end(self, attribute: str, on: date | None, value: str | None = None) -> None:
        """Close the open interval(s) of ``attribute`` (only ``value``'s, for a set-valued one)."""
        self.batch.change(
            HISTORY.table,
            "UPDATE {s}.duty_history SET valid_to = $3 WHERE subject = $1 AND attribute = $2"
            " AND valid_to IS NULL AND ($4::text IS NULL OR value = $4)",
            self.subject,
            attribute,
            on,
            value,
        )

    def begin(self, attribute: str, value: str, on: date | None, detail: str | None = None) -> None:
        self.batch.row(HISTORY, self.subject, attribute, value, detail, on)

    def set(self, attribute: str, value: str, on: date | None, detail: str | None = None) -> None:
        self.end(attribute, on)
        self.begin(attribute, value, on, detail)


def unit_history(batch: Batch, path: str) -> History:
    return History(batch, f"unit:{path}")


def post_history(batch: Batch, post_id: str) -> History:
    return History(batch, f"post:{post_id}")


def outlet_history(batch: Batch, outlet_id: str) -> History:
    return History(batch, f"outlet:{outlet_id}")


class DutyProjector(DutyChecks, DutyRecords):
    name = NAME

    # The units themselves are in the one unit table (readmodels.py); here only their names' intervals.
    @on(d.UnitRegistered)
    def unit_registered(self, batch: Batch, e: d.UnitRegistered, _: Delivered) -> None:
        unit_history(batch, e.path).begin("name", e.name, e.effective_on)

    @on(d.UnitRenamed)
    def unit_renamed(self, batch: Batch, e: d.UnitRenamed, _: Delivered) -> None:
        unit_history(batch, e.path).set("name", e.name, e.effective_on)

    @on(d.UnitRetired)
    def unit_retired(self, batch: Batch, e: d.UnitRetired, _: Delivered) -> None:
        unit_history(batch, e.path).end("name", e.effective_on)

    @on(d.PostCreated)
    def post_created(self, batch: Batch, e: d.PostCreated, _: Delivered) -> None:
        batch.row(POSTS, e.post_id, e.unit, e.kind.value, e.title, e.effective_on)
        post_history(batch, e.post_id).begin("unit", e.unit, e.effective_on)

    @on(d.PostFilled)
    def post_filled(self, batch: Batch, e: d.PostFilled, _: Delivered) -> None:
        batch.change(
            POSTS.table,
            "UPDATE {s}.duty_posts SET staff_no = $2, person_name = $3, holder_since = $4 WHERE post_id = $1",
            e.post_id,
            e.staff_no,
            e.person_name,
            e.effective_on,
        )
        post_history(batch, e.post_id).set("holder", e.staff_no, e.effective_on, e.person_name)

    @on(d.PostVacated)
    def post_vacated(self, batch: Batch, e: d.PostVacated, _: Delivered) -> None:
        batch.change(
            POSTS.table,
            "UPDATE {s}.duty_posts SET staff_no = NULL, person_name = NULL, holder_since = NULL WHERE post_id = $1",
            e.post_id,
        )
        post_history(batch, e.post_id).end("holder", e.effective_on)

    @on(d.PostAbolished)
    def post_abolished(self, batch: Batch, e: d.PostAbolished, _: Delivered) -> None:
        sql = "UPDATE {s}.duty_posts SET abolished_on = $2 WHERE post_id = $1"
        batch.change(POSTS.table, sql, e.post_id, e.effective_on)
        post_history(batch, e.post_id).end("unit", e.effective_on)

    @on(d.PostRelocated)
    def post_relocated(self, batch: Batch, e: d.PostRelocated, _: Delivered) -> None:
        batch.change(
            POSTS.table, "UPDATE {s}.duty_posts SET unit = $2 WHERE post_id = $1", e.post_id, e.to_unit
        )
        post_history(batch, e.post_id).set("unit", e.to_unit, e.effective_on)

    @on(d.DutyAssigned)
    def duty_assigned(self, batch: Batch, e: d.DutyAssigned, _: Delivered) -> None:
        post_history(batch, e.post_id).begin("oversees", e.section, e.effective_on)

    @on(d.DutyRevoked)
    def duty_revoked(self, batch: Batch, e: d.DutyRevoked, _: Delivered) -> None:
        post_history(batch, e.post_id).end("oversees", e.effective_on, e.section)

    @on(d.DutyHandedOver)
    def duty_handed_over(self, batch: Batch, e: d.DutyHandedOver, _: Delivered) -> None:
        for section in e.sections:
            post_history(batch, e.from_post_id).end("oversees", e.effective_on, section)

    @on(d.OutletRegistered)
    def outlet_registered(self, batch: Batch, e: d.OutletRegistered, _: Delivered) -> None:
        active = d.OutletStatus.ACTIVE.value
        batch.row(
            OUTLETS,
            e.outlet_id,
            e.unit,
            e.kind.value,
            e.name,
            e.address,
            active,
            e.owner_post_id,
            e.effective_on,
        )
        history = outlet_history(batch, e.outlet_id)
        history.begin("unit", e.unit, e.effective_on)
        history.begin("owner", e.owner_post_id, e.effective_on)
        history.begin("status", active, e.effective_on)

    @on(d.OutletStatusChanged)
    def outlet_status_changed(self, batch: Batch, e: d.OutletStatusChanged, _: Delivered) -> None:
        sql = "UPDATE {s}.duty_outlets SET status = $2 WHERE outlet_id = $1"
        batch.change(OUTLETS.table, sql, e.outlet_id, e.status.value)
        outlet_history(batch, e.outlet_id).set("status", e.status.value, e.effective_on)

    @on(d.OutletOwnerChanged)
    def outlet_owner_changed(self, batch: Batch, e: d.OutletOwnerChanged, _: Delivered) -> None:
        sql = "UPDATE {s}.duty_outlets SET owner_post_id = $2 WHERE outlet_id = $1"
        batch.change(OUTLETS.table, sql, e.outlet_id, e.to_post_id)
        outlet_history(batch, e.outlet_id).set("owner", e.to_post_id, e.effective_on)

    @on(d.OutletRelocated)
    def outlet_relocated(self, batch: Batch, e: d.OutletRelocated, _: Delivered) -> None:
        sql = "UPDATE {s}.duty_outlets SET unit = $2 WHERE outlet_id = $1"
        batch.change(OUTLETS.table, sql, e.outlet_id, e.to_unit)
        batch.change(
            GAPS.table,
            "UPDATE {s}.duty_gaps SET unit = $2 WHERE outlet_id = $1 AND closed_on IS NULL",
            e.outlet_id,
            e.to_unit,
        )
        outlet_history(batch, e.outlet_id).set("unit", e.to_unit, e.effective_on)

    @on(d.OutletCoverageGapOpened)
    def gap_opened(self, batch: Batch, e: d.OutletCoverageGapOpened, _: Delivered) -> None:
        sql = "UPDATE {s}.duty_outlets SET gap_since = $2 WHERE outlet_id = $1"
        batch.change(OUTLETS.table, sql, e.outlet_id, e.effective_on)
        batch.row(GAPS, e.outlet_id, e.unit, e.post_id, e.effective_on)

    @on(d.OutletCoverageGapClosed)
    def gap_closed(self, batch: Batch, e: d.OutletCoverageGapClosed, _: Delivered) -> None:
        batch.change(
            OUTLETS.table, "UPDATE {s}.duty_outlets SET gap_since = NULL WHERE outlet_id = $1", e.outlet_id
        )
        batch.change(
            GAPS.table,
            "UPDATE {s}.duty_gaps SET closed_on = $2, resolution = $3, closed_by = $4"
            " WHERE outlet_id = $1 AND closed_on IS NULL",
            e.outlet_id,
            e.effective_on,
            e.resolution.value,
            e.post_id,
        )
