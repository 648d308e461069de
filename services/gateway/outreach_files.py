"""Evidence files (photos, sign-in sheets, slides), stored content-addressed: the file's sha256 is its
name, so the same file uploaded twice is stored once, and an activity refers to it by that hash.

Layout under SANJI_FILES_DIR: ``ab/abcdef….bin`` (the bytes) and ``ab/abcdef….json`` (content type,
first file name, size). A file is written to a temporary name and renamed into place, so a reader
never sees half a file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

HASH = re.compile(r"^[0-9a-f]{64}\Z")
CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*\Z")


class FilesSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)
    files_dir: Path = Field(
        Path(".sanji/files"), validation_alias=AliasChoices("SANJI_FILES_DIR", "files_dir")
    )
    max_bytes: int = Field(
        50 * 1024 * 1024, validation_alias=AliasChoices("SANJI_EVIDENCE_MAX_BYTES", "evidence_max_bytes")
    )


class TooLarge(ValueError):
    """The upload passed the size limit; nothing was kept."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    filename: str

    def as_json(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "content_type": self.content_type,
            "filename": self.filename,
            "url": f"/api/v1/outreach/evidence/{self.sha256}",
        }


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root, self.max_bytes = Path(root), max_bytes

    def paths(self, sha256: str) -> tuple[Path, Path]:
        folder = self.root / sha256[:2]
        return folder / f"{sha256}.bin", folder / f"{sha256}.json"

    async def put(self, chunks: AsyncIterator[bytes], content_type: str, filename: str) -> StoredFile:
        """Store a stream of bytes under its sha256 (kept once however often it arrives)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge(f"the file is larger than {self.max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            sha256 = digest.hexdigest()
            data_path, meta_path = self.paths(sha256)
            data_path.parent.mkdir(exist_ok=True)
            os.replace(temporary, data_path)  # same bytes if it was there already: replacing is harmless
            temporary = ""
            if not meta_path.exists():
                meta = {"content_type": clean_type(content_type), "filename": filename[:200], "size": size}
                meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        finally:
            if temporary:  # not moved into place: an upload cut short or too large
                os.unlink(temporary)
        return self.get(sha256) or StoredFile(sha256, size, clean_type(content_type), filename)

    def get(self, sha256: str) -> StoredFile | None:
        if not HASH.match(sha256):
            return None
        data_path, meta_path = self.paths(sha256)
        if not data_path.is_file():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return StoredFile(
            sha256,
            data_path.stat().st_size,
            str(meta.get("content_type") or "application/octet-stream"),
            str(meta.get("filename") or sha256),
        )


def clean_type(content_type: str) -> str:
    """A plain ``type/subtype`` or octet-stream: the stored type is echoed back on download."""
    value = content_type.split(";", maxsplit=1)[0].strip().lower()
    return value if CONTENT_TYPE.match(value) else "application/octet-stream"


def file_store() -> FileStore:
    settings = FilesSettings()
    return FileStore(settings.files_dir, settings.max_bytes)
