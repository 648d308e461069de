"""Words on the opinion pages, from the catalog's ``opinion.`` keys."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.catalog import Messages


@dataclass(frozen=True)
class OpinionWords(Messages):
    """The opinion pages' labels: ``o('key')`` or ``o.name('state', value)``; Chinese unless ``en``."""

    prefix: str = "opinion."
