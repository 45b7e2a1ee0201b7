"""Queries compiled once and run with new values (server.db.run_compiled)."""

from __future__ import annotations

from server.db import model_from_row, run_compiled
from server.models import Person


def test_a_compiled_query_runs_with_each_call_s_values_and_builds_clean_rows(app, world, db):
    calls = []

    def build(person_id: str, role: str):
        calls.append((person_id, role))
        return Person.select().where((Person.id == person_id) & (Person.role == role))

    teacher = run_compiled("test-person", build, world.teacher, "teacher").fetchall()
    student = run_compiled("test-person", build, world.student, "student").fetchall()
    nobody = run_compiled("test-person", build, world.student, "teacher").fetchall()
    assert len(calls) == 1  # compiled once, with marks, not the values
    assert [r[0] for r in teacher] == [world.teacher]
    assert [r[0] for r in student] == [world.student] and nobody == []

    row = model_from_row(Person, student[0])
    assert row == Person.get_by_id(world.student) and row.role == "student"
    assert not row.is_dirty()  # saving it again writes nothing it did not change
