"""Photo bytes follow their rows between paired nodes, both ways, by digest.

Pack content flows one way (the hub publishes, nodes fetch it from the public
asset URL). Students' photos are private and are born on classroom nodes: the
hub never calls a node, so the node that syncs must also push what its peer
lacks. Every request here is signed like a sync message (node id, the peer's next
sequence number, the body's digest), and the serving side gives or takes only
photos of partitions that peer may read or write.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Callable

from sync.auth import NodeKey
from sync.http import signed_request

from ..db.blobs import blob_path, digest, has_blob, is_digest, store_blob
from ..models import Photo
from ..services.photos import PHOTO_MAX_BYTES

log = logging.getLogger(__name__)

BASE = "/api/v1/sync/photos"
MISSING_PATH = f"{BASE}/missing"


def missing_photos(data_dir: str, partitions: Iterable[str] | None = None) -> list[str]:
    """Digests of live photos (of these partitions, or all) whose bytes are not here yet.

    A row whose ``sha256`` is not a digest (a forged synced row) names no file: left out.
    """
    query = Photo.live(Photo.sha256).distinct()
    if partitions is not None:
        query = query.where(Photo.partition.in_(list(partitions)))
    return sorted(
        p.sha256 for p in query if is_digest(p.sha256) and not has_blob(data_dir, p.sha256)
    )


def photo_in(sha256: str, partitions: Iterable[str] | None = None) -> bool:
    """Whether a live photo with these bytes belongs to one of the partitions (or any)."""
    query = Photo.live(Photo.id).where(Photo.sha256 == sha256)
    if partitions is not None:
        query = query.where(Photo.partition.in_(list(partitions)))
    return query.exists()


class PhotoPeer:
    """Signed photo requests to one paired peer."""

    def __init__(
        self,
        base_url: str,
        node_id: str,
        key: NodeKey,
        next_seq: Callable[[], int],
        timeout: float = 60.0,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.node_id, self.key, self.next_seq, self.timeout = node_id, key, next_seq, timeout

    def _call(self, method: str, path: str, body: bytes = b"") -> bytes:
        content_type = "application/octet-stream" if method == "PUT" else None
        request = signed_request(
            self.base + path, method, body, self.node_id, self.key, self.next_seq(), content_type
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read(PHOTO_MAX_BYTES + 1)

    def wanted(self) -> list[str]:
        """What the peer says it lacks: photos it has rows for (that we may write) but no bytes.

        The peer's word, not yet checked: ``exchange`` sends only digests of our own photos.
        """
        wanted = json.loads(self._call("GET", MISSING_PATH))["sha256"]
        if not isinstance(wanted, list):
            raise ValueError("the peer's list of missing photos is not a list")
        return wanted

    def fetch(self, sha256: str, data_dir: str) -> bool:
        """Fetch and verify one photo's bytes; True when stored."""
        blob_path(data_dir, sha256)  # a digest, or NotADigest before any request
        data = self._call("GET", f"{BASE}/{sha256}")
        if len(data) > PHOTO_MAX_BYTES or digest(data) != sha256:
            return False
        store_blob(data_dir, sha256, data)
        return True

    def push(self, sha256: str, data_dir: str) -> None:
        """Send one photo's bytes to the peer."""
        self._call("PUT", f"{BASE}/{sha256}", blob_path(data_dir, sha256).read_bytes())


_FAILURES = (
    urllib.error.URLError,
    OSError,
    http.client.HTTPException,
    ValueError,
    KeyError,
    TypeError,
)


def exchange(
    peer: PhotoPeer, data_dir: str, readable: Iterable[str] | None = None
) -> tuple[int, int, int]:
    """After a row sync: fetch the photos we lack, push those the peer lacks.

    Only bytes of live photos (of the ``readable`` partitions the peer may read, when
    given) are sent, whatever the peer asks for: an entry of its list that is not a
    digest, or not such a photo, is refused and logged.
    Returns (fetched, pushed, still missing on either side; a failure to learn what
    the peer lacks counts one). A failure is logged and counted, never raised: the
    rows are in, and the next sync tries again.
    """
    fetched = pushed = missing = 0
    for sha256 in missing_photos(data_dir):
        try:
            fetched += peer.fetch(sha256, data_dir)
        except _FAILURES as exc:  # 404: the peer has not got the bytes either
            log.info("photo %s from %s: %s", sha256, peer.base, exc)
        missing += not has_blob(data_dir, sha256)
    try:
        wanted = peer.wanted()
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 405):  # a peer of a version without photos
            log.info("%s does not take photos (%s)", peer.base, exc.code)
            return fetched, pushed, missing
        log.info("photos to %s: %s", peer.base, exc)
        return fetched, pushed, missing + 1  # what it lacks is unknown: not done
    except _FAILURES as exc:
        # Cut before we learnt what it lacks: the sync is not complete (at least one).
        log.info("photos to %s: %s", peer.base, exc)
        return fetched, pushed, missing + 1
    partitions = None if readable is None else list(readable)
    for sha256 in wanted:
        if not is_digest(sha256):
            log.warning("%s asked for %r, which is not a photo digest: refused", peer.base, sha256)
            continue
        if not photo_in(sha256, partitions):
            log.warning("%s asked for %s, not a photo it may read: refused", peer.base, sha256)
            continue
        if not has_blob(data_dir, sha256):
            continue  # we lack it too; whoever holds it will send it
        try:
            peer.push(sha256, data_dir)
            pushed += 1
        except _FAILURES as exc:
            log.info("photo %s to %s: %s", sha256, peer.base, exc)
            missing += 1
    return fetched, pushed, missing
