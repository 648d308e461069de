"""deploy/systemd: one unit per service running `sanji service <name>` with the shared env file and its
own NATS user's, on the
ports Prometheus scrapes; checked by systemd-analyze where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from services.registry import names
from tests.deploy.sites import DEPLOY

SERVICES = names()

SYSTEMD = DEPLOY / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service")) + sorted(SYSTEMD.glob("*.target"))


def _directives(unit: Path, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", unit.read_text(), re.MULTILINE)


def _unit_port(name: str) -> int:
    (setting,) = _directives(SYSTEMD / f"sanji-{name}.service", "Environment")
    key, _, port = setting.partition("=")
    assert key == "SANJI_HTTP_PORT"
    return int(port)


def _scraped_ports() -> dict[str, set[int]]:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    return {
        job["job_name"]: {
            int(target.rsplit(":", 1)[1]) for g in job["static_configs"] for target in g["targets"]
        }
        for job in config["scrape_configs"]
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_unit(name: str) -> None:
    unit = SYSTEMD / f"sanji-{name}.service"
    assert _directives(unit, "ExecStart") == [f"/opt/sanji/venv/bin/sanji service {name}"]
    assert _directives(unit, "EnvironmentFile") == ["/etc/sanji/sanji.env", f"/etc/sanji/nats-{name}.env"]
    assert _directives(unit, "WantedBy") == ["sanji.target"]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_prometheus_scrapes_the_port_the_unit_sets(name: str) -> None:
    assert _scraped_ports()[f"sanji-{name}"] == {_unit_port(name)}


def test_services_get_distinct_ports() -> None:
    ports = [_unit_port(name) for name in SERVICES]
    assert len(ports) == len(set(ports))


def test_env_example_sets_the_shared_settings_but_no_port() -> None:
    text = (SYSTEMD / "sanji.env.example").read_text()
    settings = dict(re.findall(r"^([A-Z_]+)=(.*)$", text, re.MULTILINE))
    assert "DATABASE_URL" in settings
    # A port here would override every unit's Environment= (EnvironmentFile= wins) and collide; one
    # NATS_URL would put every service on one NATS user.
    assert "SANJI_HTTP_PORT" not in settings
    assert "NATS_URL" not in settings


def test_each_service_connects_as_its_own_nats_user() -> None:
    text = (SYSTEMD / "nats-service.env.example").read_text()
    settings = dict(re.findall(r"^([A-Z_]+)=(.*)$", text, re.MULTILINE))
    assert settings["NATS_URL"].startswith("nats://duty:")


def test_units_pass_systemd_analyze() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    done = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, UNITS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # The binaries live on the production host only (/opt/sanji/venv, /usr/local/bin).
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "is not executable" not in line]
    assert problems == []
