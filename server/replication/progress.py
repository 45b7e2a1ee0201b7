"""The syncs running on this node and how far each has got, for the CLI and the web.

One small file per running sync in the node's run folder (server.node.rundir), so
that every serving process shows the same syncs: the page that polls may be
answered by another process than the one syncing. A file names the process
that writes it; a sync whose process died is not running, whatever its file
says, and `serve` empties the folder when it starts.

On a hub (``shared``) several app hosts share only the database: a running sync
is a row of ``sync_run`` (0015) that beats while it moves; a row that has not
beaten for ``STALE_S`` belongs to a host that died and is not running.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..db import write_transaction
from ..models import SyncRun
from ..models.base import utcnow
from ..node import rundir

#: Stages in the order a sync goes through them.
STAGES = ("hello", "pull", "push", "content")

#: Rewrite a sync's file at most this often while content files arrive.
WRITE_EVERY_S = 0.2
#: A hub's sync row not moved for this long belongs to a host that died.
STALE_S = 120.0


@dataclass
class Running:
    """One sync in progress: the stage it is in, and rows (or files) done of the total."""

    peer_id: int
    path: Path
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    direction: str = "hello"
    rows_done: int = 0
    rows_total: int = 0
    pulled: int = 0
    pushed: int = 0
    started_at: datetime.datetime = field(default_factory=utcnow)
    written_at: float = 0.0
    shared: bool = False  # a hub: the row in the database, not the file

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

    def save(self, first: bool = False) -> None:
        """Write this sync's file or row (who writes it, and how far it has got)."""
        shown = self.as_dict()
        shown["started_at"] = self.started_at.isoformat()
        if self.shared:
            _save_row(self, shown, first)
        else:
            rundir.write_json(self.path, {"pid": os.getpid(), "token": self.token, **shown})
        self.written_at = time.monotonic()


def _save_row(running: Running, shown: dict[str, Any], first: bool) -> None:
    """The hub's row of a sync: taken over by a new sync, moved on only by its own."""
    fields = {
        SyncRun.token: running.token,
        SyncRun.host: f"{socket.gethostname()}:{os.getpid()}"[:200],
        SyncRun.state: json.dumps(shown),
        SyncRun.beat_at: time.time(),
    }
    with write_transaction():
        if first:
            SyncRun.insert({SyncRun.peer_id: running.peer_id, **fields}).on_conflict(
                conflict_target=[SyncRun.peer_id], update=fields
            ).execute()
        else:
            SyncRun.update(fields).where(
                (SyncRun.peer_id == running.peer_id) & (SyncRun.token == running.token)
            ).execute()


_lock = threading.Lock()  # a sync's updates come from its own thread; this orders begin/end


def _path(data_dir: str, peer_id: int) -> Path:
    return rundir.run_dir(data_dir) / f"sync-{int(peer_id)}.json"


def begin(data_dir: str, peer_id: int, shared: bool = False) -> Running:
    """Record that a sync with this peer starts now (``shared``: in the hub's database)."""
    running = Running(peer_id, _path(data_dir, peer_id), shared=shared)
    with _lock:
        running.save(first=True)
    return running


def update(running: Running, stage: str, done: int, total: int) -> None:
    """Move a running sync on (engine stages: hello, pull, push, done; then content)."""
    if stage == "done":
        return
    moved = stage != running.direction
    running.direction, running.rows_done, running.rows_total = stage, done, total
    if stage == "pull":
        running.pulled = done
    elif stage == "push":
        running.pushed = done
    # Every chunk of rows is shown (a page polling may catch any of them); files of
    # content come many a second, so those are shown a few times a second.
    due = stage != "content" or time.monotonic() - running.written_at >= WRITE_EVERY_S
    if moved or done >= total or due:
        with _lock:
            if running.shared or _owner(running.path) == running.token:
                running.save()  # unless a newer sync of the peer took over


def end(running: Running) -> None:
    """Forget a finished sync (only this one: a newer sync of the peer stays)."""
    if running.shared:
        with write_transaction():
            SyncRun.delete().where(
                (SyncRun.peer_id == running.peer_id) & (SyncRun.token == running.token)
            ).execute()
        return
    with _lock:
        if _owner(running.path) == running.token:
            running.path.unlink(missing_ok=True)


def get(data_dir: str, peer_id: int, shared: bool = False) -> dict[str, Any] | None:
    """The running sync with this peer, or None (``shared``: the hub's, any host's)."""
    if shared:
        row = SyncRun.get_or_none(SyncRun.peer_id == peer_id)
        if row is None or time.time() - row.beat_at > STALE_S:
            return None  # none, or its host died mid-sync
        shown = json.loads(row.state)
        shown["started_at"] = datetime.datetime.fromisoformat(shown["started_at"])
        return shown
    shown = rundir.read_json(_path(data_dir, peer_id))
    if not shown or not rundir.pid_alive(shown.pop("pid")):
        return None
    shown.pop("token")
    shown["started_at"] = datetime.datetime.fromisoformat(shown["started_at"])
    return shown


def _owner(path: Path) -> str | None:
    return (rundir.read_json(path) or {}).get("token")
