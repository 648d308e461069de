"""NATS and PostgreSQL together under one data folder."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from services.eventkit.embedded.nats_server import NatsServer
from services.eventkit.embedded.postgres_server import PostgresServer


class EmbeddedStack:
    """NATS and PostgreSQL under one data folder (<data>/nats, <data>/pg), for `sanji up` and benchmarks."""

    def __init__(
        self,
        data_dir: Path,
        *,
        nats_port: int | None = None,
        pg_port: int | None = None,
        database: str = "sanji",
        fast: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.nats = NatsServer(self.data_dir / "nats", nats_port)
        self.postgres = PostgresServer(self.data_dir / "pg", pg_port, database, fast=fast)

    @property
    def nats_url(self) -> str:
        return self.nats.url

    @property
    def database_url(self) -> str:
        return self.postgres.url

    def start(self) -> None:
        self.nats.start()
        try:
            self.postgres.start()
        except BaseException:
            self.nats.stop()
            raise

    def stop(self) -> None:
        try:
            self.postgres.stop()
        finally:
            self.nats.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
