"""deploy/nats/hub-cluster.conf: the hub as a three-node JetStream cluster passes nats-server's own check,
and is the same hub as hub.conf (domain, users, accounts) with a cluster of three routes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.deploy.sites import DEPLOY, config_test, site_env

NATS_DIR = DEPLOY / "nats"
CLUSTER = NATS_DIR / "hub-cluster.conf"


def _block(text: str, name: str) -> str:
    """The text of a top-level ``name { … }`` block (no nested braces in the ones compared)."""
    found = re.search(rf"^{name} \{{(.*?)^\}}", text, re.MULTILINE | re.DOTALL)
    assert found, f"no {name} block"
    lines = (line.split("#", 1)[0].strip() for line in found.group(1).splitlines())
    return "\n".join(line for line in lines if line)  # comments and layout aside


def test_the_cluster_config_passes_the_servers_own_check(tmp_path: Path) -> None:
    result = config_test(CLUSTER, tmp_path, site_env() | {"SANJI_NATS_NODE": "sanji-hub-1"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "is valid" in output


def test_the_cluster_is_the_hub_with_three_routes() -> None:
    cluster, hub = CLUSTER.read_text(), (NATS_DIR / "hub.conf").read_text()
    assert 'include "users-hub.conf"' in cluster
    assert _block(cluster, "accounts") == _block(hub, "accounts")
    assert "domain: city" in _block(cluster, "jetstream")
    routes = re.findall(r'"nats-route://(sanji-hub-\d):6222"', _block(cluster, "cluster"))
    assert routes == ["sanji-hub-1", "sanji-hub-2", "sanji-hub-3"]
    assert "no_advertise: true" in _block(cluster, "cluster")  # clients use only the nodes they were given
    assert "server_name: $SANJI_NATS_NODE" in cluster  # one file, each node names itself
