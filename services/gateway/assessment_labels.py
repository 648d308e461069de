"""Words on the assessment pages and in the bulletin workbook, from the catalog's ``assessment.`` keys."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.catalog import Messages


@dataclass(frozen=True)
class AssessmentWords(Messages):
    """The assessment pages' labels: ``a('key')``, ``a.kind(value)``, ``a.level(value)``."""

    prefix: str = "assessment."

    def kind(self, value: str) -> str:
        return self.name("kind", value)

    def level(self, value: str) -> str:
        return self.name("level", value)
