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
