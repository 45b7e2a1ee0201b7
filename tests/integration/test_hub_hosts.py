"""The district hub as it runs in production: two app hosts behind a real nginx (TLS),
one PostgreSQL, nodes of several schools syncing at once (issue 15, items 1, 2 and 4)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.helpers.hub_hosts import HubCluster, add_answers, node_cli

_PEOPLE_PARTITIONS = (
    "SELECT DISTINCT n.name FROM person JOIN sync_name AS n ON n.id = person.partition"
)
_ANSWERS_BY_PARTITION = (
    "SELECT n.name, count(*), count(DISTINCT answer.id) FROM answer "
    "JOIN sync_name AS n ON n.id = answer.partition GROUP BY n.name"
)


def _node_rows(data_dir, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return conn.execute(sql).fetchall()


def _enrol(cluster: HubCluster, data_dir, answers: int) -> str:
    """A node of a school of its own, with ``answers`` of its students' answers, enrolled."""
    env = cluster.node_env()
    node_cli(data_dir, env, "demo")
    partition = add_answers(data_dir, answers) if answers else ""
    code = cluster.cli("pair-code", "--any-school").stdout.split()[2]
    node_cli(data_dir, env, "pair", cluster.public_url, code, "--hub")
    return partition


def _sync_until_done(cluster: HubCluster, data_dir, tries: int = 6) -> list[str]:
    """`baobab sync --hub` until it succeeds, as the node's scheduler would; the failures."""
    failures = []
    for _ in range(tries):
        done = node_cli(data_dir, cluster.node_env(), "sync", "--hub", check=False)
        if done.returncode == 0:
            return failures
        failures.append(done.stderr.strip()[-300:])
        time.sleep(1)
    raise AssertionError(f"{data_dir.name} never synced: {failures}")


@pytest.fixture
def cluster(tmp_path):
    hub = HubCluster(tmp_path / "hub", hosts=2).start()
    yield hub
    hub.stop()


@pytest.mark.slow
def test_syncs_complete_through_the_other_host_when_one_dies(cluster, tmp_path):
    """A host killed while four nodes push into it: every sync completes through the other
    host, and the hub holds each node's answers exactly once (nothing lost, nothing doubled)."""
    nodes = [tmp_path / f"node{i}" for i in range(4)]
    partitions = [_enrol(cluster, d, 15_000) for d in nodes]
    env = cluster.node_env()
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "server.cli", "sync", "--hub", "--data-dir", str(d)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **env},
        )  # fmt: skip
        for d in nodes
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the syncs are under way: some answers are in
        if cluster.query("SELECT count(*) FROM answer")[0][0] > 0:
            break
        time.sleep(0.05)
    cluster.hosts[0].kill()  # SIGKILL mid-sync: no goodbye
    for proc in running:
        proc.communicate(timeout=600)
    for d in nodes:
        _sync_until_done(cluster, d)  # through the living host
    held = {name: (n, distinct) for name, n, distinct in cluster.query(_ANSWERS_BY_PARTITION)}
    for d, partition in zip(nodes, partitions):
        (mine,) = _node_rows(d, "SELECT count(*) FROM answer")[0]
        assert held[partition] == (mine, mine)
    assert sorted(held) == sorted(partitions)
