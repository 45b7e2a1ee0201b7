"""Progress while a sync runs, and status that tells the truth: never done after a failure."""

from __future__ import annotations

import io
import uuid

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.models import Answer, LocalNode, Peer
from server.replication import peers
from server.replication.progress_line import ProgressLine, render
from sync.errors import SyncError
from tests.conftest import BASE_CONFIG
from tests.helpers.nodes import ServedNode


def _answers(partition: str, count: int) -> None:
    Answer.create_many(
        [
            {
                "id": uuid.uuid4().hex,
                "partition": partition,
                "person_id": "kid",
                "activity_id": "a",
                "item_id": "i",
                "response": 1,
                "correct": True,
                "device_ms": 1,
                "received_ms": 2,
            }
            for _ in range(count)
        ]  # fmt: skip
    )


@pytest.mark.slow
def test_progress_is_visible_while_running_and_a_failure_is_never_done(tmp_path):
    hub = ServedNode(tmp_path / "receiver").start()
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path / "sender")})
    prepare(app)
    try:
        with database.db.connection_context():
            peer = peers.pair_with(hub.url, hub.pairing_code(), app.config["DATA_DIR"])
            _answers(f"school:{LocalNode.get().school_id}", 600)
            seen: list[dict] = []

            def watch(stage: str, done: int, total: int) -> None:
                # What GET /api/v1/sync/peers shows at this moment.
                seen.append(
                    peers.peer_status(Peer.get_by_id(peer.id), app.config["DATA_DIR"])["running"]
                )

            result = peers.sync_with(peer, app.config["DATA_DIR"], progress=watch, max_rows=50)
            assert result.pushed_rows >= 600
            pushes = [r for r in seen if r and r["direction"] == "push"]
            assert len(pushes) >= 12  # one report per chunk of 50
            done = [r["rows_done"] for r in pushes]
            assert done == sorted(done) and done[-1] == result.pushed_rows
            assert all(0 <= r["rows_done"] <= r["rows_total"] for r in pushes), pushes
            assert all(r["started_at"] == pushes[0]["started_at"] for r in pushes)
            after = peers.peer_status(Peer.get_by_id(peer.id), app.config["DATA_DIR"])
            assert after["running"] is None and after["last_error"] is None
            succeeded_at = after["last_success_at"]
            assert succeeded_at and after["pending_out"] == 0 and after["pending_in"] == 0

            # The peer goes away mid-way: the sync fails, and the status says so.
            _answers(f"school:{LocalNode.get().school_id}", 300)

            def kill_midway(stage: str, done: int, total: int) -> None:
                if stage == "push" and done >= 100:
                    hub.kill()

            with pytest.raises(SyncError):
                peers.sync_with(peer, app.config["DATA_DIR"], progress=kill_midway, max_rows=50)
            failed = peers.peer_status(Peer.get_by_id(peer.id), app.config["DATA_DIR"])
            assert failed["running"] is None  # not running, and not done either
            assert failed["last_error"] and failed["last_success_at"] == succeeded_at
            assert failed["pending_out"] >= 150  # what is still owed is shown, not hidden
            assert failed["last_pushed"] == result.pushed_rows  # the failed run is not recorded

            # The next sync completes and clears the error.
            hub.start()
            peers.sync_with(peer, app.config["DATA_DIR"])
            healed = peers.peer_status(Peer.get_by_id(peer.id), app.config["DATA_DIR"])
            assert healed["last_error"] is None and healed["pending_out"] == 0
    finally:
        hub.stop()
        database.close_all()


def test_the_cli_bar_on_a_tty_and_plain_lines_otherwise():
    assert render("push", 15, 30, width=10) == "push    [#####.....]  50% 15/30 rows"
    assert render("content", 3, 3, width=4) == "content [####] 100% 3/3 files"
    assert render("pull", 0, 0) == "pull    nothing to do"

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    line = ProgressLine(tty)
    line("hello", 1, 1)
    line("push", 10, 40)
    line("push", 40, 40)
    line.close()
    assert tty.getvalue().count("\r") == 2 and tty.getvalue().endswith("\n")
    assert "100% 40/40 rows" in tty.getvalue()
    plain = io.StringIO()
    line = ProgressLine(plain)
    line("push", 10, 40)
    line("push", 10, 40)  # the same step is not repeated
    line("push", 40, 40)
    line.close()
    assert plain.getvalue() == "  push: 10/40 rows\n  push: 40/40 rows\n"
