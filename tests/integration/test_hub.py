"""A hub enrols nodes of two schools: each node gets its own school back, the hub holds both,
and shared content flows only from the hub."""

from __future__ import annotations

import sqlite3

import pytest
from peewee import PostgresqlDatabase

from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.nodes import hub_cli as _hub_cli
from tests.helpers.pg import ThrowawayPostgres

# Partitions are stored as each database's codes (server.db.names): read the names.
_PARTITIONS_OF_PEOPLE = (
    "SELECT DISTINCT n.name FROM person JOIN sync_name AS n ON n.id = person.partition"
)


def _people(data_dir, url: str | None = None) -> set[str]:
    if url:
        db = PostgresqlDatabase(
            url.rsplit("/", 1)[1],
            host="127.0.0.1",
            port=int(url.split(":")[2].split("/")[0]),
            user="postgres",
        )
        with db.connection_context():
            return {r[0] for r in db.execute_sql(_PARTITIONS_OF_PEOPLE).fetchall()}
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return {r[0] for r in conn.execute(_PARTITIONS_OF_PEOPLE)}


@pytest.fixture
def hub_database(hub_db_kind, monkeypatch):
    """The hub on SQLite, and on PostgreSQL as in production (pytest --hub-db chooses)."""
    if hub_db_kind == "sqlite":
        yield None
        return
    cluster = ThrowawayPostgres().start()
    url = cluster.create_database("hub")
    monkeypatch.setenv("BAOBAB_DATABASE_URL", url)
    yield url
    cluster.stop()


@pytest.mark.slow
def test_hub_enrols_two_schools_and_keeps_them_apart(tmp_path, monkeypatch, hub_database):
    monkeypatch.setenv("BAOBAB_ROLE", "hub")  # for the served hub process
    hub = ServedNode(tmp_path / "hub", demo=False)
    _hub_cli("init", "--data-dir", str(hub.data_dir), url=hub_database)
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    monkeypatch.delenv("BAOBAB_DATABASE_URL", raising=False)
    x, y = tmp_path / "x", tmp_path / "y"
    try:
        for data_dir in (x, y):
            baobab("demo", "--data-dir", str(data_dir))  # two schools, each with its own id
            code = _hub_cli(
                "pair-code", "--any-school", "--data-dir", str(hub.data_dir), url=hub_database
            ).stdout.split()[2]
            baobab("pair", hub.url, code, "--hub", "--data-dir", str(data_dir))
            baobab("sync", "--hub", "--data-dir", str(data_dir))
        schools = {next(iter(_people(x))), next(iter(_people(y)))}
        assert len(schools) == 2
        assert _people(hub.data_dir, hub_database) == schools  # the hub holds both schools
        baobab("sync", "--hub", "--data-dir", str(x))
        assert len(_people(x)) == 1  # x never receives y's school
        if hub_database is None:
            with sqlite3.connect(hub.data_dir / "baobab.db") as conn:
                district_on_hub = conn.execute("SELECT count(*) FROM activity").fetchone()[0]
            assert district_on_hub == 0  # nodes may not publish shared content to the hub
    finally:
        hub.stop()
