"""Log rate limits: one misbehaving device must not fill the disk with the node's log.

A flood of connections makes the same few lines over and over (a refused
connection, a failed handshake, waitress's queue warnings): 19 MB in 12 s on a
demo node. `RateLimitFilter` lets each message pattern (logger, level and the
format string, not its arguments) through at most ``per_window`` times per
``window_s`` seconds; the first line let through after that says how many like
it were dropped. A pattern never seen again keeps its count to itself: the
count is reported with the next line of that pattern.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

#: Lines of one pattern per window, and the window, for `baobab serve`.
PER_WINDOW = 20
WINDOW_S = 60.0
MAX_PATTERNS = 2048  # patterns remembered at once; the oldest windows go first


class RateLimitFilter(logging.Filter):
    """Pass at most ``per_window`` records of each message pattern per ``window_s``."""

    def __init__(
        self,
        per_window: int = PER_WINDOW,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.per_window, self.window_s, self.clock = per_window, window_s, clock
        self._lock = threading.Lock()
        # pattern -> [window start, passed in window, suppressed since the last one passed]
        self._seen: dict[tuple[str, int, str], list] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self._lock:
            state = self._seen.get(key)
            if state is None or now - state[0] >= self.window_s:
                suppressed = state[2] if state is not None else 0
                if state is None and len(self._seen) >= MAX_PATTERNS:
                    self._forget_oldest()
                self._seen[key] = [now, 1, 0]
            elif state[1] < self.per_window:
                state[1] += 1
                suppressed, state[2] = state[2], 0
            else:
                state[2] += 1
                return False
        if suppressed:
            record.msg = (
                f"{record.getMessage()} ({suppressed} more like this were not logged: "
                f"at most {self.per_window} per {self.window_s:g} s)"
            )
            record.args = None
        return True

    def _forget_oldest(self) -> None:
        for key, _state in sorted(self._seen.items(), key=lambda kv: kv[1][0])[: MAX_PATTERNS // 4]:
            del self._seen[key]


class QueueDepthLog:
    """Waitress's "Task queue depth" warning, summed up once per window instead of per request.

    Waitress warns each time a request waits for a free thread; a saturated node
    (a class signing in at once) did it for nearly every request, and making those
    records cost about 3% of the node's CPU before the rate limit dropped them.
    This stands in for waitress's ``queue_logger``: it counts, and once per
    ``window_s`` says how often requests waited and how deep the queue got.
    """

    def __init__(
        self,
        logger: logging.Logger | None = None,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger or logging.getLogger("waitress.queue")
        self.window_s, self.clock = window_s, clock
        self.waits, self.deepest = 0, 0
        self.since = clock()

    def warning(self, msg: str, depth: int, *args: object) -> None:
        """Count a request that waited (waitress calls ``warning(msg, depth)``)."""
        # No lock: waitress calls this under its dispatcher's lock.
        self.waits += 1
        self.deepest = max(self.deepest, depth)
        now = self.clock()
        if now - self.since >= self.window_s:
            self.logger.warning(
                "requests waited for a free thread %d times in the last %.0f s "
                "(deepest queue: %d); the node is busier than its threads",
                self.waits,
                now - self.since,
                self.deepest,
            )
            self.waits, self.deepest, self.since = 0, 0, now


def rate_limit_handlers(logger: logging.Logger | None = None) -> RateLimitFilter:
    """Put one shared rate limit on every handler of ``logger`` (the root by default)."""
    limit = RateLimitFilter()
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(limit)
    return limit


__all__ = ["QueueDepthLog", "RateLimitFilter", "rate_limit_handlers"]
