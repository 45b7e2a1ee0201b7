"""Content cached per process, per content version (issue 16 item 2): never served stale.

An answer's item and a home's catalog come from this process's cache while the content
version (one row that triggers on the content tables raise, migration 0023) stays the
same. A change made anywhere, by this process, another one or a sync, must be seen by
the next request.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from peewee import SqliteDatabase

from server import db as database
from server.models import ALL_MODELS, Item
from server.services import catalog


def _answer(client, world, item_id, response):
    body = {"id": uuid.uuid4().hex, "item_id": item_id, "response": response, "device_ms": 1}
    headers = {"Authorization": f"Bearer {world.tokens['student']}"}
    return client.post("/api/v1/answers", json=body, headers=headers)


def _choice_answer_changed_outside(app, item_id: str, key: int) -> None:
    """Another process (a pack import, a sync) changes the item, on its own connection."""
    conn = sqlite3.connect(Path(app.config["DATA_DIR"]) / database.SQLITE_FILE_NAME)
    with conn:
        conn.execute("UPDATE item SET answer = ?, counter = counter + 1000 WHERE id = ?",
                     (str(key), item_id))  # fmt: skip
    conn.close()


def test_a_changed_answer_key_grades_the_next_answer(app, world, db):
    """A stale cached item would grade a child by the old key after the teacher fixed it."""
    item = Item.get_by_id(world.item_choice)
    old, new = item.answer, (item.answer + 1) % len(item.choices)
    client = app.test_client()
    assert _answer(client, world, item.id, old).get_json()["correct"] is True  # cached now
    _choice_answer_changed_outside(app, item.id, new)
    assert _answer(client, world, item.id, old).get_json()["correct"] is False
    assert _answer(client, world, item.id, new).get_json()["correct"] is True


def test_an_item_withdrawn_is_no_longer_answerable(app, world, db):
    item = Item.get_by_id(world.item_choice)
    client = app.test_client()
    assert _answer(client, world, item.id, item.answer).status_code == 201  # cached now
    item.delete_instance()  # a tombstone, as a new pack version without the item writes
    withdrawn = _answer(client, world, item.id, item.answer)
    assert withdrawn.status_code == 404


def test_every_content_change_raises_the_version(app, world, db):
    item = Item.get_by_id(world.item_choice)
    seen = [catalog._version()]
    item.prompt = "What now?"
    item.save()  # an edit
    seen.append(catalog._version())
    Item.delete().where(Item.id == item.id).execute()  # even a hard delete
    seen.append(catalog._version())
    assert len(set(seen)) == 3
    assert catalog._version() == seen[-1]  # nothing changed: the same version


def test_a_database_made_from_the_models_falls_back_to_the_checksum(tmp_path):
    """No triggers (not migrated): no version row, so the tables' checksum decides."""
    database.bind(SqliteDatabase(str(tmp_path / "fresh.db")))
    with database.db.connection_context():
        database.db.create_tables(ALL_MODELS)
        before = catalog._version()
        assert before != ("changes", 0) and before == catalog._checksum()
    database.close_all()


def test_a_teachers_open_activity_never_gives_a_student_the_keys(app, world, db):
    """The activity's detail is kept per version and per audience: staff's keeps the keys."""
    client = app.test_client()
    path = f"/api/v1/activities/{world.activity}"
    teacher = {"Authorization": f"Bearer {world.tokens['teacher']}"}
    student = {"Authorization": f"Bearer {world.tokens['student']}"}
    staff_view = client.get(path, headers=teacher).get_json()
    assert any(i["answer"] is not None for i in staff_view["items"])  # kept now
    child_view = client.get(path, headers=student).get_json()
    assert all(i["answer"] is None and i["tolerance"] is None for i in child_view["items"])


def test_an_opened_activity_shows_its_items_new_version(app, world, db):
    client = app.test_client()
    path = f"/api/v1/activities/{world.activity}"
    student = {"Authorization": f"Bearer {world.tokens['student']}"}
    before = client.get(path, headers=student).get_json()  # kept now
    item = Item.get_by_id(world.item_choice)
    item.prompt = "A new prompt, in the pack's next version"
    item.save()
    after = client.get(path, headers=student).get_json()
    prompts = {i["id"]: i["prompt"] for i in after["items"]}
    assert prompts[item.id] == "A new prompt, in the pack's next version"
    assert {i["id"]: i["prompt"] for i in before["items"]}[item.id] != prompts[item.id]
