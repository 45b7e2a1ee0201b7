"""Issue 14, item 9: a device restored from a backup keeps every answer, loses none, doubles none.

Node A is backed up; A and its peer B then exchange more work; A dies. Its backup
is restored onto a new device C (a new data directory), where children keep
working; C pairs with B and syncs. Every answer, from before the backup and after,
from A, B and C, must be on both B and C, each exactly once, and C's new answers
must not reuse the counters A handed to B after the backup (they would be hidden:
B's vector already covers them).
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from server.paths import SAMPLE_PACK_DIR
from server.services.demo import DEMO_PICTURES
from tests.helpers.nodes import Browser, ServedNode, baobab, join_and_sync


def _one(db_path, sql: str, *args):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


def _answer(node: ServedNode, student_id: str, item_id: str) -> str:
    """A child signs in on ``node`` and answers once; returns the answer's id."""
    child = Browser(node.url)
    status, body = child.call(
        "POST", "/api/v1/auth/student-login", {"student_id": student_id, "pictures": DEMO_PICTURES}
    )
    assert status == 200, body
    child.csrf = body["csrf_token"]
    answer_id = uuid.uuid4().hex
    status, body = child.call(
        "POST",
        "/api/v1/answers",
        {"id": answer_id, "item_id": item_id, "response": 0, "device_ms": 5},
    )
    assert status in (200, 201), body
    return answer_id


def _answers(data_dir) -> list[str]:
    return [r[0] for r in _one(data_dir / "baobab.db", "SELECT id FROM answer")]


@pytest.mark.slow
def test_restored_device_keeps_every_answer_once_and_never_reuses_old_counters(tmp_path):
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False)
    c = ServedNode(tmp_path / "c", demo=False)
    try:
        db_a = a.data_dir / "baobab.db"
        student = _one(
            db_a, "SELECT id FROM person WHERE role='student' ORDER BY display_name LIMIT 1"
        )[0][0]
        item = _one(db_a, "SELECT id FROM item WHERE type='choice' ORDER BY id LIMIT 1")[0][0]
        before = _answer(a, student, item)
        join_and_sync(b.data_dir, a)  # B joins A's school and takes its rows
        baobab("backup", "--data-dir", str(a.data_dir), str(tmp_path / "a.tar.gz"))
        ((old_id, backup_counter),) = _one(db_a, "SELECT node_id, counter FROM local_node")

        # After the backup: A and B exchange more work, then A dies.
        after_on_a = _answer(a, student, item)
        baobab("sync", "--peer", a.url, "--data-dir", str(b.data_dir))
        (a_counter,) = _one(db_a, "SELECT counter FROM local_node")[0]
        assert a_counter > backup_counter  # B's vector now holds A's counters past the backup
        a.kill()
        # District content comes only from a hub: B imports the pack itself, as A did.
        baobab("import-content", str(SAMPLE_PACK_DIR), "--data-dir", str(b.data_dir))
        b.start()
        on_b = _answer(b, student, item)

        # The backup onto a new device, which keeps working before it syncs.
        restored = baobab("restore", "--data-dir", str(c.data_dir), str(tmp_path / "a.tar.gz"))
        assert "pair again with" in restored.stdout
        (new_id,) = _one(c.data_dir / "baobab.db", "SELECT node_id FROM local_node")[0]
        assert new_id != old_id
        c.start()
        on_c = _answer(c, student, item)
        c.stop()
        origin_of_new = _one(
            c.data_dir / "baobab.db",
            "SELECT n.name FROM answer a JOIN sync_name n ON n.id = a.origin WHERE a.id = ?",
            on_c,
        )
        assert origin_of_new == [(new_id,)]  # stamped with its own id, never the old one's

        baobab("pair", b.url, b.pairing_code(), "--data-dir", str(c.data_dir))
        synced = baobab("sync", "--peer", b.url, "--data-dir", str(c.data_dir))
        assert "ok, pulled" in synced.stdout, synced.stdout
        everything = {before, after_on_a, on_b, on_c}
        for data_dir in (b.data_dir, c.data_dir):
            held = _answers(data_dir)
            assert everything <= set(held), (data_dir.name, everything - set(held))
            assert len(held) == len(set(held)), f"an answer twice on {data_dir.name}"
        assert sorted(_answers(b.data_dir)) == sorted(_answers(c.data_dir))
        # A second sync moves nothing: the vectors agree, nothing is asked for again.
        again = baobab("sync", "--peer", b.url, "--data-dir", str(c.data_dir))
        assert "pulled 0 rows, pushed 0 rows" in again.stdout, again.stdout
    finally:
        a.stop()
        b.stop()
        c.stop()
