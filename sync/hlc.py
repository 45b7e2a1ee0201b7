"""Hybrid logical clock (Kulkarni et al. 2014), packed into one integer.

Ordering across nodes comes from this clock, never from wall time alone
(DESIGN.md invariant 9): a Raspberry Pi without a battery clock may boot days
behind, and its writes must still order after what it has already seen.
The packed value is ``physical_ms << 16 | logical``, so plain integer
comparison orders stamps and the value fits a signed 64-bit column.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from .errors import ClockSkewError

LOGICAL_BITS = 16
LOGICAL_MASK = (1 << LOGICAL_BITS) - 1
#: A remote stamp further ahead of our wall clock than this is refused.
DEFAULT_MAX_DRIFT_MS = 366 * 24 * 3600 * 1000


def pack(physical_ms: int, logical: int) -> int:
    """Pack a physical time in ms and a logical counter into one integer."""
    return (physical_ms << LOGICAL_BITS) | logical


def unpack(value: int) -> tuple[int, int]:
    """Split a packed clock value into (physical_ms, logical)."""
    return value >> LOGICAL_BITS, value & LOGICAL_MASK


def wall_ms() -> int:
    """Return the wall clock in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


class HybridLogicalClock:
    """A thread-safe hybrid logical clock for one node."""

    def __init__(
        self,
        last: int = 0,
        now_ms: Callable[[], int] = wall_ms,
        max_drift_ms: int = DEFAULT_MAX_DRIFT_MS,
    ) -> None:
        self._last = last
        self._now_ms = now_ms
        self._max_drift_ms = max_drift_ms
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        """The last value handed out or observed."""
        return self._last

    def now(self) -> int:
        """Return a new clock value for a local event, greater than any seen."""
        with self._lock:
            physical, logical = unpack(self._last)
            wall = self._now_ms()
            if wall > physical:
                self._last = pack(wall, 0)
            else:
                self._last = self._next_logical(physical, logical)
            return self._last

    def observe(self, remote: int) -> int:
        """Merge a remote clock value (on receipt) and return the new local value."""
        with self._lock:
            wall = self._now_ms()
            r_physical, r_logical = unpack(remote)
            if r_physical - wall > self._max_drift_ms:
                raise ClockSkewError(
                    f"remote clock is {(r_physical - wall) // 1000} s ahead of ours"
                )
            physical, logical = unpack(self._last)
            top = max(wall, physical, r_physical)
            if top == physical and top == r_physical:
                new = self._next_logical(top, max(logical, r_logical))
            elif top == physical:
                new = self._next_logical(top, logical)
            elif top == r_physical:
                new = self._next_logical(top, r_logical)
            else:
                new = pack(top, 0)
            self._last = max(self._last, new)
            return self._last

    @staticmethod
    def _next_logical(physical: int, logical: int) -> int:
        if logical >= LOGICAL_MASK:
            # The logical part is full: borrow a millisecond rather than wrap.
            return pack(physical + 1, 0)
        return pack(physical, logical + 1)
