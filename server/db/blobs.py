"""Content-addressed files: pack assets and photos, named on disk by their SHA-256.

This is the one place a digest becomes a path. Digests arrive from outside (peers'
photo lists, URLs, pack manifests, bundles and synced rows, uploads), and a string
that is not 64 lowercase hex digits never names a file: ``blob_path`` refuses it, so
a caller cannot read ``../baobab.ini`` or ``/etc/passwd`` by calling it a digest.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from ..errors import NotFound

BLOB_DIR = "blobs"
CHUNK = 256 * 1024

_DIGEST = re.compile(r"[0-9a-f]{64}")


class NotADigest(NotFound):
    """Raised when a string that is not a SHA-256 hex digest is used to name a file (404)."""

    def __init__(self, value: object) -> None:
        super().__init__(f"No file {str(value)[:80]!r}: that is not a SHA-256 digest.")
        self.value = value


def is_digest(value: object) -> bool:
    """Whether a value is a SHA-256 digest as this node writes one (64 lowercase hex)."""
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def digest(data: bytes) -> str:
    """The SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, in hex, read a block at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def blob_path(data_dir: str, sha256: str) -> Path:
    """Where a blob lives on disk; ``NotADigest`` for anything that is not a digest."""
    if not is_digest(sha256):
        raise NotADigest(sha256)
    return Path(data_dir) / BLOB_DIR / sha256[:2] / sha256


def has_blob(data_dir: str, sha256: str) -> bool:
    """Whether this node holds a blob's bytes (never, for a non-digest)."""
    return is_digest(sha256) and blob_path(data_dir, sha256).is_file()


def store_blob(data_dir: str, sha256: str, data: bytes) -> None:
    """Write a blob once, atomically (a half-written file never has the final name).

    The bytes must be the digest's: a blob's name is a promise about its content.
    """
    target = blob_path(data_dir, sha256)
    if digest(data) != sha256:
        raise ValueError(f"the bytes given are not the blob {sha256}")
    if target.exists() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def partial_path(data_dir: str, sha256: str) -> Path:
    """Where a resumable download of a blob collects its bytes before they are verified."""
    target = blob_path(data_dir, sha256)
    return target.with_name(f".{sha256}.part")
