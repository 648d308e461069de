"""Who may do what on the embedded NATS: one user per service, the gateway, one per external system and
the operator, each with the least it needs and an inbox of its own (``_INBOX_<user>``).

Passwords are generated once into the server's data folder (``credentials.json``, mode 0600); the
generated nats.conf holds only their bcrypt hashes. Nobody connects anonymously.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from contracts.subjects import EVENTS_STREAM
from contracts.units import division_codes, parse_unit_path
from services import registry

OPERATOR = "operator"  # full rights: the CLI's operator commands (dlq, rebuild, verify), the test harness
GATEWAY = "gateway"  # the only user that sends commands on behalf of people
# Each service (not the gateway, which has a user of its own) and the durable consumers it reads through.
SERVICE_CONSUMERS: dict[str, tuple[str, ...]] = {
    info.name: info.consumers for info in registry.SERVICES if info.name != GATEWAY
}
EPHEMERAL_READERS = frozenset({"projection"})  # services that read the event stream without a durable
CREDENTIALS_FILE = "credentials.json"
# The passwords are 192-bit random tokens, so a slow hash adds no protection against guessing; a low
# bcrypt cost keeps every connect (thousands in a test run) cheap while the config still holds no secret.
BCRYPT_ROUNDS = 6
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}\Z")
JS = "$JS.API"


@dataclass(frozen=True)
class ExternalSystem:
    """Another system that publishes facts into Sanji: its name, the subtree it reports for, and the
    ingest subjects it may use (``opinion.item``, or ``opinion.*`` for all of a context's kinds)."""

    name: str
    scope: str
    ingest: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _NAME.match(self.name) or self.name in {OPERATOR, GATEWAY, *SERVICE_CONSUMERS}:
            raise ValueError(
                f"external system name {self.name!r}: lowercase letters, digits, _ (not a Sanji user)"
            )
        parse_unit_path(self.scope)
        if self.scope != ".".join(division_codes(self.scope)):
            raise ValueError(
                f"external system scope {self.scope!r}: division codes only (city, county, township)"
            )


# The systems for the city: the opinion-monitoring platform, the e-learning one and the bureau's OA.
DEFAULT_SYSTEMS = (
    ExternalSystem("monitor", "3205", ("opinion.*",)),
    ExternalSystem("elearning", "3205", ("outreach.*",)),
    # the bureau's OA system: information items sent upward and their adoptions, nothing else
    ExternalSystem("oa", "3205", ("outreach.submission", "outreach.adoption")),
)


def inbox_prefix(user: str) -> str:
    """The reply-subject prefix only ``user`` may subscribe to."""
    return f"_INBOX_{user}"


def scope_tokens(scope: str) -> str:
    """The three unit tokens of a subtree: ``3205`` → ``3205.*.*``, ``3205.320506`` → ``3205.320506.*``."""
    codes = division_codes(scope)
    return ".".join(codes + ["*"] * (3 - len(codes)))


@dataclass(frozen=True)
class Grants:
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    allow_responses: bool = False


def _consumer_api(stream: str, consumer: str) -> list[str]:
    return [
        f"{JS}.CONSUMER.CREATE.{stream}.{consumer}",
        f"{JS}.CONSUMER.CREATE.{stream}.{consumer}.>",
        f"{JS}.CONSUMER.DURABLE.CREATE.{stream}.{consumer}",
        f"{JS}.CONSUMER.INFO.{stream}.{consumer}",
        f"{JS}.CONSUMER.MSG.NEXT.{stream}.{consumer}",
        f"$JS.ACK.{stream}.{consumer}.>",
    ]


def service_grants(service: str, scope: str | None = None) -> Grants:
    """Its own events (within ``scope`` when given: a county site's services), the event stream's info,
    its own consumers; it serves its own subjects. (Parked items live in PostgreSQL, not on the bus.)"""
    publish = [f"{JS}.INFO"]
    if service != "projection":  # the projection emits no events
        # Exactly the seven tokens the relay writes: an eighth (a county's origin, appended where the hub
        # sources it) can only be written by the hub's sourcing, so no service can pose as a county.
        publish.append(f"sanji.ev.{service}.*.{scope_tokens(scope) if scope else '*.*.*'}")
    publish += [f"{JS}.STREAM.INFO.{EVENTS_STREAM}", f"{JS}.STREAM.CREATE.{EVENTS_STREAM}"]
    for consumer in SERVICE_CONSUMERS[service]:
        publish += _consumer_api(EVENTS_STREAM, consumer)
    if service in EPHEMERAL_READERS:  # consumers named by the server: any name, on the event stream only
        publish += [
            f"{JS}.CONSUMER.CREATE.{EVENTS_STREAM}",
            f"{JS}.CONSUMER.INFO.{EVENTS_STREAM}.*",
            f"{JS}.CONSUMER.MSG.NEXT.{EVENTS_STREAM}.*",
            f"{JS}.CONSUMER.DELETE.{EVENTS_STREAM}.*",
        ]
    subscribe = [f"sanji.qry.{service}.>", f"{inbox_prefix(service)}.>"]
    if service != "projection":
        subscribe += [f"sanji.cmd.{service}.>", f"sanji.ingest.{service}.>"]
    return Grants(tuple(publish), tuple(subscribe), allow_responses=True)


def gateway_grants() -> Grants:
    return Grants(("sanji.cmd.>", "sanji.qry.>"), (f"{inbox_prefix(GATEWAY)}.>",))


def system_grants(system: ExternalSystem) -> Grants:
    """Only its ingest subjects, with its own name and subtree in the subject: NATS checks both."""
    where = f"{system.name}.{scope_tokens(system.scope)}"
    publish = []
    for granted in system.ingest:
        context, _, kind = granted.partition(".")
        publish.append(f"sanji.ingest.{context}.{kind or '*'}.{where}")
    return Grants(tuple(publish), (f"{inbox_prefix(system.name)}.>",))


def operator_grants() -> Grants:
    return Grants((">",), (">",))


def all_grants(systems: Sequence[ExternalSystem], scope: str | None = None) -> dict[str, Grants]:
    """Every user of a site's server and what it may do (services' events confined to ``scope``)."""
    grants = {OPERATOR: operator_grants(), GATEWAY: gateway_grants()}
    grants |= {service: service_grants(service, scope) for service in SERVICE_CONSUMERS}
    grants |= {system.name: system_grants(system) for system in systems}
    return grants


# --- passwords ------------------------------------------------------------------------------------


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (created 0600, then renamed over the old one)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def load_passwords(folder: Path) -> dict[str, str]:
    """The passwords kept in ``folder`` (empty when none were generated yet)."""
    with contextlib.suppress(FileNotFoundError):
        stored = json.loads((folder / CREDENTIALS_FILE).read_text())
        return {str(user): str(password) for user, password in stored.items()}
    return {}


def ensure_passwords(folder: Path, users: Sequence[str]) -> dict[str, str]:
    """The stored passwords, with a new random one for each user that has none yet."""
    passwords = load_passwords(folder)
    missing = [user for user in users if user not in passwords]
    if missing:
        passwords |= {user: secrets.token_hex(24) for user in missing}
        write_private(folder / CREDENTIALS_FILE, json.dumps(passwords, indent=2) + "\n")
    return passwords


def replace_password(folder: Path, user: str) -> str:
    """A new random password for ``user`` in ``folder`` (the old one is gone); return it."""
    passwords = load_passwords(folder) | {user: secrets.token_hex(24)}
    write_private(folder / CREDENTIALS_FILE, json.dumps(passwords, indent=2) + "\n")
    return passwords[user]


def hashed(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def user_entries(grants: dict[str, Grants], password_of: Callable[[str], str], indent: str) -> list[str]:
    """One nats.conf user entry per line: name, password (as ``password_of`` writes it), permissions."""
    lines = []
    for user, grant in grants.items():
        permissions: dict[str, object] = {
            "publish": {"allow": list(grant.publish)},
            "subscribe": {"allow": list(grant.subscribe)},
        }
        if grant.allow_responses:  # services answer requests on whatever inbox the requester has
            permissions["allow_responses"] = True
        entry = (
            f"user: {json.dumps(user)}, password: {password_of(user)}, permissions: {json.dumps(permissions)}"
        )
        lines.append(f"{indent}{{ {entry} }}")
    return lines


def authorization_block(grants: dict[str, Grants], passwords: dict[str, str]) -> str:
    """nats.conf's ``authorization`` section: every user with its bcrypt hash and permissions."""
    entries = user_entries(grants, lambda user: json.dumps(hashed(passwords[user])), "    ")
    return "\n".join(["authorization {", "  users: [", *entries, "  ]", "}"]) + "\n"
