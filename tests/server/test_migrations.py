"""Migrations: a migrated database equals one made fresh from today's models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import PostgresqlDatabase, SqliteDatabase

from server import db as database
from server.db.migrate import migrate, pending, schema_drift
from server.models import ALL_MODELS
from server.paths import MIGRATIONS_DIR

ALL_MIGRATIONS = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


def _sqlite_schema(path: Path) -> dict[str, list]:
    """Tables with their columns (name, type, notnull, default, pk) and indexes."""
    conn = sqlite3.connect(path)
    try:
        schema = {}
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migration'"
            )
        ]
        for table in sorted(tables):
            columns = sorted(tuple(r[1:]) for r in conn.execute(f'PRAGMA table_info("{table}")'))
            indexes = sorted(
                (r[2], tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{r[1]}")')))
                for r in conn.execute(f'PRAGMA index_list("{table}")')
            )
            schema[table] = [columns, indexes]
        return schema
    finally:
        conn.close()


def test_migrated_sqlite_equals_fresh(tmp_path):
    migrated, fresh = tmp_path / "migrated.db", tmp_path / "fresh.db"
    database.bind(SqliteDatabase(str(migrated)))
    with database.db.connection_context():
        assert migrate() == ALL_MIGRATIONS
        assert pending() == []
        assert not schema_drift()
        assert migrate() == []  # a second run applies nothing
    database.bind(SqliteDatabase(str(fresh)))
    with database.db.connection_context():
        database.db.create_tables(ALL_MODELS)
    assert _sqlite_schema(migrated) == _sqlite_schema(fresh)


def test_check_reports_a_model_without_migration(tmp_path):
    """Adding a field without a migration must show up as drift."""
    database.bind(SqliteDatabase(str(tmp_path / "m.db")))
    with database.db.connection_context():
        migrate()
        database.db.execute_sql('ALTER TABLE "school" DROP COLUMN "code"')
        assert schema_drift()


@pytest.mark.postgres
def test_migrated_postgresql_equals_fresh(postgres):
    def columns(db):
        rows = db.execute_sql(
            "SELECT table_name, column_name, data_type, is_nullable, character_maximum_length "
            "FROM information_schema.columns WHERE table_schema='public' "
            "AND table_name != 'schema_migration' ORDER BY 1, 2"
        ).fetchall()
        return rows

    def indexes(db):
        return sorted(db.execute_sql(
            "SELECT tablename, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') "
            "FROM pg_indexes WHERE schemaname='public' AND tablename != 'schema_migration'"
        ).fetchall())  # fmt: skip

    migrated_url = postgres.create_database("migrated")
    fresh_url = postgres.create_database("fresh")
    migrated = PostgresqlDatabase(
        migrated_url.rsplit("/", 1)[1], host="127.0.0.1", port=postgres.port, user="postgres"
    )
    fresh = PostgresqlDatabase(
        fresh_url.rsplit("/", 1)[1], host="127.0.0.1", port=postgres.port, user="postgres"
    )
    database.bind(migrated)
    with database.db.connection_context():
        assert migrate() == ALL_MIGRATIONS
        assert not schema_drift()
        got = columns(migrated), indexes(migrated)
    database.bind(fresh)
    with database.db.connection_context():
        fresh.create_tables(ALL_MODELS)
        want = columns(fresh), indexes(fresh)
    assert got == want


def test_stamp_index_migration_keeps_rows_and_serves_the_sync_query(tmp_path):
    """0005 swaps the replicated tables' stamp index; every row written before survives."""
    path = tmp_path / "old.db"
    database.bind(SqliteDatabase(str(path)))
    with database.db.connection_context():
        migrate("0004_peer_known_vectors")
        database.db.execute_sql(
            "INSERT INTO answer (id, partition, origin, counter, hlc, deleted, person_id,"
            " activity_id, item_id, response, correct, hints_used, device_ms, received_ms)"
            " VALUES ('a1', 'school:s', 'nodeA', 7, 99, 0, 'p1', 'act', 'act:q1', '2', 1, 0,"
            " 1, 2)"
        )
        assert migrate("0005_stamp_index") == ["0005_stamp_index"]
        row = database.db.execute_sql("SELECT id, origin, counter, response FROM answer").fetchall()
        assert row == [("a1", "nodeA", 7, "2")]
        plan = database.db.execute_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM answer WHERE partition = 'school:s'"
            " AND origin = 'nodeA' AND counter > 3 ORDER BY counter"
        ).fetchall()
        assert "answer_origin_counter" in str(plan)
        migrate()
        assert not schema_drift()
