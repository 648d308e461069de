"""`sanji bench --province` at a tiny size: the tree and the activities reach the views through their own
code, and the county and city views are timed through the gateway (speed is never asserted)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from services.bench.province import QUICK_STEPS, province_tree, render_province, run_province


def test_the_province_tree_has_the_documented_shape() -> None:
    tree = province_tree()
    assert (len(tree.cities), len(tree.counties), len(tree.townships)) == (16, 192, 29_760)
    assert tree.size == 29_968
    assert tree.townships[0] == "3201.320101.320101001"


def test_a_quick_province_run_times_each_view_at_each_size() -> None:
    # A folder of its own like `sanji bench` uses (the embedded PostgreSQL runs as another user).
    with tempfile.TemporaryDirectory(prefix="sanji-province-") as tmp:
        rows = run_province(Path(tmp), quick=True)
    assert [row["events"] for row in rows] == list(QUICK_STEPS)
    for row in rows:
        for key in ("county_p50_ms", "county_p95_ms", "city_p50_ms", "city_p95_ms", "apply_events_per_s"):
            assert math.isfinite(row[key])
            assert row[key] > 0
        assert row["units"] == province_tree(2, 3, 5).size
    assert "county view" in render_province(rows)
