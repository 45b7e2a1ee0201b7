"""The sign-in rate limit: failures per account and address, shared by every serving process."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from ..errors import TooManyAttempts
from ..node import rundir


class SignInThrottle:
    """Counts failed sign-ins per key in a sliding window.

    Keys are accounts and client addresses. With ``path`` the counts live in a
    file that every serving process of the node shares (server.node.rundir), so
    several processes do not multiply the attempts allowed; without it, in this
    process's memory. A restart forgets, which is fine for a window of minutes.
    CLOCK_MONOTONIC is one clock for all processes of the machine.
    """

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        path: Path | None = None,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self.path = path
        self._memory: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _failures(self, change: bool) -> Iterator[dict[str, list[float]]]:
        """The failures still in the window, by key; saved afterwards when ``change``."""
        now = self._clock()
        shared = rundir.locked(self.path) if change and self.path else contextlib.nullcontext()
        with self._lock, shared:
            stored = rundir.read_json(self.path, {}) if self.path else self._memory
            failures = {
                key: kept
                for key, times in stored.items()
                if (kept := [t for t in times if now - t < self.window_s])
            }
            yield failures
            if change:
                if self.path:
                    rundir.write_json(self.path, failures)
                else:
                    self._memory = failures

    def check(self, *keys: str, limit_factor: int = 1) -> None:
        """Raise TooManyAttempts when any key has used up its failures."""
        with self._failures(change=False) as failures:
            now = self._clock()
            for index, key in enumerate(keys):
                limit = self.max_failures * (limit_factor if index else 1)
                times = failures.get(key, [])
                if len(times) >= limit:
                    wait = int(self.window_s - (now - times[0])) + 1
                    raise TooManyAttempts(
                        f"Too many failed sign-ins. Try again in {wait} seconds.", wait
                    )

    def fail(self, *keys: str) -> None:
        """Record one failure against every key."""
        with self._failures(change=True) as failures:
            now = self._clock()
            for key in keys:
                failures.setdefault(key, []).append(now)

    def succeed(self, key: str) -> None:
        """Forget the failures of an account once it signs in."""
        if self.path and key not in self._snapshot():
            return  # the common case: nothing to forget, so no lock and no write
        with self._failures(change=True) as failures:
            failures.pop(key, None)

    def _snapshot(self) -> dict[str, list[float]]:
        with self._failures(change=False) as failures:
            return failures
