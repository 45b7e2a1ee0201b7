"""A class's keep-alive connections spread evenly over a node's serving processes.

The kernel hands each new connection to one of the processes (SO_REUSEPORT) by a
hash of its addresses, and a tablet keeps its connection open all lesson: the split
of the first seconds stays. In `scripts/bench classroom` 50 students split 30/20,
29/21, 32/18, 27/23, 26/24 and 25/25 over two processes. The processes get the same
CPU whatever they hold (the scheduler shares the cores), so a student on the fuller
one waits longer in proportion: 32 against an even 25 is 28% longer.

So each process, every ``INTERVAL_S``, writes how many connections it holds to
``DATA_DIR/run/connections/PID`` and reads the others' counts (of processes still
alive, written lately). One that holds more than an even share closes that many
connections, one per answer it sends ("Connection: close" on an answer with nothing
queued behind it on its connection), until the next count. The browser opens a new
connection at its next request, which the kernel hands to any process: the fuller
one sheds until the split is even. Nothing is lost: a connection closes only after
its answer is complete, as any keep-alive connection may.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from typing import Any

from . import rundir

log = logging.getLogger(__name__)

EXTENSION = "baobab.balance"  # where `serve` keeps the process's balance in the app
INTERVAL_S = 1.0
STALE_S = 5.0  # a count not rewritten for this long is a process gone
FOLDER = "connections"


def share_excess(mine: int, others: list[int]) -> int:
    """How many connections this process holds over an even share of all of them."""
    total = mine + sum(others)
    return max(0, mine - math.ceil(total / (len(others) + 1)))


class ConnectionBalance:
    """A serving process's part in spreading connections (a background service)."""

    def __init__(self, data_dir: str | os.PathLike, interval_s: float = INTERVAL_S) -> None:
        self.folder = rundir.run_dir(data_dir) / FOLDER
        self.interval_s = interval_s
        self.servers: list[Any] = []  # this process's waitress servers (plain and TLS)
        self.closed = 0  # connections closed to balance (for tests and figures)
        self._excess = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._file = self.folder / str(os.getpid())

    def start(self) -> None:
        """Count every ``interval_s`` in a thread of its own."""
        self.folder.mkdir(exist_ok=True)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="baobab-balance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop counting and take this process's count away."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._file.unlink(missing_ok=True)

    def take(self) -> bool:
        """Whether the answer being sent should close its connection (one of the excess)."""
        if not self._excess:  # read without the lock: most answers stop here
            return False
        with self._lock:
            if self._excess <= 0:
                return False
            self._excess -= 1
            self.closed += 1
            return True

    def count_once(self) -> int:
        """Write this process's count, read the others'; set and return the excess."""
        mine = sum(len(server.active_channels) for server in self.servers)
        rundir.write_json(self._file, mine)
        excess = share_excess(mine, self._others())
        with self._lock:
            self._excess = excess
        return excess

    def _others(self) -> list[int]:
        now, counts = time.time(), []
        for path in self.folder.iterdir():
            if path.name == self._file.name or not path.name.isdigit():
                continue
            try:
                fresh = now - path.stat().st_mtime < STALE_S
                count = rundir.read_json(path) if fresh and rundir.pid_alive(int(path.name)) else None
            except OSError:
                count = None
            if isinstance(count, int):
                counts.append(count)
        return counts

    def _run(self) -> None:
        while not self._stopping.wait(self.interval_s):
            try:
                self.count_once()
            except Exception:  # never let a full disk stop the serving process
                log.exception("could not count the connections of the serving processes")


def balance_of(server: Any) -> ConnectionBalance | None:
    """The balance a waitress server's answers take part in, if any."""
    return getattr(server, "baobab_balance", None)


def join(app: Any, server: Any) -> None:
    """Count ``server``'s connections in the app's balance and let its answers shed them."""
    balance = app.extensions.get(EXTENSION)
    if balance is not None:
        balance.servers.append(server)
        server.baobab_balance = balance

