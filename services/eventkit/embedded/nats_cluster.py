"""Three nats-servers from the wheel as one JetStream cluster on loopback: the city hub when one server is
not enough (streams replicated R3). Each node has its own ports and data folder; all share one set of users
and passwords, so a client's URL lists every node with the same credentials."""

from __future__ import annotations

import json
from pathlib import Path

from services.eventkit.embedded.nats_server import NatsServer
from services.eventkit.embedded.processes import free_port

CLUSTER_NAME = "sanji-hub"


class ClusterNode(NatsServer):
    """One node: a NatsServer whose configuration adds the cluster block with routes to the others."""

    def __init__(self, data_dir: Path, name: str, credentials_dir: Path) -> None:
        super().__init__(data_dir, server_name=name, credentials_dir=credentials_dir)
        self.cluster_port = free_port()
        self.routes: list[int] = []

    def _cluster_config(self) -> str:
        routes = [f"nats-route://127.0.0.1:{port}" for port in self.routes]
        return (
            "cluster {\n"
            f"  name: {json.dumps(CLUSTER_NAME)}\n"
            f'  listen: "127.0.0.1:{self.cluster_port}"\n'
            f"  routes: {json.dumps(routes)}\n"
            # Clients get every node from their NATS_URL, each with credentials; a node nats-py only
            # discovered has none, and after an Authorization Violation there it stopped reconnecting.
            "  no_advertise: true\n"
            "}\n"
        )


class NatsCluster:
    """``size`` nodes under ``root`` (``root/n1`` …); start() returns once every node serves JetStream."""

    def __init__(self, root: Path, size: int = 3) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.nodes = [ClusterNode(self.root / f"n{i}", f"sanji-n{i}", self.root) for i in range(1, size + 1)]
        for node in self.nodes:
            node.routes = [other.cluster_port for other in self.nodes if other is not node]

    def url_for(self, user: str) -> str:
        """Every node's URL with ``user``'s credentials, comma-separated (see busconnect.server_list)."""
        return ",".join(node.url_for(user) for node in self.nodes)

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def node(self, server_name: str) -> ClusterNode:
        return next(node for node in self.nodes if node.server_name == server_name)

    def start(self) -> None:
        for node in self.nodes:  # all first: a node is ready only once the cluster has a meta leader
            node.spawn()
        try:
            for node in self.nodes:
                node.await_ready()
        except BaseException:
            self.stop()
            raise

    def kill(self, node: ClusterNode) -> None:
        """SIGKILL one node by its PID: a crash, not a shutdown."""
        node.kill()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
