"""Background sync: with paired peers seen alive on the LAN, and with the hub when reachable.

Every paired peer is tried on a schedule; a failure backs off exponentially with
jitter (a hub behind a link that comes and goes is retried soon at first, then
less often), a success schedules the next regular sync. So does a success that
someone else had with the peer since the scheduler's last try ("Sync now", the CLI):
the scheduler does not sync again after it. Discovery can call
``peer_alive`` to sync a peer at once and to follow it to a new address.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from flask import Flask

from sync.backoff import next_delay
from sync.errors import SyncError

from .. import db as database
from ..errors import BaobabError
from ..models import LocalNode, Peer
from . import peers
from .discovery import Sighting

log = logging.getLogger(__name__)


class AutoSync:
    """A service with ``start()``/``stop()`` that keeps paired peers in sync."""

    def __init__(
        self,
        app: Flask,
        interval_s: float = 300.0,
        backoff_base_s: float = 30.0,
        backoff_cap_s: float = 3600.0,
        tick_s: float = 1.0,
    ) -> None:
        self.app = app
        self.interval_s, self.tick_s = interval_s, tick_s
        self.backoff_base_s, self.backoff_cap_s = backoff_base_s, backoff_cap_s
        self._due: dict[int, float] = {}  # peer id -> monotonic time of next attempt
        self._failures: dict[int, int] = {}
        # peer id -> its Peer.last_success_at as read when our last try with it ended
        self._success_seen: dict[int, datetime.datetime | None] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the scheduler thread."""
        self._stop.clear()
        # Daemon: a sync stuck on a dead link must not hold up shutdown; every
        # chunk is its own transaction, so abandoning one loses nothing.
        self._thread = threading.Thread(target=self._loop, name="baobab-autosync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop; waits up to 4 s for a sync in progress to finish its exchange."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=4)
            self._thread = None

    def next_attempt_in(self, peer_id: int) -> float | None:
        """Seconds until the next attempt with a peer (for status pages and tests)."""
        with self._lock:
            due = self._due.get(peer_id)
        return None if due is None else max(0.0, due - time.monotonic())

    def failures(self, peer_id: int) -> int:
        """Failures in a row with a peer."""
        with self._lock:
            return self._failures.get(peer_id, 0)

    def peer_alive(self, sighting: Sighting) -> None:
        """Discovery saw a paired peer alive: follow its address and sync with it now."""
        with database.db.connection_context():
            me = LocalNode.get()
            if sighting.school_id != me.school_id:
                return
            peer = Peer.get_or_none((Peer.node_id == sighting.node_id) & (Peer.revoked == False))  # noqa: E712
            if peer is None:
                return  # found but not paired: shown to the teacher, never trusted by itself
            if peer.url != sighting.url:
                Peer.update(url=sighting.url).where(Peer.id == peer.id).execute()
        with self._lock:
            if self._failures.get(peer.id, 0) == 0 and self._due.get(peer.id, 0) > time.monotonic():
                return  # in sync recently and healthy: wait for the regular time
            self._due[peer.id] = time.monotonic()

    def _loop(self) -> None:
        while not self._stop.wait(self.tick_s):
            try:
                self._run_due()
            except Exception:  # the scheduler must outlive any one failure
                log.exception("autosync: unexpected error")

    def _note_success_seen(self, peer_id: int) -> None:
        """Remember the peer's last success as it stands after our try: a different one
        at our next try means someone else synced meanwhile (a comparison of values, not
        of times, so a wall clock set back or forward since changes nothing)."""
        with database.db.connection_context():
            row = Peer.get_or_none(Peer.id == peer_id)
        if row is not None:
            self._success_seen[peer_id] = row.last_success_at

    def _run_due(self) -> None:
        with database.db.connection_context():
            candidates = [p for p in peers.list_peers() if not p.revoked and p.url]
        now = time.monotonic()
        for peer in candidates:
            if self._stop.is_set():
                return
            with self._lock:
                due = self._due.setdefault(peer.id, now)
            if due > now:
                continue
            try:
                with database.db.connection_context():
                    result = peers.sync_with(
                        peer,
                        self.app.config["DATA_DIR"],
                        role=self.app.config["ROLE"],
                        unless_succeeded_since=self._success_seen.get(peer.id, peers.ALWAYS),
                    )
            except (SyncError, BaobabError) as exc:
                self._note_success_seen(peer.id)
                with self._lock:
                    failures = self._failures.get(peer.id, 0) + 1
                    self._failures[peer.id] = failures
                    delay = next_delay(failures, self.backoff_base_s, self.backoff_cap_s)
                    self._due[peer.id] = time.monotonic() + delay
                log.info("autosync: %s failed (%s); next try in %.0f s", peer.url, exc, delay)
                continue
            self._note_success_seen(peer.id)
            with self._lock:
                self._failures[peer.id] = 0
                self._due[peer.id] = time.monotonic() + self.interval_s
            if result is None:
                log.info("autosync: %s was synced by someone else since our last try", peer.url)
                continue
            log.info(
                "autosync: %s ok, pulled %d, pushed %d",
                peer.url,
                result.pulled.rows,
                result.pushed_rows,
            )
