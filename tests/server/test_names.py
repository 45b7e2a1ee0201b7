"""Interned names: partition and origin stored as local codes, text everywhere else."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database, SqliteDatabase

from server import db as database
from server.db import names, write_transaction
from server.db.migrate import migrate
from server.models import Answer, LocalNode, RowHistory, School, SyncName
from server.replication.store import NodeStore
from server.services import schools
from sync.engine import BadChunk, apply_chunk

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def conn(empty_app):
    with empty_app.app_context(), database.db.connection_context():
        yield


def _cached() -> dict[str, int]:
    return dict(names._codes().code_of)


def _answer(partition: str, n: int = 0) -> Answer:
    return Answer(
        partition=partition, person_id="kid", activity_id="a", item_id="i", response=n,
        correct=True, device_ms=n, received_ms=n,
    )  # fmt: skip


def test_rows_store_codes_and_queries_keep_text(conn):
    school = schools.create_school("S")
    partition = f"school:{school.id}"
    _answer(partition).save(force_insert=True)
    raw = database.db.execute_sql("SELECT partition, origin FROM answer").fetchall()
    assert all(type(v) is int for row in raw for v in row)
    node_id = LocalNode.get().node_id
    found = Answer.get(Answer.partition == partition, Answer.origin == node_id)
    assert (found.partition, found.origin) == (partition, node_id)
    assert Answer.select().where(Answer.partition.in_([partition, "school:none"])).count() == 1
    assert Answer.select().where(Answer.partition == "school:other").count() == 0
    assert {n.name for n in SyncName.select()} >= {partition, node_id}


def test_a_name_made_in_a_transaction_that_rolls_back_is_not_cached(conn):
    with pytest.raises(RuntimeError), write_transaction():
        doomed = names.code("school:doomed")
        assert "school:doomed" not in _cached()  # not committed yet
        raise RuntimeError("roll back")
    assert "school:doomed" not in _cached()
    assert names.find("school:doomed") is None  # the row went with the transaction
    assert SyncName.select().where(SyncName.name == "school:doomed").count() == 0
    # The next name may take the same number: it must be the other name's, alone.
    other = names.code("school:other")
    assert names.name(other) == "school:other"
    assert doomed not in names._codes().name_of or names._codes().name_of[doomed] != "school:doomed"


def test_a_name_made_in_a_savepoint_rolled_back_is_not_cached(conn):
    """The outer transaction commits; the savepoint that made the name did not."""
    with write_transaction():
        with pytest.raises(RuntimeError), database.db.atomic():
            names.code("school:savepoint")
            raise RuntimeError("roll back the savepoint")
        names.code("school:kept")
    assert "school:savepoint" not in _cached()
    assert names.find("school:savepoint") is None
    assert names.name(_cached()["school:kept"]) == "school:kept"  # committed: cached


def test_a_name_used_in_a_transaction_is_cached_once_committed(conn):
    with write_transaction():
        code = names.code("school:new")
        assert "school:new" not in _cached()
    assert _cached()["school:new"] == code
    assert names.find("school:new") == code


def test_rows_of_a_rolled_back_transaction_leave_no_code_behind(conn):
    school = schools.create_school("S")
    with pytest.raises(RuntimeError), write_transaction():
        _answer("school:gone").save(force_insert=True)
        raise RuntimeError
    _answer(f"school:{school.id}").save(force_insert=True)
    assert [a.partition for a in Answer.select()] == [f"school:{school.id}"]


def test_history_keeps_names_as_text(conn):
    school = schools.create_school("Old")
    school.name = "New"
    school.save()
    kept = RowHistory.get(RowHistory.row_id == school.id)
    assert kept.data["partition"] == f"school:{school.id}"
    assert kept.data["origin"] == LocalNode.get().node_id
    assert kept.partition == f"school:{school.id}"


def test_a_chunk_with_a_malformed_origin_is_refused_whole(conn):
    school = schools.create_school("S")
    partition = f"school:{school.id}"
    store = NodeStore()
    columns = store.columns("answer")
    good = _answer(partition, 1)
    good.origin, good.counter, good.hlc = "peer1", 1, 5
    before = Answer.select().count()
    for origin in (7, None, "x" * 101, "", ["peer1"], {"a": 1}):
        row = {**good.to_record(), "id": f"id-{origin!r}"[:40], "origin": origin}
        chunk = {
            "partition": partition,
            "origins": {"peer1": [0, 1]},
            "tables": {"answer": {"columns": columns, "rows": [[row[c] for c in columns]]}},
        }
        with pytest.raises(BadChunk):
            apply_chunk(store, chunk, {partition})
    assert Answer.select().count() == before
    assert names.find("x" * 101) is None


_RACE = textwrap.dedent(
    """
    import json, random, sys
    sys.path.insert(0, sys.argv[1])
    from peewee import Database, SqliteDatabase, PostgresqlDatabase
    from server import db as database
    from server.db import names
    from server.db import sqlite_pragmas, write_transaction
    url, seed = sys.argv[2], int(sys.argv[3])
    if url.startswith("postgresql"):
        rest, name = url.rsplit("/", 1)
        host, port = rest.rsplit("@", 1)[1].split(":")
        target = PostgresqlDatabase(name, host=host, port=int(port), user="postgres")
    else:
        target = SqliteDatabase(url, pragmas=sqlite_pragmas("NORMAL"))
    database.bind(target)
    wanted = [f"school:{i}" for i in range(40)]
    random.Random(seed).shuffle(wanted)
    got = {}
    with target.connection_context():
        for i, name in enumerate(wanted):
            if i % 3 == 0:
                try:
                    with write_transaction():  # made inside a transaction that rolls back
                        names.code(name + ":doomed")
                        raise RuntimeError
                except RuntimeError:
                    pass
            if i % 2:
                with write_transaction():
                    got[name] = names.code(name)
            else:
                got[name] = names.code(name)
        # What this process cached must be what the table says now.
        cached = dict(names._codes().code_of)
        rows = dict(target.execute_sql("SELECT name, id FROM sync_name").fetchall())
    print(json.dumps({"got": got, "cached": cached, "rows": rows}))
    """
)


def _race(url: str, processes: int = 4) -> None:
    """Several processes make the same names at once: one code each, every cache true."""
    import json

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, str(ROOT), url, str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(processes)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    final: dict[str, int] = {}
    for result in results:  # each read the table at its end: they agree where they overlap
        assert all(final.setdefault(n, code) == code for n, code in result["rows"].items())
    for result in results:
        assert all(final[name] == code for name, code in result["got"].items())
        assert all(result["rows"][name] == code for name, code in result["cached"].items())
    assert sorted(n for n in final if not n.endswith(":doomed")) == sorted(
        f"school:{i}" for i in range(40)
    )
    if not url.startswith("postgresql"):
        # SQLite makes a name in the caller's transaction: rolled back with it.
        assert not any(n.endswith(":doomed") for n in final)
        for result in results:
            assert not any(name.endswith(":doomed") for name in result["cached"])


@contextlib.contextmanager
def _migrated(target: Database) -> Iterator[None]:
    """Bind ``target``, migrate it and keep it connected for the block."""
    database.bind(target)
    with target.connection_context():
        migrate()
        yield


def test_several_processes_on_one_sqlite_file_agree_on_codes(tmp_path):
    path = tmp_path / "shared.db"
    with _migrated(SqliteDatabase(str(path), pragmas={"journal_mode": "wal"})):
        pass
    _race(str(path))


@pytest.mark.postgres
def test_several_processes_on_postgresql_agree_on_codes(postgres):
    with _migrated(postgres.database("names_race")):
        pass
    _race(f"postgresql://postgres@127.0.0.1:{postgres.port}/names_race")


def test_codes_are_per_database(tmp_path):
    """Two databases in one process give the same name their own codes."""
    first, second = SqliteDatabase(str(tmp_path / "1.db")), SqliteDatabase(str(tmp_path / "2.db"))
    for target, padding in ((first, ["school:a", "school:b"]), (second, [])):
        with _migrated(target):
            for name in padding:
                names.code(name)
    database.bind(first)
    with first.connection_context():
        in_first = names.code("school:x")
    database.bind(second)
    with second.connection_context():
        in_second = names.code("school:x")
        assert in_second != in_first
        assert names.name(in_second) == "school:x"
    assert School  # the models module stays importable alongside (no cycle)


@pytest.mark.postgres
def test_postgresql_makes_a_name_apart_from_the_callers_transaction(postgres):
    """The caller's transaction never holds a name's key: the name is committed on its own."""
    target = postgres.database("names_apart")
    with _migrated(target):
        with pytest.raises(RuntimeError), target.atomic():
            made = names.code("school:apart")
            raise RuntimeError("the caller rolls back; the name was committed apart")
        assert names._codes().code_of["school:apart"] == made
        assert names.find("school:apart") == made
        assert names.name(made) == "school:apart"
