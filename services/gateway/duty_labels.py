"""Words on the duty page, from the catalog's ``duty.`` keys."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.catalog import Messages


@dataclass(frozen=True)
class DutyWords(Messages):
    """The page's words: ``d('key')``, and ``d.kind(value)`` for an outlet, post or negative-list kind."""

    prefix: str = "duty."

    def kind(self, value: str) -> str:
        return self.name("kind", value)
