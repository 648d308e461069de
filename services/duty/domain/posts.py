"""Posts and the people in them: create, fill, vacate (which opens coverage gaps), abolish, and the
dual-duty oversight links (一岗双责) of leaders in charge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from contracts.duty import (
    AbolishPost,
    AssignOversight,
    CreatePost,
    DutyAssigned,
    DutyHandedOver,
    DutyRevoked,
    FillPost,
    GapResolution,
    OutletCoverageGapClosed,
    OutletCoverageGapOpened,
    PostAbolished,
    PostCreated,
    PostFilled,
    PostKind,
    PostRelocated,
    PostVacated,
    RevokeOversight,
    UnitKind,
    VacatePost,
)
from contracts.registry import DomainEvent
from contracts.units import is_within
from services.duty.domain.common import Change, change, check_acts_through, check_effective, outlet_stream
from services.duty.domain.common import post_stream as stream_of
from services.duty.domain.units import OFFICE_KINDS, Unit, check_active
from services.eventkit.errors import AlreadyExists, DomainError, NotFound

if TYPE_CHECKING:  # outlets need posts at run time; posts only name outlets in annotations
    from services.duty.domain.outlets import Outlet


@dataclass(frozen=True)
class Holder:
    staff_no: str
    person_name: str
    since: date


@dataclass(frozen=True)
class Post:
    post_id: str | None = None
    unit: str | None = None
    kind: PostKind | None = None
    title: str | None = None
    holder: Holder | None = None
    abolished: bool = False
    sections: frozenset[str] = frozenset()
    last_effective: date | None = None

    @property
    def exists(self) -> bool:
        return self.post_id is not None

    @property
    def label(self) -> str:
        return f"post {self.title} ({self.post_id})" if self.title else f"post {self.post_id}"


def evolve_post(post: Post, event: DomainEvent) -> Post:
    if isinstance(event, PostCreated):
        post = Post(event.post_id, event.unit, event.kind, event.title, last_effective=event.effective_on)
    elif isinstance(event, PostFilled):
        holder = Holder(event.staff_no, event.person_name, event.effective_on)
        post = replace(post, holder=holder, last_effective=event.effective_on)
    elif isinstance(event, PostVacated):
        post = replace(post, holder=None, last_effective=event.effective_on)
    elif isinstance(event, PostAbolished):
        post = replace(post, abolished=True, last_effective=event.effective_on)
    elif isinstance(event, PostRelocated):
        post = replace(post, unit=event.to_unit, last_effective=event.effective_on)
    elif isinstance(event, DutyAssigned):
        post = replace(post, sections=post.sections | {event.section}, last_effective=event.effective_on)
    elif isinstance(event, DutyRevoked):
        post = replace(post, sections=post.sections - {event.section}, last_effective=event.effective_on)
    elif isinstance(event, DutyHandedOver):
        post = replace(post, sections=post.sections - set(event.sections), last_effective=event.effective_on)
    return post


SECTION_HEADS = frozenset(
    {UnitKind.DEPARTMENT, UnitKind.AFFILIATED_INSTITUTION, UnitKind.SOCIAL_ORGANIZATION}
)
KINDS_AT: dict[PostKind, frozenset[UnitKind]] = {
    PostKind.FIRST_RESPONSIBLE: OFFICE_KINDS,
    PostKind.LEADER_IN_CHARGE: OFFICE_KINDS,
    PostKind.LEADING_GROUP_MEMBER: OFFICE_KINDS,
    PostKind.GROUP_OFFICE_MEMBER: OFFICE_KINDS,
    PostKind.DEPARTMENT_HEAD: SECTION_HEADS,
    PostKind.BRANCH_SECRETARY: frozenset({UnitKind.BRANCH}),
    PostKind.INFORMATION_OFFICER: frozenset(UnitKind),
    # Service windows are kept by offices and their sections and institutions, never by a party branch.
    PostKind.WINDOW_POST: OFFICE_KINDS | SECTION_HEADS,
}


def existing(post: Post, post_id: str, field: str = "post_id") -> Post:
    if not post.exists:
        raise NotFound(f"post {post_id} does not exist", field=field)
    if post.abolished:
        raise DomainError(f"{post.label} was abolished", field=field)
    return post


def decide_create_post(
    post: Post, unit: Unit, first_responsible: str | None, command: CreatePost, today: date
) -> list[DomainEvent]:
    """A post of a kind the unit can have; one first responsible person's post per unit."""
    if post.exists:
        raise AlreadyExists(f"post {command.post_id} already exists ({post.title})", field="post_id")
    check_active(unit, command.unit, "unit")
    allowed = KINDS_AT[command.kind]
    if unit.kind not in allowed:
        kinds = ", ".join(sorted(allowed))
        raise DomainError(
            f"a {command.kind} post belongs to a unit of kind {kinds}; {command.unit} is a {unit.kind}",
            field="kind",
        )
    if command.kind is PostKind.FIRST_RESPONSIBLE and first_responsible is not None:
        raise AlreadyExists(
            f"unit {command.unit} already has a first responsible person's post ({first_responsible})",
            field="kind",
        )
    if command.effective_on is not None:
        check_effective(command.effective_on, today, None, f"post {command.post_id}")
    return [
        PostCreated(
            post_id=command.post_id,
            unit=command.unit,
            kind=command.kind,
            title=command.title,
            effective_on=command.effective_on,
        )
    ]


def owned(post: Post, outlets: Sequence[Outlet]) -> list[Outlet]:
    """The outlets still running (active or suspended) that answer to this post."""
    return [o for o in outlets if o.owner_post_id == post.post_id and o.running]


