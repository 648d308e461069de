"""deploy/Dockerfile and deploy/compose: a single site and a city with two counties. The structure is
checked always (every service, its own NATS user, ports, volumes, mounted files, secrets named in
nats.env.example); `docker compose config` runs as well where docker is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.eventkit import natsdeploy
from services.eventkit.bususers import user_entries
from services.registry import names
from tests.deploy.sites import DEPLOY, config_test, site_env

COMPOSE = DEPLOY / "compose"
SERVICES = names()
PASSWORD_FILE = DEPLOY / "nats" / "nats.env.example"
CITY_SITES = {"hub": None, "c320506": "320506", "c320505": "320505"}


def load(name: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((COMPOSE / name).read_text())
    return found


def unit_port(name: str) -> str:
    """The HTTP port the service's systemd unit gives it: compose uses the same ones."""
    unit = (DEPLOY / "systemd" / f"sanji-{name}.service").read_text()
    (port,) = re.findall(r"^Environment=SANJI_HTTP_PORT=(\d+)$", unit, re.MULTILINE)
    return str(port)


def check_site(compose: dict[str, Any], suffix: str = "") -> None:
    services = compose["services"]
    nats, postgres = f"nats{suffix}", f"postgres{suffix}"
    assert {nats, postgres} <= services.keys()
    for name in SERVICES:
        service = services[f"{name}{suffix}"]
        env = service["environment"]
        assert service["command"] == ["service", name]
        assert service["image"] == "sanji:latest"
        assert env["SANJI_HTTP_PORT"] == unit_port(name)
        assert env["NATS_URL"] == f"nats://{name}:${{SANJI_NATS_{name.upper()}_PASSWORD}}@{nats}:4222"
        assert env["DATABASE_URL"].endswith(f"@{postgres}:5432/sanji")
        assert set(service["depends_on"]) == {nats, postgres}
    for server in (nats, postgres):
        (volume,) = [v for v in services[server]["volumes"] if "/" not in v.split(":")[0]]
        assert volume.split(":")[0] in compose["volumes"]
    for mount in services[nats]["volumes"]:
        source = mount.split(":")[0]
        if "/" in source:
            assert (COMPOSE / source).is_file(), f"{nats} mounts {source}, which does not exist"


def test_single_site_has_every_service_on_its_own_user_and_volumes() -> None:
    compose = load("site.yml")
    check_site(compose)
    assert compose["services"]["gateway"]["ports"] == ["8000:8000"]
    assert compose["services"]["nats"]["command"] == ["-c", "/etc/nats/hub.conf"]


def test_city_runs_a_hub_and_two_county_leaf_sites() -> None:
    compose = load("city.yml")
    gateways = set()
    for site, county in CITY_SITES.items():
        check_site(compose, f"-{site}")
        nats = compose["services"][f"nats-{site}"]
        gateways.add(compose["services"][f"gateway-{site}"]["ports"][0].split(":")[0])
        if county is not None:
            leaf = nats["environment"]["SANJI_HUB_LEAF_URL"]
            assert leaf == f"nats-leaf://leaf-c{county}:${{SANJI_NATS_LEAF_C{county}_PASSWORD}}@nats-hub:7422"
            assert nats["depends_on"] == ["nats-hub"]
    assert len(gateways) == 3  # one published port per site's gateway


def test_every_secret_is_named_in_the_env_example() -> None:
    listed = set(re.findall(r"^([A-Z0-9_]+)=", PASSWORD_FILE.read_text(), re.MULTILINE))
    for name in ("site.yml", "city.yml"):
        used = set(re.findall(r"\$\{([A-Z0-9_]+)", (COMPOSE / name).read_text())) - {"SANJI_PG_PASSWORD"}
        missing = used - listed
        assert missing == set(), f"{name} uses secrets nats.env.example does not name: {missing}"


def test_the_city_hub_users_are_rendered_from_the_grants() -> None:
    grants = natsdeploy.site_grants("hub")
    grants |= {"leaf-c320505": natsdeploy.leaf_grants("320505")}
    grants |= {"county-320505": natsdeploy.county_reader_grants("320505")}
    entries = user_entries(grants, lambda user: f"${natsdeploy.password_variable(user)}", "  ")
    shipped = (COMPOSE / "nats" / "users-hub.conf").read_text().splitlines()
    assert shipped[shipped.index("SANJI_USERS: [") + 1 : -1] == entries


def test_the_image_runs_sanji_from_the_pinned_versions() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "pip install -c constraints.txt ." in dockerfile
    assert 'ENTRYPOINT ["sanji"]' in dockerfile
    assert "USER sanji" in dockerfile


@pytest.mark.parametrize("name", ["site.yml", "city.yml"])
def test_docker_compose_config_accepts_it_where_docker_is(name: str, tmp_path: Path) -> None:
    docker = shutil.which("docker") or ""
    has_compose = bool(docker) and (
        subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        ).returncode
        == 0
    )
    if not has_compose:
        return  # not a skip: the structural tests above ran; docker compose adds its own parser's check
    env_file = tmp_path / "nats.env"
    env_file.write_text(PASSWORD_FILE.read_text())
    placed = not (COMPOSE / "nats.env").exists()  # the services' env_file; an operator's own is kept
    if placed:
        shutil.copy(env_file, COMPOSE / "nats.env")
    try:
        done = subprocess.run(
            [docker, "compose", "-f", str(COMPOSE / name), "--env-file", str(env_file), "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=dict(os.environ, SANJI_PG_PASSWORD="x"),
        )
    finally:
        if placed:
            (COMPOSE / "nats.env").unlink(missing_ok=True)
    assert done.returncode == 0, done.stderr


def test_the_second_countys_config_passes_the_servers_own_check(tmp_path: Path) -> None:
    result = config_test(COMPOSE / "nats" / "county-320505.conf", tmp_path, site_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "domain: c320505" in (COMPOSE / "nats" / "county-320505.conf").read_text()
