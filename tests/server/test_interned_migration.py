"""Migration 0007: a database filled under the text schema keeps every row, syncs, keeps history."""

from __future__ import annotations

import json
from typing import Any

import pytest
from peewee import SqliteDatabase

from server import db as database
from server.db.migrate import migrate, schema_drift
from server.models import Answer, LocalNode, RowHistory, replicated_models
from server.replication.store import NodeStore
from sync.engine import ACCOUNTS
from tests.sync.harness import Node, _Bound, sync

BEFORE = "0006_personalization"
SCHOOL, OLD_NODE, PEER = "school:s1", "nodeOld", "peerX"
HISTORY_DATA = {"id": "row1", "name": "Old name", "partition": SCHOOL, "origin": PEER}


def _value(data_type: str, column: str) -> Any:
    """A value of the column's type that fits its length (PostgreSQL checks it)."""
    kind = data_type.lower()
    if "bool" in kind:
        return False
    if "int" in kind:
        return 7
    if "real" in kind or "double" in kind or "float" in kind:
        return 0.5
    if "time" in kind:
        return "2026-01-01 00:00:00"
    return '"t"'  # valid JSON, for the JSON columns


def _fill_old(db) -> dict[str, list[dict[str, Any]]]:
    """Two rows in every replicated table, names as text; the rows as written."""
    param = db.param
    written: dict[str, list[dict[str, Any]]] = {}
    counter = 0
    stamp = {"partition", "origin", "counter", "hlc", "deleted", "id"}
    existing = set(db.get_tables())  # tables made after 0006 (photo, 0008) are not there yet
    accounts = {m._meta.table_name for m in replicated_models() if m.authority == ACCOUNTS}
    for table in sorted(m._meta.table_name for m in replicated_models()):
        if table not in existing:
            continue
        columns = db.get_columns(table)
        rows = []
        for partition, origin in ((SCHOOL, OLD_NODE), ("district", PEER)):
            if table in accounts and partition != SCHOOL:
                continue  # schools, classes and people live in their school's partition
            counter += 1
            row = {c.name: _value(c.data_type, c.name) for c in columns if c.name not in stamp}
            row.update(
                id=f"{table}-{counter}", partition=partition, origin=origin, counter=counter,
                hlc=1000 + counter, deleted=False,
            )  # fmt: skip
            if partition == SCHOOL:  # a row's school agrees with its partition (invariant 10)
                if table == "school":
                    row["id"] = "s1"
                if "school_id" in row:
                    row["school_id"] = "s1"
                if table in ("activity", "activity_skill", "item", "asset"):
                    # content in a school's partition is that school's own (models.content)
                    row["id"] = f"school.s1:{row['id']}"
                    if "pack_id" in row:
                        row["pack_id"] = "school.s1"
                    if "activity_id" in row:
                        row["activity_id"] = "school.s1:a"
            if table == "row_history":
                row.update(data=json.dumps(HISTORY_DATA), table_name="school", row_id="row1")
                row.update(version_origin=PEER)
            names = list(row)
            db.execute_sql(
                f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
                f"VALUES ({', '.join([param] * len(names))})",
                [row[n] for n in names],
            )
            rows.append(row)
        written[table] = rows
    db.execute_sql(
        "INSERT INTO local_node (node_id, counter, hlc, school_id, created_at) "
        f"VALUES ({param}, {param}, {param}, {param}, {param})",
        (OLD_NODE, counter, 5000, "s1", "2026-01-01 00:00:00"),
    )
    for partition in (SCHOOL, "district"):
        db.execute_sql(
            f"INSERT INTO sync_vector (partition, origin, counter) VALUES ({param}, {param}, "
            f"{param})",
            (partition, PEER, counter),
        )
    return written


def _check_migrated(db, written: dict[str, list[dict[str, Any]]]) -> None:
    """Every row kept, every column as it was; names now codes, read back as names."""
    codes = dict(db.execute_sql("SELECT name, id FROM sync_name").fetchall())
    assert set(codes) == {SCHOOL, "district", OLD_NODE, PEER}
    models = {m._meta.table_name: m for m in replicated_models()}
    for table, rows in written.items():
        assert db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == len(rows)
        for row in rows:
            names = list(row)
            got = db.execute_sql(
                f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{table}" '
                f"WHERE id = {db.param}",
                (row["id"],),
            ).fetchone()
            got = dict(zip(names, got))
            assert got["partition"] == codes[row["partition"]]
            assert got["origin"] == codes[row["origin"]]
            for name in names:
                if name not in ("partition", "origin", "deleted"):
                    assert str(got[name])[:19] == str(row[name])[:19], (table, name)
            model = models[table]
            held = model.select(model.id, model.partition, model.origin).where(
                model.id == row["id"]
            )
            assert [(r.partition, r.origin) for r in held] == [(row["partition"], row["origin"])]
    history = RowHistory.select().where(RowHistory.row_id == "row1")
    assert all(h.data == HISTORY_DATA for h in history) and history.count() == 2
    assert not schema_drift()


def _migrated_from_old(db) -> dict[str, list[dict[str, Any]]]:
    """Bind ``db``, fill it under the old schema, migrate and check it; the rows written."""
    database.bind(db)
    migrate(BEFORE)
    written = _fill_old(db)
    assert "0007_interned_names" in migrate()
    _check_migrated(db, written)
    return written


def test_sqlite_rows_survive_and_sync(tmp_path):
    old = SqliteDatabase(str(tmp_path / "old.db"), pragmas={"journal_mode": "wal"})
    with old.connection_context():
        written = _migrated_from_old(old)
        store = NodeStore()

    class Migrated:
        db, school_id, node_id = old, "s1", OLD_NODE

        def bound(self) -> _Bound:
            return _Bound(old)

    migrated = Migrated()
    migrated.store = store
    fresh = Node("s1", "fresh")
    try:
        old.connect()
        result = sync(fresh, migrated)
        assert result.pulled.inserted == sum(len(r) for r in written.values())
        with fresh.bound():
            for model in (m for m in replicated_models() if m._meta.table_name in written):
                ids = {r["id"] for r in written[model._meta.table_name]}
                held = {(r.id, r.partition, r.origin) for r in model.select()}
                assert {
                    (r["id"], r["partition"], r["origin"]) for r in written[model._meta.table_name]
                } <= held, model
                assert ids <= {h[0] for h in held}
            history = RowHistory.select().where(RowHistory.row_id == "row1")
            assert [h.data for h in history] == [HISTORY_DATA] * 2
            answer = Answer(
                partition=SCHOOL, person_id="kid", activity_id="a", item_id="i", response=1,
                correct=True, device_ms=1, received_ms=2,
            )  # fmt: skip
            answer.save(force_insert=True)
        assert sync(fresh, migrated).pushed_rows == 1
        with migrated.bound():
            back = Answer.get_by_id(answer.id)
            assert (back.partition, back.origin) == (SCHOOL, fresh.node_id)
            raw = old.execute_sql(
                "SELECT partition, origin FROM answer WHERE id = ?", (answer.id,)
            ).fetchone()
            assert all(type(v) is int for v in raw)
            assert LocalNode.get().node_id == OLD_NODE
    finally:
        fresh.close()
        old.close()


@pytest.mark.postgres
def test_postgresql_rows_survive(postgres):
    old = postgres.database("before_0007")
    with old.connection_context():
        _migrated_from_old(old)
        plan = old.execute_sql(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'answer'"
        ).fetchall()
        assert any("(origin, counter)" in p[0] for p in plan)  # the stamp index made again
