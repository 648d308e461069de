"""Duty command handlers: load the aggregates a command touches, decide, hand back the decisions
(several streams at once when a rule spans them), with duty's lookup tables updated alongside."""

from __future__ import annotations

from contracts.duty import (
    AbolishPost,
    AddRectificationEvidence,
    AssignOversight,
    ChangeOutletOwner,
    ChangeOutletStatus,
    CloseRectification,
    CreatePost,
    FillPost,
    HandOver,
    MergeUnits,
    OpenRectification,
    RecordHalfYearReport,
    RecordInspection,
    RecordOrganizationInspection,
    RegisterOutlet,
    RegisterOutlets,
    RegisterPosts,
    RegisterUnit,
    RenameUnit,
    RevokeOversight,
    SetInspectionCadence,
    SetPartyCoverage,
    SplitUnit,
    VacatePost,
)
from services.duty.handlers import inspections, outlets, posts, records, report_timers, units
from services.eventkit.commanding import Handlers
from services.eventkit.timers import TimerHandler

HANDLERS: Handlers = {
    RegisterUnit: units.register_unit,
    RenameUnit: units.rename_unit,
    MergeUnits: units.merge_units,
    SplitUnit: units.split_unit,
    CreatePost: posts.create_post,
    FillPost: posts.fill_post,
    RegisterPosts: posts.register_posts,
    VacatePost: posts.vacate_post,
    AbolishPost: posts.abolish_post,
    AssignOversight: posts.assign_oversight,
    RevokeOversight: posts.revoke_oversight,
    HandOver: posts.hand_over,
    RegisterOutlet: outlets.register_outlet,
    RegisterOutlets: outlets.register_outlets,
    ChangeOutletStatus: outlets.change_outlet_status,
    ChangeOutletOwner: outlets.change_outlet_owner,
    RecordInspection: inspections.record_inspection,
    OpenRectification: inspections.open_rectification,
    AddRectificationEvidence: inspections.add_rectification_evidence,
    CloseRectification: inspections.close_rectification,
    SetInspectionCadence: records.set_inspection_cadence,
    RecordHalfYearReport: records.record_half_year_report,
    SetPartyCoverage: records.set_party_coverage,
    RecordOrganizationInspection: records.record_organization_inspection,
}
TIMERS: dict[str, TimerHandler] = {
    inspections.OVERDUE_TIMER: inspections.flag_overdue,
    report_timers.REPORT_TIMER: records.flag_report_overdue,
}
