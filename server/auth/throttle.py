"""The sign-in rate limit: failures per account and address, shared by every serving process.

A sign-in first *reserves* an attempt against each of its keys, atomically, under
one lock (``attempt``): counted as a failure before the password is verified,
so parallel guesses cannot all pass the check before any is recorded. A success
gives the reservation back (``release``). A check cheap enough to run under that
lock (a picture password) runs inside it instead (``checked``): a success from a
known device then writes nothing. See ``server.auth.signin`` for the keys.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from ..db import db, is_sqlite, write_transaction
from ..errors import TooManyAttempts
from ..models import SignInFailure
from ..node import rundir

#: The first key of the advisory locks the sign-in limit takes on PostgreSQL.
LOCK_SPACE = 0xBA0B

#: How long a device that signed in to an account stays known to the limit.
KNOWN_DEVICE_S = 30 * 24 * 3600
#: A known device's memory is renewed at most this often (each renewal is a write).
KNOWN_REFRESH_S = 24 * 3600
#: Keys that remember a device's success rather than count failures.
KNOWN = "known:"


class SignInThrottle:
    """Counts failed sign-ins per key in a sliding window.

    Keys are accounts and client addresses. With ``path`` the counts live in a
    file that every serving process of the node shares (server.node.rundir), so
    several processes do not multiply the attempts allowed; without it, in this
    process's memory. A restart forgets, which is fine for a window of minutes.
    CLOCK_MONOTONIC is one clock for all processes of the machine. On a hub
    (``in_database``) they live in the database, which every app host behind the
    proxy shares, timed by the wall clock (one clock for every host).
    """

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        path: Path | None = None,
        in_database: bool = False,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self.path = path
        #: On a hub the counts live in the database, which every app host shares (0015).
        self.in_database = in_database
        self._memory: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._known_path = path.with_name(path.stem + "-known.json") if path else None
        #: file -> (its version when read, its entries): see _read
        self._read_cache: dict[Path, tuple[tuple[int, ...], dict[str, list[float]]]] = {}

    @contextlib.contextmanager
    def _failures(self, change: bool, keys: tuple[str, ...]) -> Iterator[dict[str, list[float]]]:
        """The failures still in the window, by key; saved afterwards when ``change``.

        ``keys``: the keys the caller reads or changes (the database is asked for these only).
        """
        if self.in_database:
            with shared_failures(keys, change, self._clock(), self._span) as failures:
                yield failures
            return
        now = self._clock()
        if not self.path:
            with self._lock:
                failures = self._kept(self._memory, now)
                yield failures
                if change:
                    self._memory = failures
            return
        # Two files: failures (a few minutes' worth: small) and the devices known to have
        # signed in (30 days' worth: a school's every tablet and account, large, changed
        # at most daily per device). A sign-in reads only its own keys from them and
        # rewrites a file only when one of its keys changed: its cost does not grow
        # with the devices the node has seen (it did: 5 ms a sign-in at 500, 21 at 2,000).
        files = {self._file_of(k) for k in keys}
        shared = rundir.locked(self.path) if change else contextlib.nullcontext()
        with self._lock, shared:
            stored = {f: self._read(f) for f in files}
            failures = {}
            for key in keys:
                times = stored[self._file_of(key)].get(key)
                if times and (kept := [t for t in times if now - t < self._span(key)]):
                    failures[key] = kept
            before = {k: list(v) for k, v in failures.items()}
            yield failures
            if change:
                for f, contents in stored.items():
                    changed = [
                        k
                        for k in {*keys, *failures}
                        if self._file_of(k) == f and failures.get(k) != before.get(k)
                    ]
                    if changed:
                        if f == self._known_path:  # read again, not as kept: see _read
                            contents = _entries(rundir.read_json(f, {}))
                        fresh = self._kept(contents, now)  # what expired goes at a write
                        for key in changed:
                            if failures.get(key):
                                fresh[key] = failures[key]
                            else:
                                fresh.pop(key, None)
                        rundir.write_json(f, fresh)

    def _file_of(self, key: str) -> Path:
        """The file a key's times live in: the known devices' or the failures'."""
        assert self.path is not None
        return self._known_path if key.startswith(KNOWN) else self.path

    def _read(self, path: Path) -> dict[str, list[float]]:
        """A file's entries. The known devices' are parsed again only when the file was
        replaced since (rundir.write_json replaces it whole), and are shared: never
        changed. Such a check could miss a replacement within one tick of the file
        system's clock that reused an inode: for the known devices that errs towards
        a device not known yet (the stricter limit), and a write reads the file again;
        the failures, which must never be missed, are read every time (a small file).
        """
        if path != self._known_path:
            return _entries(rundir.read_json(path, {}))
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return {}
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        read = self._read_cache.get(path)
        if read is not None and read[0] == version:
            return read[1]
        contents = _entries(rundir.read_json(path, {}))
        self._read_cache[path] = (version, contents)
        return contents

    def _kept(self, stored: dict[str, list[float]], now: float) -> dict[str, list[float]]:
        """The entries of ``stored`` still within their key's span."""
        return {
            key: kept
            for key, times in stored.items()
            if (kept := [t for t in times if now - t < self._span(key)])
        }

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
        with self._failures(True, tuple(limits)) as failures:  # an exception writes nothing
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
        touched = (*keys, *forget, *((KNOWN + known,) if known else ()))
        with self._failures(True, touched) as failures:
            if known:
                seen = failures.get(KNOWN + known)
                if not seen or self._clock() - seen[-1] > KNOWN_REFRESH_S:
                    failures[KNOWN + known] = [self._clock()]
            for key in keys:
                times = failures.get(key, [])
                if reservation in times:
                    times.remove(reservation)
                if not times:
                    failures.pop(key, None)
            for key in forget:
                failures.pop(key, None)

    def checked(
        self,
        limits: dict[str, int],
        account: tuple[str, int],
        device: str,
        check: Callable[[], bool],
    ) -> bool:
        """Run a cheap ``check`` (True: signed in) under the limit's lock; say its result.

        For a check that takes microseconds (a picture password's digest): it runs while
        the lock that ``attempt`` takes is held, so parallel guesses queue one behind the
        other and each sees the failures of those before it, across processes, with no
        reservation to write and give back. ``limits`` (key -> failures allowed) hold
        always; ``account`` (key, failures allowed) holds unless ``device`` signed in
        within ``KNOWN_DEVICE_S``. A failure is recorded against every key held; a
        success forgets ``device``'s failures and remembers the device (renewed at most
        daily), so a known device's success with no failures writes nothing at all. A
        check that raises writes nothing (not a guess).
        """
        known = KNOWN + device
        with self._failures(True, (*limits, account[0], known)) as failures:
            now = self._clock()
            seen = failures.get(known)
            held = limits if seen else {**limits, account[0]: account[1]}
            for key, limit in held.items():
                times = failures.get(key, [])
                if len(times) >= limit:
                    raise self._wait(times, now)
            result = check()
            if result:
                failures.pop(device, None)
                if not seen or now - seen[-1] > KNOWN_REFRESH_S:
                    failures[known] = [now]
            else:
                for key in held:
                    failures.setdefault(key, []).append(now)
        return result

    def known(self, key: str) -> bool:
        """Say whether ``key`` signed in within ``KNOWN_DEVICE_S``."""
        with self._failures(False, (KNOWN + key,)) as failures:
            return KNOWN + key in failures

    def check(self, *keys: str, limit_factor: int = 1) -> None:
        """Raise TooManyAttempts when any key has used up its failures."""
        with self._failures(False, keys) as failures:
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
        with self._failures(True, keys) as failures:
            now = self._clock()
            for key in keys:
                failures.setdefault(key, []).append(now)

    def succeed(self, key: str) -> None:
        """Forget the failures of an account once it signs in."""
        if (self.path or self.in_database) and key not in self._snapshot(key):
            return  # the common case: nothing to forget, so no lock and no write
        with self._failures(True, (key,)) as failures:
            failures.pop(key, None)

    def _snapshot(self, key: str) -> dict[str, list[float]]:
        with self._failures(False, (key,)) as failures:
            return failures


