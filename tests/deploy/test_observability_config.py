"""deploy/prometheus and deploy/grafana: they parse, and every Sanji metric (and label) they use is one the
code really exports (services/eventkit/metrics.py). With promtool on PATH (Debian: `apt-get install
prometheus`; or PROMTOOL=/path/to/promtool) the configs are also checked and the alerts unit-tested."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from services.eventkit import metrics
from services.registry import names
from tests.deploy.sites import DEPLOY

SERVICES = names()

PROMETHEUS = DEPLOY / "prometheus"
PROMETHEUS_YML = PROMETHEUS / "prometheus.yml"
ALERTS_YML = PROMETHEUS / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "sanji-dashboard.json"
PROMTOOL_TESTS = Path(__file__).parent / "promtool" / "alerts_test.yml"

# Labels Prometheus adds to every scraped series (job, instance) or that our targets carry (site).
TARGET_LABELS = {"job", "instance", "site"}
SEVERITIES = {"critical", "warning", "info"}
CJK = re.compile(r"[\u4e00-\u9fff]")
METRIC_NAME = re.compile(r"\bsanji_[a-z0-9_]+\b")
SELECTOR = re.compile(r"\b(sanji_[a-z0-9_]+)\s*\{([^}]*)\}")
MATCHER_LABEL = re.compile(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)")
SERIES_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created")}


def exported_series() -> dict[str, set[str]]:
    """Every series name the code's metrics expose, with the labels each may carry."""
    series: dict[str, set[str]] = {}
    for metric in vars(metrics).values():
        if not isinstance(metric, MetricWrapperBase):
            continue
        (family,) = metric.describe()
        labels = set(metric._labelnames)
        for suffix in SERIES_SUFFIXES.get(family.type, ("",)):
            series[family.name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return series


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS_YML.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def dashboard() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return document


def dashboard_exprs() -> list[str]:
    return [target["expr"] for panel in dashboard()["panels"] for target in panel.get("targets", [])]


def _check_metrics(expr: str, where: str) -> None:
    series = exported_series()
    for name in METRIC_NAME.findall(expr):
        assert name in series, f"{where}: {name} is not exported by services/eventkit/metrics.py"
    for name, matchers in SELECTOR.findall(expr):
        for label in MATCHER_LABEL.findall(matchers):
            assert label in series[name] | TARGET_LABELS, f"{where}: {name} has no label {label!r}"


def test_the_code_exports_what_the_checks_rely_on() -> None:
    series = exported_series()
    assert "sanji_commands_total" in series
    assert "sanji_http_request_seconds_bucket" in series
    assert "sanji_relay_backlog" in series
    assert "sanji_commands" not in series  # a counter's series always end in _total


# --- Prometheus -----------------------------------------------------------------------------------


def test_prometheus_scrapes_every_service_and_nats() -> None:
    config = yaml.safe_load(PROMETHEUS_YML.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {f"sanji-{name}" for name in SERVICES} | {"nats"}
    for name, job in jobs.items():
        for group in job["static_configs"]:
            # `service` would clash with the metrics' own label and rename it to exported_service.
            assert set(group["labels"]) == {"site"}, name
    assert config["rule_files"] == ["alerts.yml"]


def test_alerts_cover_what_operators_need() -> None:
    exprs = " ".join(rule["expr"] for rule in alert_rules())
    for needed in (
        "sanji_relay_backlog",
        "sanji_relay_errors_total",
        "sanji_parked_items",
        "sanji_worker_failures_total",
        "sanji_worker_backlog",  # a reaction's pending events too (sanji_consumer_pending, same value)
        "sanji_projection_lag_seconds",
        "sanji_projection_lag_events",
        "sanji_commands_total",
        "sanji_http_request_seconds_bucket",
        "up{",
    ):
        assert needed in exprs, f"no alert on {needed}"


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_rule_is_complete_and_uses_real_metrics(rule: dict[str, Any]) -> None:
    assert rule["alert"].startswith(("Sanji",))
    assert rule["labels"]["severity"] in SEVERITIES
    notes = rule["annotations"]
    assert set(notes) == {"summary", "description", "summary_zh", "description_zh"}
    assert CJK.search(notes["summary_zh"])
    assert CJK.search(notes["description_zh"])
    assert not CJK.search(notes["summary"] + notes["description"])
    _check_metrics(rule["expr"], rule["alert"])


# --- Grafana --------------------------------------------------------------------------------------


def test_dashboard_identity() -> None:
    board = dashboard()
    assert board["uid"] == "sanji-overview"
    assert board["title"] == "Sanji 三级"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert {variable["name"] for variable in board["templating"]["list"]} == {"datasource", "site"}


def test_dashboard_panels_use_real_metrics() -> None:
    exprs = dashboard_exprs()
    used = {name for expr in exprs for name in METRIC_NAME.findall(expr)}
    wanted = {
        "sanji_commands_total",
        "sanji_command_seconds_bucket",
        "sanji_events_appended_total",
        "sanji_events_relayed_total",
        "sanji_relay_backlog",
        "sanji_relay_errors_total",
        "sanji_events_handled_total",
        "sanji_handler_seconds_bucket",
        "sanji_consumer_pending",
        "sanji_parked_items",
        "sanji_worker_failures_total",
        "sanji_worker_backlog",
        "sanji_projection_applied_total",
        "sanji_projection_lag_events",
        "sanji_projection_lag_seconds",
        "sanji_http_request_seconds_bucket",
    }
    assert wanted <= used, f"no panel for {sorted(wanted - used)}"
    for expr in exprs:
        _check_metrics(expr, expr)


# --- docs/operations.md ---------------------------------------------------------------------------

OPERATIONS = (DEPLOY.parent / "docs" / "operations.md").read_text(encoding="utf-8")


def test_every_alert_is_explained_to_operators() -> None:
    for rule in alert_rules():
        assert f"| {rule['alert']} | {rule['labels']['severity']} |" in OPERATIONS, rule["alert"]


def test_the_metrics_operators_read_about_exist() -> None:
    documented = set(re.findall(r"^\| `(sanji_[a-z0-9_]+)` \|", OPERATIONS, re.MULTILINE))
    families = {name.removesuffix("_bucket") for name in exported_series() if not name.endswith("_created")}
    assert documented, "no metrics table"
    assert documented <= families, documented - families


# --- promtool (when installed) --------------------------------------------------------------------


def _promtool() -> str:
    found = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not found:
        pytest.skip("promtool not installed (Debian: apt-get install prometheus)")
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["check", "config", str(PROMETHEUS_YML)],
        ["check", "rules", str(ALERTS_YML)],
        ["test", "rules", str(PROMTOOL_TESTS)],
    ],
    ids=["config", "rules", "alert-unit-tests"],
)
def test_promtool(args: list[str]) -> None:
    done = subprocess.run([_promtool(), *args], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
