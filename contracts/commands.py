"""Commands and the request/reply shapes they travel in over ``sanji.cmd.<context>.<name>``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from contracts.inputs import InputModel
from contracts.units import UnitPath

MAX_COMMAND_BYTES = 64 * 1024


class Role(StrEnum):
    ADMIN = "admin"  # manages the unit tree within its scope
    CLERK = "clerk"  # records facts for units in its scope
    LEADER = "leader"  # supervises and decides within its scope
    ASSESSOR = "assessor"  # scores and publishes bulletins
    SYSTEM = "system"  # another system publishing through the ingest subjects
    VIEWER = "viewer"  # reads within its scope; no command allows it, so it never changes anything


class Actor(InputModel):
    """Who sends a command, and the subtree and roles they act in."""

    id: str = Field(min_length=1, max_length=120)
    scope: UnitPath
    roles: frozenset[Role] = Field(min_length=1)


class Command(InputModel):
    """Base of all commands: imperative, frozen, strict (see contracts.inputs), strings bounded."""

    model_config = ConfigDict(str_strip_whitespace=True, str_max_length=4000)
    command_name: ClassVar[str]
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN, Role.CLERK})
    max_bytes: ClassVar[int] = MAX_COMMAND_BYTES  # a bulk command may allow more

    def target_unit(self) -> str:
        """The unit the command acts on (its ``unit`` field unless it overrides this); the actor's scope
        must contain it."""
        unit = getattr(self, "unit", None)
        if not isinstance(unit, str):
            raise NotImplementedError(f"{type(self).__name__} has no unit field: it must say its target_unit")
        return unit


C = TypeVar("C", bound=type[Command])
COMMANDS: dict[str, type[Command]] = {}


def command(name: str, roles: frozenset[Role] | None = None) -> Any:
    def wrap(model: C) -> C:
        if COMMANDS.get(name, model) is not model:
            raise ValueError(f"command {name} registered twice")
        model.command_name = name
        if roles is not None:
            model.allowed_roles = roles
        COMMANDS[name] = model
        return model

    return wrap


class CommandRequest(BaseModel):
    """What travels on a command subject: who, which request (an idempotency key), and the body."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    actor: Actor
    commandid: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="idempotency key of the actor: same key and body → same reply, applied once",
    )
    correlationid: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    body: dict[str, Any]


class FieldError(BaseModel):
    model_config = ConfigDict(frozen=True)
    field: str
    reason: str = Field(description="why, in English, for a person reading the API")
    code: str | None = Field(
        default=None,
        description="the rule's stable code (date_in_future, string_too_long…) for programs and for "
        "pages that say it in their own language",
    )
    params: dict[str, str] = Field(
        default_factory=dict, description="the values the rule names (date, today, max_length…)"
    )


ErrorCode = Literal["invalid", "forbidden", "not_found", "conflict", "rejected", "unavailable", "internal"]


class ErrorBody(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: ErrorCode
    message: str
    fields: list[FieldError] = Field(default_factory=list)


def not_known(kind: str, ident: str) -> str:
    """The one answer for a unit, case or record that does not exist or lies outside the asker's scope:
    the projection, the services and the gateway all say exactly this, so a refusal tells neither apart."""
    return f"{kind} {ident} is not known"


class CommandReply(BaseModel):
    model_config = ConfigDict(frozen=True)
    ok: bool
    stream: str | None = None
    streamversion: int | None = None
    events: list[str] = Field(default_factory=list)
    error: ErrorBody | None = None
    result: dict[str, Any] | None = Field(
        default=None, description="what a command reports back, e.g. an import's rows"
    )
    position: str | None = Field(
        default=None,
        max_length=140,
        description="where the command's last event stands; pass it as `after` to a query to read this write",
    )
