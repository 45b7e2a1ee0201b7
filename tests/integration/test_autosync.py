"""The scheduler syncs paired peers by itself, backs off while they are down, and stops."""

from __future__ import annotations

import time

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.models import Peer
from server.replication import peers
from server.replication.autosync import AutoSync
from tests.conftest import BASE_CONFIG
from tests.helpers.nodes import ServedNode, wait_for


@pytest.mark.slow
def test_autosync_syncs_then_backs_off_then_stops(tmp_path):
    a = ServedNode(tmp_path / "a").start()
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path / "b")})
    prepare(app)
    scheduler = AutoSync(app, interval_s=3600, backoff_base_s=0.2, backoff_cap_s=30, tick_s=0.05)
    try:
        with database.db.connection_context():
            peer = peers.pair_with(a.url, a.pairing_code(), app.config["DATA_DIR"])

        def last_success():
            with database.db.connection_context():
                return Peer.get_by_id(peer.id).last_success_at

        scheduler.start()
        assert wait_for(lambda: last_success() is not None), "no automatic sync"
        # The row is written before the scheduler notes its next regular time: wait for that
        # note too, or it could overwrite the attempt forced below.
        assert wait_for(lambda: (scheduler.next_attempt_in(peer.id) or 0) > 60), "not noted"
        a.stop()
        # Force an attempt now, as discovery would when the peer is seen again.
        with scheduler._lock:
            scheduler._due[peer.id] = time.monotonic()
        assert wait_for(lambda: scheduler.failures(peer.id) >= 3), "did not retry"
        waits = scheduler.next_attempt_in(peer.id)
        assert waits is not None and waits > 0
        with database.db.connection_context():
            assert "cannot reach" in Peer.get_by_id(peer.id).last_error
        a.start()
        assert wait_for(lambda: scheduler.failures(peer.id) == 0, timeout=60), "did not recover"
    finally:
        began = time.monotonic()
        scheduler.stop()
        assert time.monotonic() - began < 5
        a.stop()
        database.close_all()


@pytest.mark.slow
def test_a_sync_someone_else_ran_since_a_failure_is_not_run_again(tmp_path):
    """Regression: the scheduler's retry after a failure ran even when a teacher's "Sync now"
    had just succeeded (or waited for it, then ran again), and the peer's card then showed
    the second, empty sync instead of the one the teacher ran."""
    a = ServedNode(tmp_path / "a").start()
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path / "b")})
    prepare(app)
    scheduler = AutoSync(app, interval_s=3600, backoff_base_s=3600, backoff_cap_s=7200, tick_s=0.05)

    def row():
        with database.db.connection_context():
            return Peer.get_by_id(peer.id)

    def force_attempt():
        with scheduler._lock:
            scheduler._due[peer.id] = time.monotonic()
    try:
        with database.db.connection_context():
            peer = peers.pair_with(a.url, a.pairing_code(), app.config["DATA_DIR"])
        a.stop()
        scheduler.start()
        assert wait_for(lambda: scheduler.failures(peer.id) == 1), "no failed try"
        a.start()
        with database.db.connection_context():
            by_hand = peers.sync_with(peer, app.config["DATA_DIR"])
        assert by_hand.pulled.rows > 0
        mine = row()
        force_attempt()
        assert wait_for(lambda: scheduler.failures(peer.id) == 0), "the retry never came"
        assert wait_for(lambda: (scheduler.next_attempt_in(peer.id) or 0) > 60), "not noted"
        after = row()
        assert (after.last_attempt_at, after.last_pulled) == (mine.last_attempt_at, mine.last_pulled)
        # Our own try is the newest now: the next one forced is a real sync again.
        force_attempt()
        assert wait_for(lambda: row().last_attempt_at > mine.last_attempt_at), "skipped for good"
        assert wait_for(lambda: row().last_success_at > mine.last_success_at)
    finally:
        scheduler.stop()
        a.stop()
        database.close_all()
