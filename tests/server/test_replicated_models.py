"""Replicated rows: global ids, stamps, history of edits, immutable events, tombstones."""

from __future__ import annotations

import pytest

from server import db as database
from server.errors import ImmutableRowError
from server.models import Answer, Goal, LocalNode, Person, RowHistory, School
from server.services import people, schools


@pytest.fixture
def conn(empty_app):
    with empty_app.app_context(), database.db.connection_context():
        yield


def test_every_write_takes_the_next_counter_and_a_later_clock(conn):
    school = schools.create_school("A school")
    first = school.stamp
    school.name = "Renamed"
    school.save()
    node = LocalNode.get()
    assert school.origin == node.node_id
    assert school.counter > first.counter
    assert school.hlc > first.hlc
    assert node.counter >= school.counter


def test_ids_are_made_where_rows_are_born_and_unique(conn):
    school = schools.create_school("A school")
    kids = [people.create_person(school.id, "student", f"Kid {i}") for i in range(50)]
    assert len({p.id for p in kids}) == 50
    assert all(p.partition == f"school:{school.id}" for p in kids)


def test_an_edit_keeps_the_old_version_in_history(conn):
    school = schools.create_school("Old name")
    old_stamp = school.stamp
    school.name = "New name"
    school.save()
    kept = RowHistory.get(RowHistory.row_id == school.id)
    assert kept.data["name"] == "Old name"
    assert (kept.version_origin, kept.version_counter) == (old_stamp.origin, old_stamp.counter)
    assert School.get_by_id(school.id).name == "New name"


def test_events_refuse_edits(conn):
    school = schools.create_school("S")
    kid = people.create_person(school.id, "student", "Kid")
    answer = Answer(
        partition=kid.partition, person_id=kid.id, activity_id="a", item_id="i",
        response=1, correct=True, device_ms=1, received_ms=2,
    )  # fmt: skip
    answer.save(force_insert=True)
    answer.correct = False
    with pytest.raises(ImmutableRowError):
        answer.save()
    assert Answer.get_by_id(answer.id).correct is True


def test_delete_is_a_tombstone_that_keeps_the_row(conn):
    school = schools.create_school("S")
    kid = people.create_person(school.id, "student", "Kid")
    counter_before = kid.counter
    kid.delete_instance()
    row = Person.get_by_id(kid.id)
    assert row.deleted is True
    assert row.counter > counter_before
    assert not Person.live().where(Person.id == kid.id).exists()


def test_create_many_stamps_consecutive_counters(conn):
    school = schools.create_school("S")
    kid = people.create_person(school.id, "student", "Kid")
    Goal.create_many(
        [
            {"partition": kid.partition, "person_id": kid.id, "set_by": kid.id, "term": "short",
             "kind": "free_text", "text": f"goal {i}"}
            for i in range(5)
        ]
    )  # fmt: skip
    counters = sorted(g.counter for g in Goal.select())
    assert counters == list(range(counters[0], counters[0] + 5))
    assert LocalNode.get().counter == counters[-1]


def test_rows_without_partition_are_refused(conn):
    with pytest.raises(ValueError):
        School(name="nowhere").save(force_insert=True)
