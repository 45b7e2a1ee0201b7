"""A hub's ingest of chunks, on SQLite and on PostgreSQL (one array per column there).

On PostgreSQL ``NodeStore`` inserts a chunk's rows of a table as ``INSERT … SELECT *
FROM unnest(arrays) ON CONFLICT (id) DO NOTHING``: these tests hold it to what the
row-by-row path did: a chunk sent twice changes nothing, a held id is merged as an
event is, a row the sender may not author is refused, and every value arrives as sent.
"""

from __future__ import annotations

import uuid

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.models import Answer, Person, RollupContent, RollupMastery, RowHistory
from server.replication.store import NodeStore
from server.services import schools
from sync.engine import ACCOUNTS, EVENTS, BadChunk, Sender, apply_chunk
from tests.conftest import BASE_CONFIG

PEER = "peer-node-0001"
EVENTS_ONLY = Sender(PEER, frozenset({EVENTS}))
TRUSTED = Sender(PEER, frozenset({EVENTS, ACCOUNTS}))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request, tmp_path):
    """A hub's store and one school's partition, on SQLite or PostgreSQL."""
    config = {**BASE_CONFIG, "DATA_DIR": str(tmp_path), "ROLE": "hub"}
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres")
        config["DATABASE_URL"] = cluster.create_database(f"i{uuid.uuid4().hex[:8]}")
    app = create_app(config)
    prepare(app)
    with app.app_context(), database.db.connection_context():
        school = schools.create_school("Hill")
        yield NodeStore(role="hub"), f"school:{school.id}", school.id, request.param
    database.close_all()


def _answers(store: NodeStore, partition: str, count: int, first: int = 1, **values) -> dict:
    columns = store.columns("answer")
    rows = []
    for n in range(first, first + count):
        row = {
            "id": f"answer-{n:05d}", "partition": partition, "origin": PEER, "counter": n,
            "hlc": 1000 + n, "deleted": False, "person_id": "kid-1", "attempt_id": None,
            "activity_id": "act", "item_id": "item", "response": str(n), "correct": n % 2 == 0,
            "hints_used": 0, "duration_ms": None, "device_ms": n, "received_ms": n,
            **values,
        }  # fmt: skip
        rows.append([row[c] for c in columns])
    return {
        "partition": partition,
        "origins": {PEER: [first - 1, first + count - 1]},
        "tables": {"answer": {"columns": columns, "rows": rows}},
    }


def _held() -> list[tuple]:
    return list(
        Answer.select(Answer.id, Answer.counter, Answer.response, Answer.correct)
        .order_by(Answer.id)
        .tuples()
    )


def test_a_resent_chunk_is_not_doubled(hub):
    store, partition, _school, _kind = hub
    chunk = _answers(store, partition, 1200)
    first = apply_chunk(store, chunk, {partition}, EVENTS_ONLY)
    held = _held()
    again = apply_chunk(store, chunk, {partition}, EVENTS_ONLY)
    assert (first.inserted, first.skipped) == (1200, 0)
    assert (again.inserted, again.skipped) == (0, 1200)
    assert _held() == held and len(held) == 1200
    assert store.vector(partition)[PEER] == 1200


def test_a_chunk_overlapping_held_rows_inserts_only_the_new_ones(hub):
    store, partition, _school, _kind = hub
    apply_chunk(store, _answers(store, partition, 10), {partition}, EVENTS_ONLY)
    stats = apply_chunk(store, _answers(store, partition, 20), {partition}, EVENTS_ONLY)
    assert (stats.inserted, stats.skipped) == (10, 10)
    assert Answer.select().count() == 20


def test_an_id_held_with_other_content_is_merged_not_doubled(hub):
    """The same id made twice (a device posted it to two nodes): first-made kept, other in history."""
    store, partition, _school, _kind = hub
    apply_chunk(store, _answers(store, partition, 3), {partition}, EVENTS_ONLY)
    other = _answers(store, partition, 1, first=3, hlc=1, response='"changed"')
    other["origins"] = {"other-node-02": [0, 3]}
    for values in other["tables"]["answer"]["rows"]:
        values[store.columns("answer").index("origin")] = "other-node-02"
    stats = apply_chunk(store, other, {partition}, Sender("other-node-02", frozenset({EVENTS})))
    assert (stats.inserted, stats.id_conflicts) == (0, 1)
    assert Answer.select().count() == 3
    assert Answer.get_by_id("answer-00003").response == "changed"  # the first made (lower clock)
    assert RowHistory.select().where(RowHistory.row_id == "answer-00003").count() == 1


