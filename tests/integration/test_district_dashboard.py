"""Two schools' nodes sync into a hub: the district dashboard's totals are the sum of what
the nodes hold, each school's admin sees only their school, and a revoked node is refused
and shown as revoked."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from server import db as database
from server.cli import opened
from server.models import Answer, Attempt, Item, Peer, Person
from server.services import district, learning
from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.nodes import hub_cli as _hub_cli


def _reply(item: Item):
    return {"choice": 0, "numeric": 1}.get(item.type, "x")


def _work(data_dir, answers_each: int) -> tuple[str, int, int]:
    """Students of a demo node answer and finish; return its school, answers and attempts."""
    with opened(str(data_dir)):
        students = list(Person.live().where(Person.role == "student").order_by(Person.id))
        items = list(Item.live().order_by(Item.id).limit(answers_each))
        for n, student in enumerate(students):
            for item in items:
                learning.record_answer(
                    student,
                    {
                        "id": uuid.uuid4().hex,
                        "item_id": item.id,
                        "response": _reply(item),
                        "device_ms": 1,
                    },
                )
            if n % 2 == 0:
                learning.record_attempt(
                    student,
                    {
                        "id": uuid.uuid4().hex,
                        "activity_id": items[0].activity_id,
                        "started_ms": 1_000,
                        "ended_ms": 61_000,
                        "completed": True,
                    },
                )
        return students[0].school_id, Answer.select().count(), Attempt.select().count()


def _hub_dashboard(hub_dir, office: str, **level):
    with opened(str(hub_dir)) as app:
        app.config["DISTRICT_SCHOOL"] = office
        admin = Person.live().where((Person.role == "admin") & (Person.school_id == office)).get()
        return district.dashboard(admin, office, **level)


@pytest.mark.slow
def test_dashboard_totals_are_the_sum_of_what_nodes_hold(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOBAB_ROLE", "hub")
    hub = ServedNode(tmp_path / "hub", demo=False)
    _hub_cli("init", "--data-dir", str(hub.data_dir), url=None)
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    x, y = tmp_path / "x", tmp_path / "y"
    held = {}
    try:
        for data_dir, answers in ((x, 3), (y, 5)):
            baobab("demo", "--data-dir", str(data_dir))
            held[data_dir] = _work(data_dir, answers)
            code = _hub_cli("pair-code", "--any-school", "--data-dir", str(hub.data_dir)).stdout
            baobab("pair", hub.url, code.split()[2], "--hub", "--data-dir", str(data_dir))
            baobab("sync", "--hub", "--data-dir", str(data_dir))
        # More work after the first sync: folded on ingest, not counted twice.
        school_x, _, _ = held[x]
        held[x] = _work(x, 2)
        baobab("sync", "--hub", "--data-dir", str(x))
        baobab("sync", "--hub", "--data-dir", str(x))  # nothing new: nothing added
        with opened(str(hub.data_dir)):
            x_peer = Peer.get(Peer.school_id == school_x)
            revoke_id = x_peer.id
    finally:
        hub.stop()
    school_y = held[y][0]
    whole = _hub_dashboard(hub.data_dir, school_x)
    assert whole["level"] == "district"
    assert whole["totals"]["answers"] == held[x][1] + held[y][1]
    assert whole["totals"]["attempts"] == held[x][2] + held[y][2]
    by_school = {c["id"]: c for c in whole["children"]}
    assert by_school[school_x]["answers"] == held[x][1]
    assert by_school[school_y]["answers"] == held[y][1]
    one = _hub_dashboard(hub.data_dir, school_x, school_id=school_y)
    assert one["totals"]["answers"] == held[y][1]
    assert sum(c["answers"] for c in one["children"]) >= held[y][1]  # each class of the school
    # Revoked: the node's next request is refused, and the list says so.
    with opened(str(hub.data_dir)) as app:
        admin = Person.live().where((Person.role == "admin") & (Person.school_id == school_x)).get()
        district.revoke_node(admin, school_x, revoke_id)
        rows = district.list_nodes(admin, school_x, app.config["DATA_DIR"])
        assert {r["school_id"]: r["revoked"] for r in rows} == {school_x: True, school_y: False}
    database.close_all()
    monkeypatch.setenv("BAOBAB_ROLE", "hub")
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    try:
        refused = baobab("sync", "--hub", "--data-dir", str(x), check=False)
        assert refused.returncode != 0
        assert "revoked" in (refused.stdout + refused.stderr)
    finally:
        hub.stop()


def _node_person(data_dir, person_id):
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        person = conn.execute(
            "SELECT display_name, username, erased, deleted FROM person WHERE id = ?", (person_id,)
        ).fetchone()
        kept = conn.execute(
            "SELECT data FROM row_history WHERE table_name IN ('person', 'learner_profile')"
        ).fetchall()
        answers = conn.execute(
            "SELECT count(*) FROM answer WHERE person_id = ?", (person_id,)
        ).fetchone()[0]
    return person, [r[0] for r in kept], answers


@pytest.mark.slow
def test_erasure_on_the_hub_reaches_the_node_and_leaves_anonymous_events(tmp_path, monkeypatch):
    """Erasing a student at the hub blanks them on the node, history included; work stays."""
    monkeypatch.setenv("BAOBAB_ROLE", "hub")
    hub = ServedNode(tmp_path / "hub", demo=False)
    _hub_cli("init", "--data-dir", str(hub.data_dir))
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    x = tmp_path / "x"
    try:
        baobab("demo", "--data-dir", str(x))
        school, answers, _ = _work(x, 2)
        with opened(str(x)):
            student = Person.live().where(Person.role == "student").order_by(Person.id).first()
            old_name, student_id = student.display_name, student.id
            stored = json.dumps(old_name)[1:-1]  # as history keeps it: JSON text
            student.display_name = old_name + " Mensah"  # an edit: a version kept in history
            student.save()
        database.close_all()
        code = _hub_cli("pair-code", "--any-school", "--data-dir", str(hub.data_dir)).stdout
        baobab("pair", hub.url, code.split()[2], "--hub", "--data-dir", str(x))
        baobab("sync", "--hub", "--data-dir", str(x))
        person, kept, held = _node_person(x, student_id)
        assert person[0] == old_name + " Mensah" and any(stored in k for k in kept)
    finally:
        hub.stop()
    with opened(str(hub.data_dir)):
        admin = Person.live().where((Person.role == "admin") & (Person.school_id == school)).get()
        record = district.erase_student(admin, school, student_id)
        assert record["erased"] and record["display_name"] != old_name
        assert record["answers"] == held  # the work stays, anonymous
    database.close_all()
    monkeypatch.setenv("BAOBAB_ROLE", "hub")
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    try:
        baobab("sync", "--hub", "--data-dir", str(x))
    finally:
        hub.stop()
    person, kept, after = _node_person(x, student_id)
    assert person[2] and person[3]  # erased, and a tombstone
    assert old_name not in person[0] and person[1] is None
    # No kept version names them. The name as a JSON string's start: a short name can sit
    # inside one of the random ids history keeps.
    assert not any(f'"{stored}' in k for k in kept)
    assert after == held
    for data_dir in (hub.data_dir,):
        with sqlite3.connect(data_dir / "baobab.db") as conn:
            kept_hub = [r[0] for r in conn.execute("SELECT data FROM row_history")]
        assert not any(f'"{stored}' in k for k in kept_hub)