def _entries(value: object) -> dict[str, list[float]]:
    """A file's entries, or none if it holds something else."""
    return value if isinstance(value, dict) else {}


@contextlib.contextmanager
def shared_failures(
    keys: tuple[str, ...], change: bool, now: float, span: Callable[[str], float]
) -> Iterator[dict[str, list[float]]]:
    """The failures of ``keys`` kept in the database (a hub's app hosts share them).

    A change holds the keys' locks for its transaction: on PostgreSQL a
    transaction-scoped advisory lock per key (taken in one order, so two hosts
    never deadlock), on SQLite the write lock. So of N parallel attempts on any
    hosts, at most the limit get past, as with the node's file.
    """
    wanted = sorted(set(keys))
    transaction = write_transaction() if change else db.atomic()
    with transaction:
        if change and not is_sqlite():
            for key in wanted:
                db.execute_sql("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_SPACE, key))
        failures: dict[str, list[float]] = {}
        if wanted:
            rows = SignInFailure.select(SignInFailure.key, SignInFailure.at).where(
                SignInFailure.key.in_(wanted)
            )
            for key, at in rows.tuples():
                if now - at < span(key):
                    failures.setdefault(key, []).append(at)
        for times in failures.values():
            times.sort()
        yield failures
        if change and wanted:
            SignInFailure.delete().where(SignInFailure.key.in_(wanted)).execute()
            fresh = [{"key": key, "at": at} for key in wanted for at in failures.get(key, ())]
            if fresh:
                SignInFailure.insert_many(fresh).execute()
