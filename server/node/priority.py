"""Waitress's task queue, with a teacher's poll of the live view or heatmap served first.

Waitress hands each connection with a complete request to one queue per process
(``ThreadedTaskDispatcher.add_task``) and its threads take them in arrival order.
While 50 students keep that queue some requests deep, a teacher's poll waited
behind them: its p99 was the queue's (~250 ms), for a view that takes a few
milliseconds to answer (issue 14). A poll the teacher app makes (``GET`` of a class's
``/live`` or ``/heatmap``) goes to the front instead, but only when its session
cookie, by its exact text, is one the app has already authenticated as a teacher's
or an admin's (server.auth.staff_polls): this runs in waitress's loop thread, before
the app has checked anything, so it reads no database and trusts nothing the request
says about itself. A forged, unknown, signed-out or student cookie waits its turn.
The app then authenticates and authorizes the poll as any other request.

Five teachers' polls are a few a second against hundreds of the class's requests,
so serving them first costs the students little and cannot starve them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from waitress.task import ThreadedTaskDispatcher

from ..auth.staff_polls import StaffSessions, staff_sessions
from . import gate

#: The teacher app's polls (client/teacher/live.js, heatmap.js).
POLLED = re.compile(r"/api/v1/classes/[^/]+/(?:live|heatmap)")


def session_cookie(header: str, name: str) -> str | None:
    """The text of cookie ``name`` in a Cookie header, as sent (looked up, never trusted)."""
    for part in header.split(";"):
        key, _, value = part.partition("=")
        if key.strip() == name:
            return value.strip()
    return None


def is_staff_poll(
    staff: StaffSessions | None, cookie_name: str, method: str, path: str | None,
    cookie_header: str | None,
) -> bool:
    """Whether a request is a poll of the teacher app by a session already known as staff."""
    if staff is None or method != "GET" or not POLLED.fullmatch(path or ""):
        return False
    return bool(cookie_header) and staff.holds(session_cookie(cookie_header, cookie_name))


class PriorityDispatcher(ThreadedTaskDispatcher):
    """Waitress's dispatcher, putting a staff session's poll at the head of the queue."""

    def __init__(self, staff: StaffSessions | None, cookie_name: str) -> None:
        super().__init__()
        self.staff, self.cookie_name = staff, cookie_name

    def jumps(self, task: Any) -> bool:
        """Whether the request a channel is queued for is a staff session's poll."""
        requests = getattr(task, "requests", None)  # waitress adds a channel, its requests
        request = requests[0] if requests else None
        if request is None:
            return False
        return is_staff_poll(
            self.staff, self.cookie_name, request.command, request.path,
            request.headers.get("COOKIE"),
        )  # fmt: skip

    def add_task(self, task: Any) -> None:
        """Queue ``task``: a staff session's poll first, anything else last (waitress's)."""
        if not self.jumps(task):
            super().add_task(task)
            return
        with self.lock:
            # Ahead of everything: a few teachers' polls among them go newest first,
            # which a handful of them, each due every few seconds, never notices.
            self.queue.appendleft(task)
            self.queue_cv.notify()


def _cookie_name(app: Any) -> str:
    return getattr(app, "config", {}).get("SESSION_COOKIE_NAME") or "session"


def dispatcher_for(app: Any) -> PriorityDispatcher:
    """The dispatcher of a serving process of ``app`` (its threads not started yet)."""
    return PriorityDispatcher(staff_sessions(app), _cookie_name(app))


def gate_lane_for(app: Any) -> Callable[[dict[str, Any]], int]:
    """How ``app``'s gate (server.node.gate) picks a request's lane: a staff poll first."""
    staff, name = staff_sessions(app), _cookie_name(app)

    def lane(environ: dict[str, Any]) -> int:
        poll = is_staff_poll(
            staff, name, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO"),
            environ.get("HTTP_COOKIE"),
        )  # fmt: skip
        return gate.STAFF_POLL if poll else gate.NORMAL

    return lane
