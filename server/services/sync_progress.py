"""The syncs running in this process and how far each has got, for the CLI and the web.

In memory on purpose: a sync whose process died is not running, and nothing is
left behind to say otherwise. (A hub with several processes answers for its own.)
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from typing import Any

from ..models.base import utcnow

#: Stages in the order a sync goes through them.
STAGES = ("hello", "pull", "push", "content")


@dataclass
class Running:
    """One sync in progress: the stage it is in, and rows (or files) done of the total."""

    peer_id: int
    direction: str = "hello"
    rows_done: int = 0
    rows_total: int = 0
    pulled: int = 0
    pushed: int = 0
    started_at: datetime.datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """What the API shows."""
        return {
            "direction": self.direction,
            "rows_done": self.rows_done,
            "rows_total": max(self.rows_total, self.rows_done),
            "pulled": self.pulled,
            "pushed": self.pushed,
            "started_at": self.started_at,
        }


class Registry:
    """Thread-safe record of running syncs, by peer id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, Running] = {}

    def begin(self, peer_id: int) -> Running:
        """Record that a sync with this peer starts now."""
        running = Running(peer_id)
        with self._lock:
            self._running[peer_id] = running
        return running

    def update(self, running: Running, stage: str, done: int, total: int) -> None:
        """Move a running sync on (engine stages: hello, pull, push, done; then content)."""
        with self._lock:
            if stage == "done":
                return
            running.direction, running.rows_done, running.rows_total = stage, done, total
            if stage == "pull":
                running.pulled = done
            elif stage == "push":
                running.pushed = done

    def end(self, running: Running) -> None:
        """Forget a finished sync (only this one: a newer sync of the peer stays)."""
        with self._lock:
            if self._running.get(running.peer_id) is running:
                del self._running[running.peer_id]

    def get(self, peer_id: int) -> dict[str, Any] | None:
        """The running sync with this peer, or None."""
        with self._lock:
            running = self._running.get(peer_id)
            return running.as_dict() if running is not None else None


RUNNING = Registry()
