"""A home's slow reads kept per process (issue 16 item 2): never served stale.

A student's classes, groups, assignments, profile, goals and teachers' words are kept
while one number (``home_version``, raised by migration 0024's triggers) and the content
version stay the same. Whatever changes those tables (an API edit, another process's
statement, a sync's rows) must be seen by the next home, which must equal the home
loaded the long way.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
import uuid
from pathlib import Path

from server import db as database
from server.models import Feedback, Person
from server.services import home_reads
from server.services.groups import groups_of_student
from server.services.home_reads import Kept
from server.services.learning import teacher_words
from server.services.profiles import profile_of
from server.services.recommendations import assignments_for, home_goals
from sync.stamp import school_partition
from tests.server.test_sync_api import Client, paired  # noqa: F401 (a fixture)

MIGRATIONS = [
    importlib.import_module(f"server.db.migrations.{name}")
    for name in ("0024_home_version", "0025_home_version_groups")
]

#: What home keeps, beside the rest of the payload (ranked from fresh mastery every time).
KEPT_PARTS = ("teacher_words", "accommodations", "groups")


def _home(student, person_id):
    home = student.get(f"/api/v1/people/{person_id}/home?language=en")
    assert home.status_code == 200, home.get_json()
    return home.get_json()


def _comparable(home):
    """The parts of a home that come from what is kept (goals without their progress)."""
    return {
        **{part: home[part] for part in KEPT_PARTS},
        "goals": [{k: v for k, v in g.items() if k != "progress"} for g in home["goals"]],
        "assignments": sorted(a["activity_id"] for a in home["assignments"]),
        "assigned": sorted(r["activity_id"] for r in home["recommendations"] if r["assigned"]),
    }


def _served_and_long_way(student, person_id):
    served = _comparable(_home(student, person_id))
    home_reads._kept.clear()  # the long way: everything read again
    return served, _comparable(_home(student, person_id))


def _versions(app):
    with app.app_context(), database.db.connection_context():
        return database.db.execute_sql(home_reads._VERSIONS).fetchone()


def test_the_migration_and_the_cache_follow_the_same_tables(app, db):
    assert tuple(t for m in MIGRATIONS for t in m.TABLES) == home_reads.TABLES
    names = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for table in home_reads.TABLES:
        for event in ("insert", "update", "delete"):
            assert f"home_version_{table}_{event}" in names


def test_the_kept_reads_touch_only_the_followed_tables(api, app, world):
    """Every table the kept loaders read is one the triggers follow (or content, whose
    version is part of the key): a loader that came to read another would serve stale."""
    teacher = api(world.tokens["teacher"])
    teacher.post("/api/v1/feedback", json={"person_id": world.student, "text": "Well done"})
    teacher.post(f"/api/v1/classes/{world.class_a}/assignments",
                 json={"activity_id": world.activity, "person_id": world.student, "note": "Go"})  # fmt: skip
    teacher.post(f"/api/v1/classes/{world.class_a}/groups",
                 json={"name": "Readers", "member_ids": [world.student, world.other_student]})  # fmt: skip
    api(world.tokens["student"]).post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "short", "kind": "free_text", "text": "Read a story aloud"},
    )
    seen: list[str] = []
    with app.app_context(), database.db.connection_context():
        database.db.connection().set_trace_callback(seen.append)
        person = Person.get_by_id(world.student)
        refs = assignments_for(person)
        profile_of(person), home_goals(person)
        words = teacher_words(person, [a.assignment_id for a in refs])
        groups = groups_of_student(person)
        database.db.connection().set_trace_callback(None)
    assert words and refs  # every branch ran: feedback, notes, their authors
    assert groups and groups[0]["others"]  # and the groups, with their members
    tables = {t for s in seen for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', s)}
    assert tables and tables <= set(home_reads.TABLES) | {"activity_skill"}, tables


def _group_assigned(teacher, world, groups):
    """A group without the student, then an activity assigned to it (with a note)."""
    group = teacher.post(f"/api/v1/classes/{world.class_a}/groups",
                         json={"name": "Readers", "member_ids": [world.other_student]})  # fmt: skip
    assert group.status_code == 201, group.get_json()
    groups.append(group.get_json()["id"])
    return teacher.post(f"/api/v1/classes/{world.class_a}/assignments",
                        json={"activity_id": world.activity, "group_id": groups[0],
                              "note": "For the readers."})  # fmt: skip


def test_home_after_each_edit_is_the_long_ways(api, world):
    student, teacher = api(world.tokens["student"]), api(world.tokens["teacher"])
    admin = api(world.tokens["admin"])
    groups: list[str] = []
    edits = [
        lambda: teacher.post("/api/v1/feedback", json={"person_id": world.student, "text": "Hi"}),
        lambda: teacher.post(f"/api/v1/classes/{world.class_a}/assignments",
                             json={"activity_id": world.activity, "person_id": world.student,
                                   "note": "Count out loud."}),  # fmt: skip
        lambda: teacher.patch(f"/api/v1/people/{world.student}/profile",
                              json={"accommodations": ["read_aloud"]}),  # fmt: skip
        lambda: student.post(f"/api/v1/people/{world.student}/goals",
                             json={"term": "short", "kind": "free_text", "text": "Read"}),  # fmt: skip
        lambda: _group_assigned(teacher, world, groups),
        # Only the group's membership changes: its note reaches the student.
        lambda: teacher.patch(f"/api/v1/groups/{groups[0]}",
                              json={"member_ids": [world.other_student, world.student]}),  # fmt: skip
        # Only the group's name changes (its own table, migration 0025).
        lambda: teacher.patch(f"/api/v1/groups/{groups[0]}", json={"name": "Story readers"}),
        lambda: teacher.delete(f"/api/v1/groups/{groups[0]}"),
        lambda: admin.delete(f"/api/v1/classes/{world.class_a}/enrollments/{world.student}"),
    ]
    before = _comparable(_home(student, world.student))
    for step, edit in enumerate(edits):
        made = edit()
        assert made.status_code in (200, 201, 204), made.get_json()
        served, long_way = _served_and_long_way(student, world.student)
        assert served == long_way
        if edit is not edits[4]:  # an assignment to a group the student is not in
            assert served != before, f"edit {step} shows on the home"
        before = served


def test_every_table_changed_by_another_process_raises_the_version(api, app, world):
    """Another process's statements (a CLI import, an erasure), on its own connection:
    an insert, an update and a delete on each table each move the number."""
    teacher = api(world.tokens["teacher"])
    teacher.post("/api/v1/feedback", json={"person_id": world.student, "text": "Hi"})
    api(world.tokens["student"]).post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "short", "kind": "free_text", "text": "Read"},
    )
    teacher.patch(f"/api/v1/people/{world.student}/profile", json={"interests": ["sea"]})
    teacher.post(f"/api/v1/classes/{world.class_a}/groups",
                 json={"name": "Readers", "member_ids": [world.student]})  # fmt: skip
    teacher.post(f"/api/v1/classes/{world.class_a}/assignments",
                 json={"activity_id": world.activity, "person_id": world.student})  # fmt: skip
    conn = sqlite3.connect(Path(app.config["DATA_DIR"]) / database.SQLITE_FILE_NAME)
    for table in home_reads.TABLES:
        first = f'(SELECT min(rowid) FROM "{table}")'
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[1] != "id"]
        listed = ", ".join(f'"{c}"' for c in columns)
        for statement in (
            f'UPDATE "{table}" SET "counter" = "counter" WHERE rowid = {first}',
            f'INSERT INTO "{table}" ("id", {listed}) SELECT ?, {listed} FROM "{table}" '
            f"WHERE rowid = {first}",
            f'DELETE FROM "{table}" WHERE "id" = ?',
        ):
            before = _versions(app)
            with conn:
                params = (f"copy-{table}",) if "?" in statement else ()
                assert conn.execute(statement, params).rowcount == 1, statement
            assert _versions(app)[0] > before[0], statement
    conn.close()


def test_feedback_arriving_by_sync_reaches_the_kept_home(api, app, world, paired):  # noqa: F811
    """A teacher's comment written on another node of the school arrives as a sync's row."""
    peer, school_id = paired
    student = api(world.tokens["student"])
    assert _home(student, world.student)["teacher_words"] == []  # kept from here on
    columns = [f.column_name for f in Feedback._meta.sorted_fields]
    row = {
        "id": uuid.uuid4().hex, "partition": school_partition(school_id),
        "origin": "peer-node-0001", "counter": 1, "hlc": 1_700_000_000_000 << 16,
        "deleted": False, "person_id": world.student, "author_id": world.teacher,
        "activity_id": None, "attempt_id": None, "text": "From the other room",
        "device_ms": 1, "received_ms": 2,
    }  # fmt: skip
    chunk = {
        "partition": school_partition(school_id),
        "origins": {"peer-node-0001": [0, 1]},
        "tables": {"feedback": {"columns": columns, "rows": [[row[c] for c in columns]]}},
    }
    pushed = peer.send({"type": "push", "chunk": chunk})
    assert pushed.status_code == 200, pushed.data
    served, long_way = _served_and_long_way(student, world.student)
    assert served == long_way
    assert [w["text"] for w in served["teacher_words"]] == ["From the other room"]


def test_without_the_version_row_nothing_is_kept(app, world, db):
    """A database without migration 0024's row has no promise of triggers: load each time."""
    db.execute_sql('DELETE FROM "home_version"')
    loads = []
    for _ in range(2):
        assert Kept().get("key", lambda: loads.append(1) or len(loads)) == len(loads)
    assert loads == [1, 1]


def test_a_value_is_kept_until_the_version_moves(app, world, db):
    loads = []
    first = Kept().get(("k", 1), lambda: loads.append(1) or "one")
    again = Kept().get(("k", 1), lambda: loads.append(1) or "two")
    assert first == again == "one" and loads == [1]
    db.execute_sql('UPDATE "person" SET "counter" = "counter" WHERE "id" = ?', (world.student,))
    assert Kept().get(("k", 1), lambda: loads.append(1) or "three") == "three"


def test_nothing_is_kept_inside_a_transaction(app, world, db):
    """A transaction's own uncommitted bump, rolled back, must not name what it read."""
    loads = []
    with db.atomic() as transaction:
        db.execute_sql('UPDATE "person" SET "counter" = "counter" WHERE "id" = ?', (world.student,))
        assert Kept().get("key", lambda: loads.append(1) or "rolled back") == "rolled back"
        transaction.rollback()
    db.execute_sql('UPDATE "person" SET "counter" = "counter" WHERE "id" = ?', (world.student,))
    assert Kept().get("key", lambda: loads.append(1) or "committed") == "committed"
    assert loads == [1, 1]
