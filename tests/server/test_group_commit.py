"""Group commit: with synchronous FULL (the default), every write is fsynced before its answer."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time

import pytest

from server import create_app
from server import db as database
from server.models import Answer, Person
from server.models.base import reserve_stamps
from server.replication.store import NodeStore
from server.services import rows
from tests.conftest import BASE_CONFIG, Api


class FsyncSpy:
    """Stands in for os.fsync in server.db: records which file and when, slowly if asked."""

    def __init__(self, delay: float = 0.0, gate=None) -> None:
        self.delay = delay
        self.gate = gate  # the fsync does not finish before gate() holds (a slow disk)
        self.calls: list[tuple[str, float, float]] = []  # (path, start, end)
        self.lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        began = time.perf_counter()
        path = os.readlink(f"/proc/self/fd/{fd}")
        time.sleep(self.delay)
        deadline = time.monotonic() + 60
        while self.gate is not None and not self.gate() and time.monotonic() < deadline:
            time.sleep(0.001)
        with self.lock:
            self.calls.append((path, began, time.perf_counter()))


@pytest.fixture
def full_app(template, tmp_path):
    """An app on a copy of the demo school with the default synchronous=FULL."""
    data_dir = tmp_path / "full"
    shutil.copytree(template[0], data_dir)
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(data_dir), "SQLITE_SYNCHRONOUS": "FULL"})
    yield app
    database.close_all()


def test_full_means_normal_connections_plus_a_group_fsync(full_app):
    with full_app.app_context(), database.db.connection_context():
        assert database.group_sync() is not None
        assert database.db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_other_settings_are_sqlites_own(app):
    with app.app_context(), database.db.connection_context():  # tests run with OFF
        assert database.group_sync() is None
        assert database.db.execute_sql("PRAGMA synchronous").fetchone()[0] == 0


def test_a_write_returns_only_after_the_wal_is_fsynced(full_app, world, monkeypatch):
    spy = FsyncSpy()
    monkeypatch.setattr(database.os, "fsync", spy)
    with full_app.app_context(), database.db.connection_context():
        syncer = database.group_sync()
        rows.live_by_id(Person, world.student)
        assert spy.calls == []  # reads fsync nothing
        reserve_stamps(1)  # a write transaction
        assert [path for path, _, _ in spy.calls] == [syncer.wal_path]
        assert syncer.synced == syncer.committed == 1


def test_one_fsync_covers_the_commits_made_while_it_waited(tmp_path, monkeypatch):
    wal = tmp_path / "db-wal"
    wal.write_bytes(b"")
    syncer = database.GroupSync(str(wal))
    # The first fsync lasts until all 20 have committed, however slowly a loaded machine
    # starts their threads: the grouping is then a matter of order, not of timing.
    spy = FsyncSpy(gate=lambda: syncer.committed == 20)
    monkeypatch.setattr(database.os, "fsync", spy)
    done: list[tuple[float, float]] = []  # (committed at, answered at) per writer

    def writer() -> None:
        committed_at = time.perf_counter()  # a commit is made before its ticket is counted
        ticket = syncer.ticket()
        syncer.wait(ticket)
        done.append((committed_at, time.perf_counter()))

    threads = [threading.Thread(target=writer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == 20
    # Grouped: the first fsync covers the commits made before it began, one more all the
    # rest (an fsync per commit, ungrouped, would make 20).
    assert len(spy.calls) <= 2
    for committed_at, answered_at in done:
        # Each writer was answered after an fsync that began after its commit.
        assert any(committed_at <= began and end <= answered_at for _, began, end in spy.calls)


def test_a_missing_wal_counts_as_synced(tmp_path):
    syncer = database.GroupSync(str(tmp_path / "gone-wal"))
    syncer.wait(syncer.ticket())
    assert syncer.synced == 1


def test_writes_outside_write_transaction_are_fsynced_too(tmp_path, monkeypatch):
    spy = FsyncSpy()
    monkeypatch.setattr(database.os, "fsync", spy)
    (tmp_path / "db-wal").write_bytes(b"")
    syncer = database.GroupSync(str(tmp_path / "db-wal"))
    connection = sqlite3.connect(tmp_path / "db")
    connection.execute("CREATE TABLE t (x)")
    syncer.mark(connection)
    syncer.after_writes(connection)
    assert spy.calls == []  # nothing written since the mark
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    syncer.after_writes(connection)
    assert len(spy.calls) == 1
    connection.close()


def test_an_answer_over_the_api_is_on_disk_before_the_response(full_app, world, monkeypatch):
    spy = FsyncSpy()
    monkeypatch.setattr(database.os, "fsync", spy)
    api = Api(full_app.test_client(), world.tokens["student"])
    assert api.get(f"/api/v1/people/{world.student}/home").status_code == 200
    before = len(spy.calls)
    body = {"id": "a" * 32, "item_id": world.item_choice, "response": 0, "device_ms": 1}
    response = api.post("/api/v1/answers", json=body)
    assert response.status_code == 201, response.get_json()
    assert len(spy.calls) == before + 1
    with full_app.app_context(), database.db.connection_context():
        assert Answer.get_by_id("a" * 32).person_id == world.student


def test_rows_leaving_for_a_peer_are_on_disk_first(full_app, monkeypatch):
    spy = FsyncSpy()
    monkeypatch.setattr(database.os, "fsync", spy)
    with full_app.app_context(), database.db.connection_context():
        syncer = database.group_sync()
        syncer.ticket()  # a commit whose writer has not fsynced yet
        store = NodeStore()
        store.vector("district")
        assert syncer.synced == syncer.committed
        assert len(spy.calls) == 1
