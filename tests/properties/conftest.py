"""Hypothesis profiles for the property suite: bounded so `make test` stays quick, fixed under CI."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# deadline None: a shared two-core machine makes per-example timings noisy, and a slow example is not a
# failure; max_examples keeps the whole property suite within about a minute.
settings.register_profile(
    "sanji",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
# CI=true: the same examples on every run, so a red CI run can be reproduced and a green one means the
# same as the last; no example database is read or written.
settings.register_profile("sanji-ci", parent=settings.get_profile("sanji"), derandomize=True, database=None)
settings.load_profile("sanji-ci" if os.environ.get("CI", "").lower() in ("true", "1") else "sanji")
