"""The district hub as it runs in production: two app hosts behind a real nginx (TLS),
one PostgreSQL, nodes of several schools syncing at once (issue 15, items 1, 2 and 4)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from server import create_app
from server import db as database
from tests.helpers import rollup_check
from tests.helpers.hub_hosts import HubCluster, add_answers, node_cli, school_work
from tests.helpers.roster_bundles import district_bundle, folder

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
    hub = HubCluster(tmp_path / "hub", hosts=2)
    try:
        hub.start()
    except BaseException:
        hub.stop()  # a host or nginx that did not start: end what did (and the cluster)
        raise
    yield hub
    hub.stop()


@pytest.mark.slow
@pytest.mark.timeout(1200)  # a dozen CLI processes on a loaded 2-core machine
def test_syncs_complete_through_the_other_host_when_one_dies(cluster, tmp_path):
    """A host killed while four nodes push into it: every sync completes through the other
    host, and the hub holds each node's answers exactly once (nothing lost, nothing doubled)."""
    nodes = [tmp_path / f"node{i}" for i in range(4)]
    partitions = [_enrol(cluster, d, 10_000) for d in nodes]
    env = cluster.node_env()
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "server.cli", "sync", "--hub", "--data-dir", str(d)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
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


def _school_of(data_dir) -> str:
    return _node_rows(data_dir, "SELECT school_id FROM local_node")[0][0]


def _district_roster(tmp_path, x_school: str, y_school: str):
    """A district's OneRoster bundle naming both schools by their ids."""
    files = district_bundle(x_school)
    text = {name: data.decode().replace("org-2", y_school) for name, data in files.items()}
    return folder(text, tmp_path / "district-roster")


@pytest.mark.slow
@pytest.mark.timeout(1200)  # a dozen CLI processes on a loaded 2-core machine
def test_district_end_to_end_each_node_holds_only_its_school(cluster, tmp_path):
    """Nodes of two schools sync through nginx to a hub on PostgreSQL; the hub's district
    roster and fits go down; each node ends with only its own school; a revoked node is
    refused."""
    x, y = tmp_path / "x", tmp_path / "y"
    for data_dir in (x, y):
        _enrol(cluster, data_dir, 300)
        _sync_until_done(cluster, data_dir, tries=1)
    x_school, y_school = _school_of(x), _school_of(y)
    held = {r[0] for r in cluster.query(_PEOPLE_PARTITIONS)}
    assert held == {f"school:{x_school}", f"school:{y_school}"}  # the hub holds both

    imported = cluster.cli("import-roster", str(_district_roster(tmp_path, x_school, y_school)))
    assert x_school in imported.stdout and y_school in imported.stdout
    cluster.cli("fit-mastery", "--min-students", "1")
    for data_dir in (x, y):
        _sync_until_done(cluster, data_dir, tries=1)

    for mine, school, own, others in (
        (x, x_school, {"user-t1", "user-s1"}, {"user-t2", "user-s2"}),
        (y, y_school, {"user-t2", "user-s2"}, {"user-t1", "user-s1"}),
    ):
        assert {r[0] for r in _node_rows(mine, _PEOPLE_PARTITIONS)} == {f"school:{school}"}
        sources = {r[0] for r in _node_rows(mine, "SELECT source_id FROM person")}
        assert own <= sources and not others & sources
        schools = {r[0] for r in _node_rows(mine, "SELECT id FROM school")}
        assert schools == {school}  # never the other school's row either
    hub_fits = cluster.query("SELECT count(*) FROM skill_fit")[0][0]
    for data_dir in (x, y):  # the district's fits reach every school
        assert _node_rows(data_dir, "SELECT count(*) FROM skill_fit")[0][0] == hub_fits

    y_node = _node_rows(y, "SELECT node_id FROM local_node")[0][0]
    cluster.cli("revoke", y_node)
    refused = node_cli(y, cluster.node_env(), "sync", "--hub", check=False)
    assert refused.returncode != 0 and "403" in refused.stdout + refused.stderr
    assert "revoked" in cluster.cli("peers").stdout
    _sync_until_done(cluster, x, tries=1)  # the other school goes on


@pytest.mark.slow
@pytest.mark.timeout(1200)  # a dozen CLI processes on a loaded 2-core machine
def test_rollups_after_concurrent_bulk_ingest_equal_the_events(cluster, tmp_path):
    """Rollups folded on ingest, one multi-row statement per chunk, by two hosts at once:
    three schools' nodes push their classes' work (spread over students, classes, skills
    and days) at the same moment, and every rollup row equals the one recomputed from the
    events the hub holds (nothing counted twice, no student counted twice in a day)."""
    env = cluster.node_env()
    nodes = [tmp_path / f"node{i}" for i in range(3)]
    for n, data_dir in enumerate(nodes):
        node_cli(data_dir, env, "demo")
        school_work(data_dir, 6_000, days=20, seed=n)
        code = cluster.cli("pair-code", "--any-school").stdout.split()[2]
        node_cli(data_dir, env, "pair", cluster.public_url, code, "--hub")
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "server.cli", "sync", "--hub", "--data-dir", str(d)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )  # fmt: skip
        for d in nodes
    ]
    for proc in running:
        proc.communicate(timeout=600)
    for d in nodes:
        _sync_until_done(cluster, d)
    assert cluster.query("SELECT count(*) FROM answer")[0][0] == 3 * 5_400
    app = create_app(
        {"DATA_DIR": str(tmp_path / "check"), "DATABASE_URL": cluster.url, "ROLE": "hub"}
    )
    try:
        with app.app_context(), database.db.connection_context():
            want, have = rollup_check.expected(), rollup_check.held()
    finally:
        database.close_all()
    assert sum(v[1] for k, v in have["rollup_day"].items() if k[1] == "") == 3 * 5_400
    assert rollup_check.differences(want, have) == []
