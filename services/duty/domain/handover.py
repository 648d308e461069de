"""交接: one command moves every outlet a post answers for (and a leader in charge's overseen
sections) to another post someone holds — the way a coverage gap is closed after a departure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from contracts.duty import DutyAssigned, DutyHandedOver, HandOver, PostKind
from contracts.units import is_within
from services.duty.domain.common import (
    Change,
    change,
    check_acts_through,
    check_effective,
    latest,
    outlet_stream,
    post_stream,
)
from services.duty.domain.outlets import Outlet, check_owner, owner_moved
from services.duty.domain.posts import Post, owned
from services.eventkit.errors import DomainError, NotFound


def decide_hand_over(
    source: Post, target: Post, outlets: Sequence[Outlet], *, scope: str, command: HandOver, today: date
) -> list[Change]:
    check_acts_through(source.unit, command.unit, f"post {command.from_post_id}")  # missing reads alike
    if not source.exists:
        raise NotFound(f"post {command.from_post_id} does not exist", field="from_post_id")
    if command.to_post_id == command.from_post_id:
        raise DomainError(
            "a post cannot hand over to itself; choose another post",
            field="to_post_id",
            rule="handover_to_itself",
        )
    moving = sorted(owned(source, outlets), key=lambda o: o.outlet_id or "")
    sections = sorted(source.sections) if command.move_oversight else []
    if not moving and not sections:
        raise DomainError(
            f"{source.label} has no outlets or overseen sections to hand over",
            field="from_post_id",
            rule="handover_nothing",
        )
    for outlet in moving:
        assert outlet.unit is not None
        check_owner(target, command.to_post_id, outlet.unit, scope, "to_post_id")
    check_owner(target, command.to_post_id, source.unit or command.unit, scope, "to_post_id")
    assert target.unit is not None
    assert source.unit is not None
    if sections and target.kind is not PostKind.LEADER_IN_CHARGE:
        raise DomainError(
            f"{source.label} oversees {', '.join(sections)}, and only a leader in charge can take that over; "
            f"{target.label} is a {target.kind} (set move_oversight to false to hand over the outlets only)",
            field="to_post_id",
        )
    if outside := [s for s in sections if s == target.unit or not is_within(s, target.unit)]:
        raise DomainError(
            f"{', '.join(outside)} are not below {target.unit}, so {target.label} cannot oversee them",
            field="to_post_id",
        )
    if taken := [s for s in sections if s in target.sections]:
        raise DomainError(f"{target.label} already oversees {', '.join(taken)}", field="to_post_id")
    last = latest([source.last_effective, target.last_effective, *(o.last_effective for o in moving)])
    check_effective(command.effective_on, today, last, "one of the posts or outlets handed over")
    handed = DutyHandedOver(
        handover_id=command.handover_id,
        from_post_id=command.from_post_id,
        unit=source.unit,
        to_post_id=command.to_post_id,
        to_unit=target.unit,
        outlets=[o.outlet_id for o in moving if o.outlet_id],
        sections=sections,
        effective_on=command.effective_on,
        reason=command.reason,
    )
    assigned = [
        DutyAssigned(
            post_id=command.to_post_id,
            unit=target.unit,
            section=section,
            effective_on=command.effective_on,
            handover_id=command.handover_id,
        )
        for section in sections
    ]
    changes = [change(post_stream(command.from_post_id), source.unit, handed)]
    if assigned:
        changes.append(change(post_stream(command.to_post_id), target.unit, *assigned))
    for outlet in moving:
        assert outlet.outlet_id is not None
        assert outlet.unit is not None
        events = owner_moved(
            outlet, command.to_post_id, command.reason, command.effective_on, command.handover_id
        )
        changes.append(change(outlet_stream(outlet.outlet_id), outlet.unit, *events))
    return changes
