"""Content blobs travel after the rows: each missing asset is fetched by its digest,
resumably (HTTP Range from where a partial download stopped), and verified."""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from typing import Callable

from ..db.blobs import CHUNK, blob_path, file_digest, has_blob, is_digest, partial_path
from ..models import Asset

log = logging.getLogger(__name__)


def missing_blobs(data_dir: str) -> list[str]:
    """Digests of live assets whose bytes are not on this node's disk yet.

    An asset row whose id is not a digest (a forged synced row) names no file: left out.
    """
    return [
        a.id for a in Asset.live(Asset.id) if is_digest(a.id) and not has_blob(data_dir, a.id)
    ]  # fmt: skip


def fetch_blob(base_url: str, sha256: str, data_dir: str, timeout: float = 60.0) -> bool:
    """Fetch one blob from a peer, resuming a partial download; True when stored and verified.

    ``NotADigest`` before any request or file when ``sha256`` is not a digest.
    """
    target = blob_path(data_dir, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = partial_path(data_dir, sha256)
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(f"{base_url.rstrip('/')}/api/v1/assets/{sha256}")
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            mode = "ab" if have and response.status == 206 else "wb"
            with open(part, mode) as out:
                while True:
                    block = response.read(CHUNK)
                    if not block:
                        break
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # we already hold every byte: verify below
            pass
        else:
            log.info("blob %s: peer answered %s", sha256, exc.code)
            return False
    except OSError as exc:
        log.info("blob %s: interrupted (%s); will resume", sha256, exc)
        return False
    if file_digest(part) != sha256:
        part.unlink(missing_ok=True)  # corrupt: start again next time
        return False
    os.replace(part, target)
    return True


def fetch_missing(
    base_url: str, data_dir: str, progress: Callable[[str, int, int], None] | None = None
) -> tuple[int, int]:
    """Fetch every missing blob from a peer; return (fetched, still missing).

    ``progress("content", files done, files)`` hears each file.
    """
    fetched = 0
    missing = missing_blobs(data_dir)
    for done, sha256 in enumerate(missing, 1):
        fetched += fetch_blob(base_url, sha256, data_dir)
        if progress is not None:
            progress("content", done, len(missing))
    return fetched, len(missing) - fetched
