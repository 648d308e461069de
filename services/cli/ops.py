"""Operator commands: dead letters, hash-chain verification, projection rebuild."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the operator commands to ``app``."""
