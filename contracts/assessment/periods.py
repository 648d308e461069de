"""Assessment periods as they travel: ``2026`` (年考核), ``2026-Q1`` (季通报) or ``2026-03`` (月调度)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

PeriodLabel = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
        description="2026 (a year), 2026-Q1 (a quarter) or 2026-03 (a month), in Asia/Shanghai local time",
    ),
]
