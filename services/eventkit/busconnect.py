"""Connecting to NATS as one user: the credentials travel in the URL (``nats://user:password@host``) and
replies come back on the user's own inbox prefix, which no other user may subscribe to."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client as NatsClient

from services.eventkit.bususers import inbox_prefix

DEFAULT_INBOX_PREFIX = "_INBOX"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")  # a user name may hold characters a subject token may not


def inbox_prefix_for(url: str, configured: str | None = None) -> str:
    """The configured prefix, else ``_INBOX_<user>`` for the URL's user, else NATS's default."""
    if configured:
        return configured
    first = url.split(",", 1)[0].strip()
    user = urlsplit(first if "://" in first else f"nats://{first}").username
    return inbox_prefix(_UNSAFE.sub("_", user)) if user else DEFAULT_INBOX_PREFIX


def server_list(url: str) -> list[str]:
    """The servers of a comma-separated NATS_URL (a cluster: every node, each with the credentials, since
    nats-py logs in to a server it discovered from the cluster without any)."""
    return [part.strip() for part in url.split(",") if part.strip()]


async def connect(url: str, name: str, *, inbox: str | None = None, **options: Any) -> NatsClient:
    """A nats-py connection as the URL's user, with that user's inbox prefix."""
    servers = server_list(url)
    return await nats.connect(servers, name=name, inbox_prefix=inbox_prefix_for(url, inbox), **options)
