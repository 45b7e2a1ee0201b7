"""The wire format: JSON, tables in columnar form, compressed with zlib.

Every message carries the protocol version and the sender's capabilities
(STYLE.md: Morango's ``Legacy*`` classes are the cost of adding them late).
Rows travel as lists under one list of column names per table, so a key is sent
once per chunk, not once per row; zlib then squeezes the repeated values.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from . import PROTOCOL_VERSION
from .errors import SyncError

MEDIA_TYPE = "application/x-baobab-sync"
CAPABILITIES = ("chunks-v1", "zlib", "columnar")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # decompressed; a chunk is bounded far below


class WireError(SyncError):
    """Raised when a message cannot be decoded or has the wrong protocol."""


def encode(message: dict[str, Any]) -> bytes:
    """Serialise and compress a message, stamping the protocol version."""
    body = {"protocol": PROTOCOL_VERSION, "capabilities": list(CAPABILITIES), **message}
    # ASCII with escapes: the C encoder's fastest path; zlib absorbs the longer escapes.
    raw = json.dumps(body, separators=(",", ":")).encode("ascii")
    return zlib.compress(raw, 1)


def decode(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> dict[str, Any]:
    """Decompress and parse a message; refuse bombs, garbage and other protocols."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, max_bytes + 1)
        if len(raw) > max_bytes or inflater.unconsumed_tail:
            raise WireError("message too large")
        message = json.loads(raw.decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"undecodable message: {exc}") from None
    if not isinstance(message, dict):
        raise WireError("a message is a JSON object")
    if message.get("protocol") != PROTOCOL_VERSION:
        raise WireError(f"protocol {message.get('protocol')!r} is not {PROTOCOL_VERSION}")
    return message
