"""Outlets (阵地): whoever runs one answers for it (谁主办谁负责). No outlet runs without a post that
someone holds, in the outlet's own county."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts.duty import (
    ChangeOutletOwner,
    ChangeOutletStatus,
    GapResolution,
    OutletCoverageGapClosed,
    OutletCoverageGapOpened,
    OutletKind,
    OutletOwnerChanged,
    OutletRegistered,
    OutletRelocated,
    OutletStatus,
    OutletStatusChanged,
    RegisterOutlet,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.duty.domain.common import check_acts_through, check_effective, county_of
from services.duty.domain.posts import Post, existing
from services.duty.domain.units import Unit, check_active
from services.eventkit.errors import AlreadyExists, DomainError, NotFound


@dataclass(frozen=True)
class Outlet:
    outlet_id: str | None = None
    unit: str | None = None
    kind: OutletKind | None = None
    name: str | None = None
    status: OutletStatus | None = None
    owner_post_id: str | None = None
    gap_open: bool = False
    last_effective: date | None = None

    @property
    def exists(self) -> bool:
        return self.outlet_id is not None

    @property
    def running(self) -> bool:
        """Active or suspended: someone must answer for it until it is closed."""
        return self.exists and self.status is not OutletStatus.CLOSED

    @property
    def label(self) -> str:
        return f"outlet {self.name} ({self.outlet_id})" if self.name else f"outlet {self.outlet_id}"


def evolve_outlet(outlet: Outlet, event: DomainEvent) -> Outlet:
    if isinstance(event, OutletRegistered):
        outlet = Outlet(
            event.outlet_id,
            event.unit,
            event.kind,
            event.name,
            OutletStatus.ACTIVE,
            event.owner_post_id,
            last_effective=event.effective_on,
        )
    elif isinstance(event, OutletStatusChanged):
        outlet = replace(outlet, status=event.status, last_effective=event.effective_on)
    elif isinstance(event, OutletOwnerChanged):
        outlet = replace(outlet, owner_post_id=event.to_post_id, last_effective=event.effective_on)
    elif isinstance(event, OutletCoverageGapOpened):
        outlet = replace(outlet, gap_open=True)
    elif isinstance(event, OutletCoverageGapClosed):
        outlet = replace(outlet, gap_open=False)
    elif isinstance(event, OutletRelocated):
        outlet = replace(outlet, unit=event.to_unit, last_effective=event.effective_on)
    return outlet


def check_owner(post: Post, post_id: str, outlet_unit: str, scope: str, field: str) -> Post:
    """An owning post exists, someone holds it, it lies in the outlet's county and in the actor's scope."""
    if post.unit is not None and not is_within(post.unit, scope):
        raise NotFound(f"post {post_id} does not exist", field=field)  # as a missing one: names nobody
    existing(post, post_id, field)
    if post.holder is None:
        raise DomainError(
            f"{post.label} is vacant: an outlet must answer to a post someone holds",
            field=field,
            rule="owner_post_vacant",
        )
    assert post.unit is not None
    if county_of(post.unit) != county_of(outlet_unit):
        raise DomainError(
            f"{post.label} belongs to {post.unit}, outside the outlet's county {county_of(outlet_unit)}: "
            "an outlet answers to a post in its own county",
            field=field,
        )
    return post


def running_outlet(outlet: Outlet, outlet_id: str, unit: str) -> Outlet:
    check_acts_through(outlet.unit, unit, f"outlet {outlet_id}")  # first: missing and elsewhere read alike
    if not outlet.exists:
        raise NotFound(f"outlet {outlet_id} is not registered", field="outlet_id")
    if not outlet.running:
        raise DomainError(
            f"{outlet.label} is closed; register a new outlet to run it again", field="outlet_id"
        )
    return outlet


def decide_register_outlet(
    outlet: Outlet, unit: Unit, owner: Post, *, scope: str, command: RegisterOutlet, today: date
) -> list[DomainEvent]:
    """Register an outlet once, for an active unit, answered for by a filled post of its county."""
    if outlet.exists:
        raise AlreadyExists(
            f"outlet {command.outlet_id} is already registered ({outlet.name})", field="outlet_id"
        )
    check_active(unit, command.unit, "unit")
    check_owner(owner, command.owner_post_id, command.unit, scope, "owner_post_id")
    check_effective(command.effective_on, today, None, f"outlet {command.outlet_id}")
    return [OutletRegistered(**command.model_dump())]


def decide_change_outlet_status(
    outlet: Outlet, owner: Post, command: ChangeOutletStatus, today: date
) -> list[DomainEvent]:
    """Suspend, resume or close (final). Resuming needs an owner in post; closing ends any gap."""
    running_outlet(outlet, command.outlet_id, command.unit)
    if outlet.status is command.status:
        raise DomainError(f"{outlet.label} is already {command.status}", field="status")
    if command.status is OutletStatus.ACTIVE and (owner.holder is None or outlet.gap_open):
        raise DomainError(
            f"{outlet.label} has nobody in post to answer for it; hand it over before resuming it",
            field="status",
        )
    check_effective(command.effective_on, today, outlet.last_effective, outlet.label)
    assert outlet.unit is not None
    assert outlet.owner_post_id is not None
    events: list[DomainEvent] = [
        OutletStatusChanged(
            outlet_id=command.outlet_id,
            unit=outlet.unit,
            status=command.status,
            reason=command.reason,
            effective_on=command.effective_on,
        )
    ]
    if command.status is OutletStatus.CLOSED and outlet.gap_open:
        events.append(
            OutletCoverageGapClosed(
                outlet_id=command.outlet_id,
                unit=outlet.unit,
                post_id=outlet.owner_post_id,
                resolution=GapResolution.OUTLET_CLOSED,
                effective_on=command.effective_on,
            )
        )
    return events


def owner_moved(
    outlet: Outlet, to_post_id: str, reason: str, effective_on: date, handover_id: str | None = None
) -> list[DomainEvent]:
    """The events that give an outlet a new owner, closing its coverage gap if it had one."""
    assert outlet.outlet_id is not None
    assert outlet.unit is not None
    assert outlet.owner_post_id is not None
    events: list[DomainEvent] = [
        OutletOwnerChanged(
            outlet_id=outlet.outlet_id,
            unit=outlet.unit,
            from_post_id=outlet.owner_post_id,
            to_post_id=to_post_id,
            reason=reason,
            effective_on=effective_on,
            handover_id=handover_id,
        )
    ]
    if outlet.gap_open:
        events.append(
            OutletCoverageGapClosed(
                outlet_id=outlet.outlet_id,
                unit=outlet.unit,
                post_id=to_post_id,
                resolution=GapResolution.HANDED_OVER,
                effective_on=effective_on,
            )
        )
    return events


def decide_change_outlet_owner(
    outlet: Outlet, target: Post, scope: str, command: ChangeOutletOwner, today: date
) -> list[DomainEvent]:
    """One outlet to another post (a hand-over moves all of a post's outlets at once)."""
    running_outlet(outlet, command.outlet_id, command.unit)
    if outlet.owner_post_id == command.to_post_id:
        raise DomainError(f"{outlet.label} already answers to post {command.to_post_id}", field="to_post_id")
    assert outlet.unit is not None
    check_owner(target, command.to_post_id, outlet.unit, scope, "to_post_id")
    check_effective(command.effective_on, today, outlet.last_effective, outlet.label)
    return owner_moved(outlet, command.to_post_id, command.reason, command.effective_on)
