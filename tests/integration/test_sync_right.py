"""A paired node keeps its school when it serves; syncs with one peer at once all succeed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers.nodes import ServedNode, baobab


def _one(db_path, sql: str):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.mark.slow
def test_serving_after_pairing_never_seeds_a_demo_school_over_the_nodes_own(tmp_path):
    """Broke: `init`, `pair`, then `serve` (demo on by default) seeded a second demo school
    and switched the node to it: the demo check counted School rows, not the node's school."""
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=True)
    try:
        school = _one(a.data_dir / "baobab.db", "SELECT school_id FROM local_node")
        baobab("init", "--data-dir", str(b.data_dir))
        baobab("pair", a.url, a.pairing_code(), "--data-dir", str(b.data_dir))
        b.start()  # with --demo, before any sync
        b.stop()
        db_path = b.data_dir / "baobab.db"
        assert _one(db_path, "SELECT school_id FROM local_node") == school
        assert _one(db_path, "SELECT count(*) FROM school WHERE name = 'Baobab Demo School'") <= 1
        assert _one(db_path, f"SELECT count(*) FROM school WHERE id != '{school}'") == 0
    finally:
        a.stop()
        b.stop()


@pytest.mark.slow
def test_concurrent_syncs_with_one_peer_are_not_refused_as_replays(tmp_path):
    """Broke: the CLI, the scheduler and "Sync now" raced on the peer's sequence numbers;
    1-5 of 12 concurrent syncs were refused with 409 as replays."""
    a = ServedNode(tmp_path / "a").start()
    b = tmp_path / "b"
    try:
        baobab("init", "--data-dir", str(b))
        baobab("pair", a.url, a.pairing_code(), "--data-dir", str(b))
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", "sync", "--peer", a.url, "--data-dir", str(b)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "BAOBAB_DISCOVERY": "0"},
            )  # fmt: skip
            for _ in range(6)
        ]
        outcomes = [(run.wait(180), *run.communicate()) for run in runs]
        assert [code for code, _out, _err in outcomes] == [0] * 6, outcomes
    finally:
        a.stop()
