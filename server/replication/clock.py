"""The district's time, as this node best knows it: its own clock corrected by what syncs saw.

A Raspberry Pi with no battery clock boots days behind; a node's clock may run an hour
ahead. Every sync records the offset it saw between the two sides (``Peer.clock_offset_ms``,
the peer's clock minus ours). Decay and due dates ask "how long ago", so they use
``district_now_ms``: our wall clock moved by the offset to the reference. Then two nodes
holding the same answers show the same mastery at the same moment, whatever their clocks
say (invariant 7), and a node that was behind does not keep a skill "fresh" for days.

The reference is the hub, when this node syncs with one: its offset is the one measured
with the peer that holds the hub's authority (granted at pairing, never taken from what a
peer says of itself). A school with no hub has no better clock than the majority of its
nodes: the median of ours (0) and the offsets of the peers synced lately, so one node
an hour off is outvoted by the others. The hub itself is the reference (offset 0).

Offsets larger than a year are ignored as nonsense, whoever reported them.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time

from flask import current_app, has_app_context

from sync.engine import HUB
from sync.hlc import wall_ms

from ..db import db
from ..models import Peer
from ..models.base import utcnow

#: Offsets beyond this are a broken clock or a lie, not something to correct by.
MAX_TRUSTED_OFFSET_MS = 365 * 24 * 3600 * 1000
#: Peers synced longer ago than this no longer vote on the school's time.
RECENT = dt.timedelta(days=7)
#: The offset is read at most this often per process (it changes only when a sync ends).
CACHE_SECONDS = 30.0

_lock = threading.Lock()
# Per database (one process may open several, as tests do): (monotonic time read, offset).
_cached: dict[str, tuple[float, int]] = {}


def reference_offset(peers: list[Peer], now: dt.datetime | None = None) -> int:
    """How far the reference clock is ahead of ours (ms), from what ``peers`` recorded."""
    now = now or utcnow()
    synced = [
        p
        for p in peers
        if not p.revoked
        and p.last_success_at is not None
        and abs(p.clock_offset_ms or 0) <= MAX_TRUSTED_OFFSET_MS
    ]
    hubs = [p for p in synced if HUB in p.grant_set]
    if hubs:
        return int(max(hubs, key=lambda p: p.last_success_at).clock_offset_ms or 0)
    recent = [p.clock_offset_ms or 0 for p in synced if now - p.last_success_at <= RECENT]
    if not recent:
        return 0
    return int(statistics.median_low([0, *recent]))


def offset_ms(role: str = "node") -> int:
    """This node's correction to the reference clock, read from its peers (cached briefly)."""
    if role == "hub":
        return 0
    key = str(getattr(db.obj, "database", ""))
    with _lock:
        hit = _cached.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    value = reference_offset(list(Peer.select()))
    with _lock:
        _cached[key] = (time.monotonic(), value)
    return value


def forget() -> None:
    """Drop the cached offset (a sync just recorded a new one, or a test changed peers)."""
    with _lock:
        _cached.clear()


def district_now_ms(role: str | None = None) -> int:
    """Now, on the reference clock: what decay and due dates measure from."""
    if role is None:
        role = _current_role()
    return wall_ms() + offset_ms(role)


def _current_role() -> str:
    return str(current_app.config.get("ROLE", "node")) if has_app_context() else "node"
