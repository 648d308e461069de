"""A schemathesis check (loaded through SCHEMATHESIS_HOOKS): a successful answer names no unit outside
the token's subtree. A token's own unit may name the units above it (its parent, its breadcrumb), never
a sibling's or a cousin's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import schemathesis
from hypothesis import strategies as st

from contracts.units import ancestors_and_self, is_within

SCOPE_ENV = "SANJI_FUZZ_SCOPE"
# Keys whose value is a unit path in Sanji's answers (the division-code paths of contracts/units.py).
UNIT_KEYS = frozenset(
    {"path", "unit", "unitpath", "parent", "successor", "scope", "from_unit", "to_unit", "target", "into"}
)


# Units `sanji demo` registers, in and outside a township clerk's subtree: random paths would only ever
# meet 404s, and the scope check needs answers about real units to have something to catch.
DEMO_UNITS = (
    "3205",
    "3205.320506",
    "3205.320506.320506001",
    "3205.320506.320506002",
    "3205.320507",
    "3205.320508",
)


@schemathesis.hook
def flatmap_path_parameters(ctx: Any, parameters: dict[str, Any] | None) -> Any:
    """A unit path parameter is a demo unit as often as a generated one."""
    if not parameters or "unitpath" not in parameters:
        return st.just(parameters)
    return st.sampled_from((parameters["unitpath"], *DEMO_UNITS)).map(
        lambda unit: {**parameters, "unitpath": unit}
    )


def unit_paths(answer: Any) -> Iterator[str]:
    """Every unit path an answer names, however deep."""
    if isinstance(answer, dict):
        for key, value in answer.items():
            if key in UNIT_KEYS and isinstance(value, str) and value[:4].isdigit():
                yield value
            yield from unit_paths(value)
    elif isinstance(answer, list):
        for item in answer:
            yield from unit_paths(item)


def outside(answer: Any, scope: str) -> list[str]:
    above = set(ancestors_and_self(scope))
    return sorted({path for path in unit_paths(answer) if not is_within(path, scope) and path not in above})


@schemathesis.check
def answers_within_scope(ctx: Any, response: Any, case: Any) -> None:
    """No 2xx JSON answer names a unit outside the token's subtree."""
    scope = os.environ.get(SCOPE_ENV)
    if not scope or not 200 <= response.status_code < 300:
        return
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return
    leaked = outside(response.json(), scope)
    if leaked:
        raise AssertionError(f"answer names units outside {scope}: {leaked[:5]}")
