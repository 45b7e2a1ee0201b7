"""Several serving processes on one port, so that a node uses all its cores.

One Python process answers on one core at a time (the GIL), and a class of
students signing in and answering at once keeps it busy. `serve` therefore
starts ``WORKERS - 1`` more processes of `baobab serve` that listen on the same
port (SO_REUSEPORT: the kernel hands each new connection to one of them).
The first process also runs the background services (discovery, scheduled
sync); what all processes must agree on lives in the database or in the node's
run folder (server.node.rundir). A worker that dies is started again; a worker dies
with the first process, even on SIGKILL.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)

#: Workers when WORKERS is 0: one per core, but no more than this (memory on a small box).
MAX_AUTO_WORKERS = 4
RESTART_DELAYS_S = (1, 2, 5, 10, 30)  # a worker that keeps dying is restarted ever later
QUIET_S = 300  # after this long without a death, restart at once again
STOP_GRACE_S = 5.0
BIND_WAIT_S = 10.0  # how long `serve` waits for a port still held by a dying run


def worker_count(setting: int) -> int:
    """Serving processes for the WORKERS setting (0: one per core, up to 4)."""
    if setting > 0:
        return setting
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


def listening_socket(
    host: str, port: int, shared: bool = False, wait_s: float = BIND_WAIT_S
) -> socket.socket:
    """A bound TCP socket for waitress (it calls ``listen``).

    ``shared``: the port is shared with the node's other serving processes by
    SO_REUSEPORT, each with a socket of its own, and the kernel spreads new
    connections evenly among them. (One socket shared by all let the process that
    woke first take most of a class's keep-alive connections: 32 of 50 against 18.)
    A plain bind first proves the port free, so a second `serve` on it fails
    rather than joining the group. A port still held is waited for a few seconds:
    after a crash the workers of the previous run die a moment after it
    (PDEATHSIG), and systemd restarts at once.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            sock = _bound(host, port, reuse_port=False)
            break
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
    if not shared:
        return sock
    port = sock.getsockname()[1]
    sock.close()
    return _bound(host, port, reuse_port=True)


def worker_socket(host: str, port: int) -> socket.socket:
    """A worker's own socket on the port its first process holds (SO_REUSEPORT)."""
    return _bound(host, port, reuse_port=True)


def _bound(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def die_with_parent(parent_pid: int) -> None:
    """In a worker: be killed when the process that started us goes, however it goes."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # it went before prctl took effect
        os._exit(1)


class WorkerPool:
    """A background service (start/stop) that keeps ``count`` worker processes running."""

    def __init__(self, command: Sequence[str], count: int) -> None:
        self.command = [
            *command,
            "--worker",
            "--primary-pid",
            str(os.getpid()),
        ]
        self.count = count
        self.processes: list[subprocess.Popen] = []
        self._stopping = threading.Event()
        self._keeper: threading.Thread | None = None

    def start(self) -> None:
        """Start the workers and the thread that keeps them running."""
        self._stopping.clear()
        # The keeper starts the workers itself: a child's death signal follows the
        # thread that started it, and the keeper lives until every worker is stopped.
        self._keeper = threading.Thread(target=self._keep, name="baobab-workers")
        self._keeper.start()

    def stop(self) -> None:
        """Stop every worker (SIGTERM, then SIGKILL after a grace period)."""
        self._stopping.set()
        if self._keeper is not None:
            self._keeper.join(timeout=STOP_GRACE_S + 5)
            self._keeper = None

    def pids(self) -> list[int]:
        """The workers running now."""
        return [p.pid for p in self.processes if p.poll() is None]

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen(self.command)

    def _keep(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]
        deaths, last_death = 0, 0.0
        while not self._stopping.wait(0.5):
            for index, process in enumerate(self.processes):
                code = process.poll()
                if code is None:
                    continue
                if time.monotonic() - last_death > QUIET_S:
                    deaths = 0  # an old death says nothing of this one
                last_death = time.monotonic()
                delay = RESTART_DELAYS_S[min(deaths, len(RESTART_DELAYS_S) - 1)]
                log.warning(
                    "worker %s exited with %s; restarting in %s s", process.pid, code, delay
                )
                deaths += 1
                if self._stopping.wait(delay):
                    break
                self.processes[index] = self._spawn()
        self._stop_all()

    def _stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
