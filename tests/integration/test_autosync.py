"""The scheduler syncs paired peers by itself, backs off while they are down, and stops."""

from __future__ import annotations

import datetime
import time

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.models import Peer
from server.models.base import utcnow
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


class Paired:
    """Node A served, node B (in this process) paired with it, B's scheduler not started:
    hourly syncs and hour-long back-offs, so only what a test forces runs."""

    def __init__(self, tmp_path):
        self.a = ServedNode(tmp_path / "a").start()
        self.app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path / "b")})
        prepare(self.app)
        self.scheduler = AutoSync(
            self.app, interval_s=3600, backoff_base_s=3600, backoff_cap_s=7200, tick_s=0.05
        )
        with database.db.connection_context():
            self.peer = peers.pair_with(
                self.a.url, self.a.pairing_code(), self.app.config["DATA_DIR"]
            )

    def row(self):
        with database.db.connection_context():
            return Peer.get_by_id(self.peer.id)

    def force_attempt(self):
        with self.scheduler._lock:
            self.scheduler._due[self.peer.id] = time.monotonic()

    def close(self):
        self.scheduler.stop()
        self.a.stop()
        database.close_all()


@pytest.fixture
def paired(tmp_path):
    both = Paired(tmp_path)
    yield both
    both.close()


@pytest.mark.slow
def test_a_sync_someone_else_ran_since_a_failure_is_not_run_again(paired):
    """Regression: the scheduler's retry after a failure ran even when a teacher's "Sync now"
    had just succeeded (or waited for it, then ran again), and the peer's card then showed
    the second, empty sync instead of the one the teacher ran."""
    a, app, scheduler, peer, row = paired.a, paired.app, paired.scheduler, paired.peer, paired.row
    a.stop()
    scheduler.start()
    assert wait_for(lambda: scheduler.failures(peer.id) == 1), "no failed try"
    a.start()
    with database.db.connection_context():
        by_hand = peers.sync_with(peer, app.config["DATA_DIR"])
    assert by_hand.pulled.rows > 0
    mine = row()
    paired.force_attempt()
    assert wait_for(lambda: scheduler.failures(peer.id) == 0), "the retry never came"
    assert wait_for(lambda: (scheduler.next_attempt_in(peer.id) or 0) > 60), "not noted"
    after = row()
    assert (after.last_attempt_at, after.last_pulled) == (mine.last_attempt_at, mine.last_pulled)
    # Our own try is the newest now: the next one forced is a real sync again.
    paired.force_attempt()
    assert wait_for(lambda: row().last_attempt_at > mine.last_attempt_at), "skipped for good"
    assert wait_for(lambda: row().last_success_at > mine.last_success_at)


@pytest.mark.slow
def test_a_success_stamped_ahead_of_the_clock_does_not_stop_the_scheduler(paired):
    """Regression: the scheduler skipped its try whenever the peer's last success was
    stamped later than its own last try ended, so one sync run while the box's clock was
    ahead (no clock battery, set right later) stopped every automatic sync with that peer
    until the clock caught up with the stamp: a year, for a clock a year ahead."""
    scheduler, peer, row = paired.scheduler, paired.peer, paired.row

    def tried_and_noted():
        paired.force_attempt()
        assert wait_for(lambda: (scheduler.next_attempt_in(peer.id) or 0) > 60), "no try"

    scheduler.start()
    assert wait_for(lambda: row().last_success_at is not None), "no automatic sync"
    assert wait_for(lambda: (scheduler.next_attempt_in(peer.id) or 0) > 60), "not noted"
    # "Sync now" while the clock was a year ahead, then the clock set right.
    ahead = utcnow() + datetime.timedelta(days=365)
    with database.db.connection_context():
        Peer.update(last_success_at=ahead).where(Peer.id == peer.id).execute()
    before = row().last_attempt_at
    tried_and_noted()  # that sync is someone else's: this try may skip it
    assert row().last_attempt_at == before
    tried_and_noted()  # nobody synced since: this one runs
    assert wait_for(lambda: row().last_attempt_at > before), "skipped for good"
    assert row().last_success_at < ahead
