"""Sync bundles: what a peer lacks, in a signed, compressed file for a USB stick.

Layout: a magic line, a JSON header line, the signature line (hex, over the
header line and the payload's SHA-256), then the payload: the wire encoding of
``{"chunks": [...]}``. The importer verifies everything before applying
anything, so a tampered or foreign bundle is refused whole; each chunk is then
applied with the engine's guarantees, so importing twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Callable

from . import wire
from .auth import NodeKey, verify
from .engine import ApplyStats, Sender, Store, apply_chunk, export_chunk
from .errors import SyncError

MAGIC = b"BAOBAB-BUNDLE/1\n"
MAX_HEADER_BYTES = 64 * 1024


class BundleError(SyncError):
    """Raised when a bundle is malformed, tampered with, or from an untrusted node."""


def write_bundle(
    store: Store,
    key: NodeKey,
    partitions: list[str],
    theirs: Mapping[str, Mapping[str, int]],
    for_node: str | None = None,
    max_rows: int = 20_000,
    secrets: bool = True,
) -> bytes:
    """A signed bundle of what a peer with vectors ``theirs`` lacks (empty: everything).

    Without ``secrets`` (for a peer not granted accounts) password hashes are blanked.
    """
    chunks: list[dict[str, Any]] = []
    for partition in partitions:
        vector = dict(theirs.get(partition, {}))
        while True:
            chunk, more = export_chunk(store, partition, vector, max_rows=max_rows, secrets=secrets)
            if chunk["origins"]:
                chunks.append(chunk)
            for origin, (_after, through) in chunk["origins"].items():
                vector[origin] = max(vector.get(origin, 0), through)
            if not more:
                break
    payload = wire.encode({"type": "bundle", "chunks": chunks})
    header = {
        "node_id": store.node_id,
        "public_key": key.public_hex(),
        "for_node": for_node,
        "partitions": partitions,
        "rows": sum(len(t["rows"]) for c in chunks for t in c["tables"].values()),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    header_line = json.dumps(header, separators=(",", ":")).encode()
    signature = key.sign(header_line).encode()
    return MAGIC + header_line + b"\n" + signature + b"\n" + payload


def read_bundle(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split and check a bundle's structure and digest (not yet who signed it)."""
    if not data.startswith(MAGIC):
        raise BundleError("not a Baobab bundle")
    rest = data[len(MAGIC) :]
    header_end = rest.find(b"\n", 0, MAX_HEADER_BYTES)
    if header_end < 0:
        raise BundleError("the bundle's header is missing or too long")
    header_line = rest[:header_end]
    signature_end = rest.find(b"\n", header_end + 1, header_end + 300)
    if signature_end < 0:
        raise BundleError("the bundle has no signature")
    signature = rest[header_end + 1 : signature_end].decode("ascii", "replace")
    payload = rest[signature_end + 1 :]
    try:
        header = json.loads(header_line)
    except ValueError:
        raise BundleError("the bundle's header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("public_key"), str):
        raise BundleError("the bundle's header is incomplete")
    if not verify(header["public_key"], header_line, signature):
        raise BundleError("the bundle's signature does not verify: it was changed after export")
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        raise BundleError("the bundle's contents do not match its signed digest: it was changed")
    message = wire.decode(payload)
    chunks = message.get("chunks")
    if not isinstance(chunks, list):
        raise BundleError("the bundle holds no chunks")
    return header, chunks


def import_bundle(
    store: Store,
    data: bytes,
    trusted_key: Callable[[str], str | None],
    allowed: set[str],
    grants: frozenset[str] | None = None,
) -> ApplyStats:
    """Verify a bundle whole, then apply it; ``trusted_key`` maps a node id to its known key.

    The signer is the sender, with ``grants``: a bundle gets the same authority
    checks as a sync over the network (refused rows are in the stats).
    """
    header, chunks = read_bundle(data)
    known = trusted_key(str(header.get("node_id")))
    if known is None or known != header["public_key"]:
        raise BundleError("the bundle comes from a node this one has not paired with")
    for chunk in chunks:
        if chunk.get("partition") not in allowed:
            raise BundleError(f"the bundle carries partition {chunk.get('partition')!r}, not ours")
    sender = Sender(str(header.get("node_id")), grants)
    stats = ApplyStats()
    for chunk in chunks:
        stats.add(apply_chunk(store, chunk, allowed, sender))
    return stats
