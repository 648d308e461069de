"""The rectification-evidence form's upload: a multipart body read within a bound, its file checked by
size and by what its first bytes say it is (a photo, a PDF or an Office document), then stored and granted
to the page's unit as the API's evidence files are (outreach_files.py, evidence.py)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from fastapi import Request

from contracts.commands import Actor
from contracts.inputs import LINE_REFUSED
from services.gateway.evidence import Grant, grants_of
from services.gateway.outreach_files import TooLarge, file_store

FORM_MARGIN = 64 * 1024  # the form's text fields and the multipart framing around the file
PAGE_UPLOAD_BYTES = 10 * 1024 * 1024  # a phone photo or a scanned sheet; larger evidence goes by the API
ZIP = b"PK\x03\x04"
# What an evidence file may be, told by its first bytes (a declared type alone proves nothing).
KINDS = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ZIP,
}
SUFFIXES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadRefused(ValueError):
    """The file cannot be evidence; ``code`` keys the reason in the catalog (``reason.<code>``)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Upload:
    filename: str
    content: bytes


@dataclass
class MultipartForm:
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    too_large: bool = False  # the body passed the upload's bound and was not read


def evidence_url(sha256: str) -> str:
    """Where the stored file is downloaded (by an actor whose subtree holds a unit it is granted to)."""
    return f"/api/v1/outreach/evidence/{sha256}"


def upload_limit() -> int:
    return min(PAGE_UPLOAD_BYTES, file_store().max_bytes)


def parse_multipart(content_type: str, raw: bytes) -> MultipartForm:
    """A multipart/form-data body: text values (stripped, the first of each name) and files by name."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    found = MultipartForm()
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return found
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or len(found.lists) >= 50:
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if content:  # a file input left empty sends a part with no bytes
                found.files.setdefault(name, Upload(clean_filename(filename), content))
            continue
        text = content.decode("utf-8", errors="replace").strip()
        found.lists.setdefault(name, []).append(text)
        found.values.setdefault(name, text)
    return found


def clean_filename(filename: str) -> str:
    """A file name fit to store and to send back: no control, bidi or unencodable characters (an old
    browser's GBK bytes arrive as replacement characters), at most 200 characters."""
    readable = filename.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return LINE_REFUSED.sub("", readable).strip()[:200] or "evidence"


def evidence_kind(upload: Upload) -> str:
    """The file's type, from its name and confirmed by its first bytes; else UploadRefused."""
    if len(upload.content) > upload_limit():
        raise UploadRefused("file_too_large", limit=f"{upload_limit() // (1024 * 1024)}")
    suffix = "." + upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    kind = SUFFIXES.get(suffix)
    if kind is None or not upload.content.startswith(KINDS[kind]):
        raise UploadRefused("file_type")
    return kind


def planned_reference(upload: Upload) -> str:
    """The reference the evidence will carry once the file is stored (its hash names it); the file is
    checked first (UploadRefused), so that a form refused for its file keeps nothing."""
    evidence_kind(upload)
    return evidence_url(hashlib.sha256(upload.content).hexdigest())


async def store_evidence(request: Request, actor: Actor, unit: str, upload: Upload) -> str:
    """Store the checked file, grant it to ``unit`` and answer the reference the evidence carries."""
    kind = evidence_kind(upload)

    async def chunks() -> AsyncIterator[bytes]:
        yield upload.content

    try:
        stored = await file_store().put(chunks(), kind, upload.filename)
    except TooLarge:
        raise UploadRefused("file_too_large", limit=f"{upload_limit() // (1024 * 1024)}") from None
    await grants_of(request).grant(Grant(stored.sha256, unit, upload.filename, kind), actor.id)
    return evidence_url(stored.sha256)
