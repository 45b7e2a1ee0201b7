"""The sign-in rate limit: failures per account and address, shared by every serving process.

A sign-in first *reserves* an attempt against each of its keys, atomically, under
one lock (``attempt``): counted as a failure before the password is verified,
so parallel guesses cannot all pass the check before any is recorded. A success
gives the reservation back (``release``). See ``server.auth.signin`` for the keys.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from ..errors import TooManyAttempts
from ..node import rundir

#: How long a device that signed in to an account stays known to the limit.
KNOWN_DEVICE_S = 30 * 24 * 3600
#: Keys that remember a device's success rather than count failures.
KNOWN = "known:"


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
                if (kept := [t for t in times if now - t < self._span(key)])
            }
            yield failures
            if change:
                if self.path:
                    rundir.write_json(self.path, failures)
                else:
                    self._memory = failures

    def _span(self, key: str) -> float:
        return KNOWN_DEVICE_S if key.startswith(KNOWN) else self.window_s

    def _wait(self, times: list[float], now: float) -> TooManyAttempts:
        wait = int(self.window_s - (now - times[0])) + 1
        return TooManyAttempts(f"Too many failed sign-ins. Try again in {wait} seconds.", wait)

    def attempt(self, limits: dict[str, int]) -> float:
        """Reserve one attempt against every key (key -> failures allowed), or raise.

        Checked and recorded under one lock, across threads and processes: of N
        parallel attempts at most ``limit`` get past. Returns the reservation.
        """
        with self._failures(change=True) as failures:  # an exception writes nothing
            now = self._clock()
            for key, limit in limits.items():
                times = failures.get(key, [])
                if len(times) >= limit:
                    raise self._wait(times, now)
            for key in limits:
                failures.setdefault(key, []).append(now)
        return now

    def release(
        self, reservation: float, *keys: str, forget: tuple[str, ...] = (), known: str = ""
    ) -> None:
        """Give back a reservation (the attempt succeeded or was no guess).

        ``forget``: keys whose failures are cleared; ``known``: a device key to
        remember as having signed in (see ``known``).
        """
        with self._failures(change=True) as failures:
            if known:
                failures[KNOWN + known] = [self._clock()]
            for key in keys:
                times = failures.get(key, [])
                if reservation in times:
                    times.remove(reservation)
                if not times:
                    failures.pop(key, None)
            for key in forget:
                failures.pop(key, None)

    def known(self, key: str) -> bool:
        """Say whether ``key`` signed in within ``KNOWN_DEVICE_S``."""
        with self._failures(change=False) as failures:
            return KNOWN + key in failures

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
