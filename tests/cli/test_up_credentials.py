"""`sanji up` gives each child its own NATS user, and prints no password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from services.cli.up import START_ORDER, Backing, child_specs, without_credentials
from services.eventkit.bususers import load_passwords


def test_each_child_connects_as_its_own_nats_user(tmp_path: Path) -> None:
    backing = Backing(tmp_path, None, None)  # embedded servers, not started: only their URLs are used
    ports = dict.fromkeys(START_ORDER, 1)
    specs = child_specs(tmp_path, backing, ports)
    passwords = load_passwords(tmp_path / "nats")
    for spec in specs:
        url = urlsplit(spec.env["NATS_URL"])
        assert (url.username, url.password) == (spec.name, passwords[spec.name])
        assert urlsplit(spec.env["DATABASE_URL"]).password  # PostgreSQL wants its password too


def test_printed_urls_carry_no_password() -> None:
    assert without_credentials("nats://operator:s3cret@127.0.0.1:4222") == "nats://127.0.0.1:4222"
    assert without_credentials("postgresql://postgres:s3cret@127.0.0.1:5432/sanji") == (
        "postgresql://127.0.0.1:5432/sanji"
    )
