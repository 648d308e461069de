"""Tamper evidence: each stored event's hash covers the previous event's hash in its stream and the
canonical form of its envelope, so altering or deleting a stored event breaks the chain after it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = b"\x00" * 32


def canonical_json(document: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 as is: the same envelope always gives the same bytes."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(previous: bytes, envelope_document: dict[str, Any]) -> bytes:
    return link_hash(previous, canonical_json(envelope_document))


def link_hash(previous: bytes, canonical: bytes) -> bytes:
    """The hash of a link from its envelope's canonical bytes (an append encodes each envelope once)."""
    return hashlib.sha256(previous + canonical).digest()
