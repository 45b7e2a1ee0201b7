"""The session cookies this process has seen authenticate a teacher or an admin.

Waitress serves one queue of requests per process, in arrival order: while 50
students keep it full, a teacher's poll of the live view or the heatmap waits behind
them, and its p99 was the queue's, not the view's (issue 14). The serving process
lets such a poll go first (server.node.priority), but it decides that in waitress's
loop, before the app has authenticated anything, so it must not trust what a
request says about itself: it only looks the request's session cookie up here, by
its exact text. The app adds a cookie only once it has authenticated it as a staff
session (``identify``), and removes it when that cookie's session ends here
(sign-out, "sign out everywhere", a password change, a refused session) or its
holder is no longer staff. A forged, unknown or student cookie is never here.

An entry lasts ``STAFF_TTL_S`` after the app last authenticated it (each poll renews
it): a session ended by another serving process (a hub has several) loses its place
within that time. Being here only ever moves a request up the queue: the app still
authenticates and authorizes it as any other.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

STAFF_TTL_S = 30.0  # a teacher's screens poll every 3–4 s, so a watching session stays
KEPT_SESSIONS = 256  # a school's staff, several devices each; the oldest dropped beyond
STAFF_ROLES = ("teacher", "admin")
EXTENSION = "baobab.staff_sessions"


class StaffSessions:
    """Session cookies (exact text) the app authenticated as staff, each with its person."""

    def __init__(self, ttl_s: float = STAFF_TTL_S, size: int = KEPT_SESSIONS) -> None:
        self.ttl_s, self.size = ttl_s, size
        self._seen: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, cookie: str | None, person: Any) -> None:
        """The app authenticated ``cookie`` as ``person``'s session: keep it while staff."""
        if not cookie:
            return
        if person is None or person.role not in STAFF_ROLES:
            self.forget(cookie)
            return
        with self._lock:
            self._seen[cookie] = (person.id, time.monotonic())
            self._seen.move_to_end(cookie)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)

    def forget(self, cookie: str | None) -> None:
        """The session of ``cookie`` ended (or was refused): it goes first no more."""
        if cookie and cookie in self._seen:
            with self._lock:
                self._seen.pop(cookie, None)

    def forget_person(self, person_id: str) -> None:
        """Every session of a person ended (sign out everywhere, a password change)."""
        with self._lock:
            for cookie in [c for c, (p, _) in self._seen.items() if p == person_id]:
                del self._seen[cookie]

    def holds(self, cookie: str | None) -> bool:
        """Whether ``cookie`` is a staff session the app authenticated lately (no DB)."""
        found = self._seen.get(cookie) if cookie else None  # a dict read: no lock needed
        return found is not None and 0 <= time.monotonic() - found[1] < self.ttl_s


def staff_sessions(app: Any) -> StaffSessions | None:
    """The app's set (made by ``create_app``), or None for an app without one."""
    return getattr(app, "extensions", {}).get(EXTENSION)