def decide_fill_post(post: Post, outlets: Sequence[Outlet], command: FillPost, today: date) -> list[Change]:
    """Someone takes up a vacant post; the outlets it owns have an owner in post again."""
    check_acts_through(post.unit, command.unit, f"post {command.post_id}")  # missing reads alike
    existing(post, command.post_id)
    if post.holder is not None:
        raise DomainError(
            f"{post.label} is held by {post.holder.person_name} since {post.holder.since}; vacate it first",
            field="post_id",
            rule="post_held",
            params={"holder": post.holder.person_name},
        )
    check_effective(command.effective_on, today, post.last_effective, post.label)
    assert post.unit is not None
    assert post.kind is not None
    filled = PostFilled(
        post_id=command.post_id,
        unit=post.unit,
        kind=post.kind,
        staff_no=command.staff_no,
        person_name=command.person_name,
        effective_on=command.effective_on,
    )
    gaps_closed = [
        change(
            outlet_stream(o.outlet_id),
            o.unit,
            OutletCoverageGapClosed(
                outlet_id=o.outlet_id,
                unit=o.unit,
                post_id=command.post_id,
                resolution=GapResolution.POST_FILLED,
                effective_on=command.effective_on,
            ),
        )
        for o in owned(post, outlets)
        if o.gap_open and o.outlet_id and o.unit
    ]
    return [change(stream_of(command.post_id), post.unit, filled), *gaps_closed]


def decide_vacate_post(
    post: Post, outlets: Sequence[Outlet], command: VacatePost, today: date
) -> list[Change]:
    """The holder leaves; every running outlet the post owns is flagged as a coverage gap at once."""
    check_acts_through(post.unit, command.unit, f"post {command.post_id}")  # missing reads alike
    existing(post, command.post_id)
    if post.holder is None:
        raise DomainError(
            f"{post.label} is already vacant: there is nobody to vacate", field="post_id", rule="post_vacant"
        )
    check_effective(command.effective_on, today, post.last_effective, post.label)
    assert post.unit is not None
    assert post.kind is not None
    vacated = PostVacated(
        post_id=command.post_id,
        unit=post.unit,
        kind=post.kind,
        staff_no=post.holder.staff_no,
        person_name=post.holder.person_name,
        effective_on=command.effective_on,
        reason=command.reason,
    )
    gaps = [
        change(
            outlet_stream(o.outlet_id),
            o.unit,
            OutletCoverageGapOpened(
                outlet_id=o.outlet_id, unit=o.unit, post_id=command.post_id, effective_on=command.effective_on
            ),
        )
        for o in owned(post, outlets)
        if not o.gap_open and o.outlet_id and o.unit
    ]
    return [change(stream_of(command.post_id), post.unit, vacated), *gaps]


def decide_abolish_post(
    post: Post, outlets: Sequence[Outlet], command: AbolishPost, today: date
) -> list[DomainEvent]:
    """Only an empty post that answers for nothing any more can be abolished."""
    check_acts_through(post.unit, command.unit, f"post {command.post_id}")  # missing reads alike
    existing(post, command.post_id)
    if post.holder is not None:
        raise DomainError(
            f"{post.label} is held by {post.holder.person_name}; vacate it before abolishing it",
            field="post_id",
        )
    if still := owned(post, outlets):
        names = ", ".join(sorted(o.outlet_id or "" for o in still))
        raise DomainError(
            f"{post.label} still answers for outlets {names}; hand them over first", field="post_id"
        )
    if post.sections:
        names = ", ".join(sorted(post.sections))
        raise DomainError(
            f"{post.label} still oversees {names}; revoke or hand over the oversight first", field="post_id"
        )
    check_effective(command.effective_on, today, post.last_effective, post.label)
    assert post.unit is not None
    return [
        PostAbolished(
            post_id=command.post_id, unit=post.unit, effective_on=command.effective_on, reason=command.reason
        )
    ]


def decide_assign_oversight(
    post: Post, section: Unit, command: AssignOversight, today: date
) -> list[DomainEvent]:
    """一岗双责: a leader in charge oversees sections below their own unit."""
    check_acts_through(post.unit, command.unit, f"post {command.post_id}")  # missing reads alike
    existing(post, command.post_id)
    if post.kind is not PostKind.LEADER_IN_CHARGE:
        raise DomainError(
            f"only a leader in charge (分管领导) oversees sections; {post.label} is a {post.kind}",
            field="post_id",
        )
    check_active(section, command.section, "section")
    assert post.unit is not None
    if command.section == post.unit or not is_within(command.section, post.unit):
        raise DomainError(
            f"{command.section} is not below {post.unit}: a leader in charge oversees sections of their own unit",
            field="section",
        )
    if command.section in post.sections:
        raise AlreadyExists(f"{post.label} already oversees {command.section}", field="section")
    check_effective(command.effective_on, today, post.last_effective, post.label)
    return [
        DutyAssigned(
            post_id=command.post_id,
            unit=post.unit,
            section=command.section,
            effective_on=command.effective_on,
        )
    ]


def decide_revoke_oversight(post: Post, command: RevokeOversight, today: date) -> list[DomainEvent]:
    check_acts_through(post.unit, command.unit, f"post {command.post_id}")  # missing reads alike
    existing(post, command.post_id)
    if command.section not in post.sections:
        raise DomainError(f"{post.label} does not oversee {command.section}", field="section")
    check_effective(command.effective_on, today, post.last_effective, post.label)
    assert post.unit is not None
    return [
        DutyRevoked(
            post_id=command.post_id,
            unit=post.unit,
            section=command.section,
            effective_on=command.effective_on,
            reason=command.reason,
        )
    ]