def test_rows_a_peer_may_not_author_are_refused_on_the_bulk_path(hub):
    """A node granted events only cannot slip a person in; a row of another school is refused."""
    store, partition, school, _kind = hub
    columns = store.columns("person")
    person = Person(
        partition=partition, school_id=school, role="admin", display_name="Rogue", origin=PEER,
        counter=1, hlc=5,
    ).to_record()  # fmt: skip
    person["origin"], person["counter"], person["hlc"] = PEER, 1, 5
    chunk = {
        "partition": partition,
        "origins": {PEER: [0, 1]},
        "tables": {"person": {"columns": columns, "rows": [[person[c] for c in columns]]}},
    }
    stats = apply_chunk(store, chunk, {partition}, EVENTS_ONLY)
    assert stats.refused_rows == 1 and stats.inserted == 0
    assert not Person.select().where(Person.display_name == "Rogue").exists()
    assert store.vector(partition).get(PEER, 0) == 0  # asked for again, refused again
    # A person of another school in this partition: refused whatever the sender's grants.
    chunk["tables"]["person"]["rows"] = [[{**person, "school_id": "elsewhere"}[c] for c in columns]]
    stats = apply_chunk(store, chunk, {partition}, TRUSTED)
    assert stats.refused_rows == 1 and stats.inserted == 0
    assert not Person.select().where(Person.display_name == "Rogue").exists()
    # Granted accounts and of this school: inserted (a mutable row, through the same arrays).
    chunk["tables"]["person"]["rows"] = [[person[c] for c in columns]]
    stats = apply_chunk(store, chunk, {partition}, TRUSTED)
    assert stats.refused_rows == 0 and stats.inserted == 1
    assert Person.get(Person.display_name == "Rogue").username is None


AWKWARD = [
    'say "hi"',
    "back\\slash",
    "comma, {brace}",
    "NULL",
    "",
    "  spaced  ",
    "line\nbreak\ttab",
    "é ü 中文 🙂",
    '\\"',
]


def test_every_value_arrives_as_sent(hub):
    """Quotes, backslashes, braces, the word NULL, blanks and non-ASCII: stored as sent."""
    store, partition, _school, _kind = hub
    chunk = _answers(store, partition, len(AWKWARD))
    columns = store.columns("answer")
    at_item, at_attempt = columns.index("item_id"), columns.index("attempt_id")
    for n, values in enumerate(chunk["tables"]["answer"]["rows"]):
        values[at_item] = AWKWARD[n]
        values[at_attempt] = None if n % 2 else f"attempt-{n}"
    assert apply_chunk(store, chunk, {partition}, EVENTS_ONLY).inserted == len(AWKWARD)
    stored = Answer.select(Answer.item_id, Answer.attempt_id, Answer.correct, Answer.duration_ms)
    found = list(stored.order_by(Answer.id).tuples())
    assert [r[0] for r in found] == AWKWARD
    assert [r[1] for r in found] == [None if n % 2 else f"attempt-{n}" for n in range(len(found))]
    assert [r[2] for r in found] == [n % 2 == 0 for n in range(1, len(found) + 1)]
    assert {r[3] for r in found} == {None}


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2]])
def test_a_value_that_is_not_a_scalar_refuses_the_chunk_whole(hub, value):
    store, partition, _school, kind = hub
    chunk = _answers(store, partition, 3)
    at = store.columns("answer").index("item_id")
    chunk["tables"]["answer"]["rows"][1][at] = value
    with pytest.raises(BadChunk if kind == "postgresql" else Exception):
        apply_chunk(store, chunk, {partition}, EVENTS_ONLY)  # SQLite: its driver refuses it
    assert Answer.select().count() == 0
    assert store.vector(partition).get(PEER, 0) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("hub", ["postgresql"], indirect=True)
def test_a_string_too_long_for_its_column_is_refused_not_cut(hub):
    store, partition, _school, _kind = hub
    chunk = _answers(store, partition, 2, item_id="i" * 101)
    with pytest.raises(Exception, match="value too long"):
        apply_chunk(store, chunk, {partition}, EVENTS_ONLY)
    assert Answer.select().count() == 0


def test_a_running_mastery_estimate_is_kept_at_full_precision(hub):
    """Each fold carries the estimate on from what it stored: a 4-byte float drifted (0022)."""
    RollupMastery.create(person_id="kid-1", skill_id="s", p_known=1 / 3, answers=1)
    RollupContent.create(school_id="s", classroom_id="", activity_id="a", minutes=1 / 3)
    assert RollupMastery.get().p_known == 1 / 3
    assert RollupContent.get().minutes == 1 / 3
