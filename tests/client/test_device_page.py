"""The teacher's device page in real Chromium against real nodes (waitress subprocesses).

A teacher signs in on node B, sees node A paired and the truth about the last
automatic sync (failed: A was down), presses "Sync now" once A is back, watches
the progress bar move while 60,000 answers arrive, sees the result; then a
sync that fails says so and never claims to be done.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.models import Answer, LocalNode
from tests.conftest import BASE_CONFIG
from tests.helpers.nodes import ServedNode, join_and_sync

NEW_ANSWERS = 60_000  # six chunks: time for the page's 200 ms polls to catch one under way

# Records every value the page's progress bars take, as the teacher would see them.
WATCH_PROGRESS = """() => {
  window.progressSeen = [];
  const note = () => document.querySelectorAll('.peer progress:not([hidden])').forEach(
    (bar) => bar.hasAttribute('value') && window.progressSeen.push([bar.value, bar.max]));
  new MutationObserver(note).observe(document.body,
    {subtree: true, attributes: true, childList: true, characterData: true});
}"""


def _write_answers(data_dir, count: int) -> None:
    """Answers written on A while it is stopped, as if its students had worked offline."""
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(data_dir)})
    prepare(app)
    with database.db.connection_context():
        partition = f"school:{LocalNode.get().school_id}"
        for start in range(0, count, 5000):
            rows = [
                {"id": uuid.uuid4().hex, "partition": partition, "person_id": "kid",
                 "activity_id": "a", "item_id": "i", "response": i % 4, "correct": i % 3 == 0,
                 "device_ms": 1, "received_ms": 2}
                for i in range(start, min(start + 5000, count))
            ]  # fmt: skip
            Answer.create_many(rows)
    database.close_all()


@pytest.mark.slow
def test_a_teacher_syncs_now_and_sees_progress_and_the_truth(tmp_path, chromium):
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False)
    try:
        join_and_sync(b.data_dir, a)  # B gets A's school, its teacher among it
        a.stop()
        _write_answers(a.data_dir, NEW_ANSWERS)
        b.start()  # A is down: B's scheduler tries it at once, and fails

        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(b.url + "/")
            page.get_by_role("link", name="This device: sync, peers and pairing").click()
            page.get_by_label("Username").fill("teacher")
            page.get_by_label("Password").fill("baobab-teacher")
            page.get_by_role("button", name="Sign in").click()

            card = page.locator(f'.peer:has-text("{a.url}")')
            status = card.locator(".status")
            # The failed automatic sync is shown as failed (the page polls every 5 s).
            status.and_(page.locator('[data-status="failed"]')).wait_for(timeout=20_000)
            assert "Last sync failed" in status.inner_text()
            assert "Device id" in page.locator("#identity").inner_text()
            # The school by its name, not only its id.
            assert "Baobab Demo School (" in page.locator("#identity").inner_text()

            a.start()
            page.evaluate(WATCH_PROGRESS)
            card.get_by_role("button", name="Sync now").click()
            message = page.locator("#sync-message")
            page.wait_for_function(
                "() => document.querySelector('#sync-message').className.includes('ok')",
                timeout=120_000,
            )
            assert f"received {NEW_ANSWERS:,}" in message.inner_text()
            seen = page.evaluate("window.progressSeen")
            moving = [(v, m) for v, m in seen if 0 < v < m]
            assert moving, f"the progress bar never showed a sync under way: {seen[:20]}"
            assert all(v <= m for v, m in seen)
            # The card shows the outcome at its next poll (every 5 s), after the message.
            status.and_(page.locator('[data-status="ok"]')).wait_for(timeout=20_000)
            assert "Synced at" in status.inner_text()
            assert card.locator("progress").is_hidden()
            assert f"received {NEW_ANSWERS:,}" in card.locator(".numbers").inner_text()

            # A goes away again: pressing the button reports the failure, never "done".
            a.stop()
            card.get_by_role("button", name="Sync now").click()
            page.wait_for_function(
                "() => document.querySelector('#sync-message').className.includes('failed')",
                timeout=60_000,
            )
            assert "failed" in message.inner_text() and "Synced with" not in message.inner_text()
            page.wait_for_function(
                "() => document.querySelector('.peer .status').dataset.status === 'failed'"
            )
            assert "Last sync failed" in status.inner_text()

            # Pairing by address: a wrong code is refused with a clear message.
            page.get_by_label("Address").fill(a.url)
            page.get_by_label("Code shown on that device").fill("WRONG-CODE")
            page.get_by_role("button", name="Pair", exact=True).click()
            page.wait_for_function(
                "() => document.querySelector('#pair-message').className.includes('failed')"
            )
            assert "Pairing failed" in page.locator("#pair-message").inner_text()
        finally:
            context.close()
    finally:
        a.stop()
        b.stop()
        database.close_all()


@pytest.mark.slow
def test_a_killed_sync_reads_interrupted_not_ok(tmp_path, chromium):
    """A sync that began after the last success and never ended is not shown as "Synced".

    As the receiving side sees it (a peer it has no address for, so it never starts a
    sync itself): the peer's hello came, and no end was ever heard.
    """
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False, env={"BAOBAB_SYNC_INTERVAL_S": "3600"})
    try:
        join_and_sync(b.data_dir, a)  # a success; then a sync begins and its process dies
        a.stop()
        with sqlite3.connect(b.data_dir / "baobab.db") as conn:
            conn.execute(
                "UPDATE peer SET last_attempt_at = datetime(last_success_at, '+1 minute'), "
                "last_error = NULL, url = NULL"
            )
        b.start()
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(b.url + "/")
            page.get_by_role("link", name="This device: sync, peers and pairing").click()
            page.get_by_label("Username").fill("teacher")
            page.get_by_label("Password").fill("baobab-teacher")
            page.get_by_role("button", name="Sign in").click()
            status = page.locator(".peer .status")
            status.and_(page.locator('[data-status="interrupted"]')).wait_for(timeout=20_000)
            assert "interrupted" in status.inner_text()
            assert "Synced at" not in status.inner_text()
            assert "Last attempt:" in page.locator(".peer .numbers").inner_text()
        finally:
            context.close()
    finally:
        a.stop()
        b.stop()
        database.close_all()
