"""Erasing a student at the hub takes their reflections and photos off the node and the
hub, bytes included, and no later sync brings them back; their answers stay, anonymous.

Regression: erasure blanked the person's fields only: the child's reflection text and
project photos (rows and bytes) stayed on every node and on the hub, and photo sync
kept fetching and pushing them. Also checked here: each side records the version the
other's signed hello claims (issue 15 item 3).
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from pathlib import Path

import pytest

from server import db as database
from server.cli import opened
from server.models import Activity, Item, Peer, Person
from server.services import district, learning, photos
from server.version import __version__
from tests.helpers.images import png
from tests.helpers.nodes import ServedNode, baobab, hub_cli

SECRET = "I miss my dog Rex, he lives with my dad now"
PHOTO = png(32, 24, shade=77)
SHA = hashlib.sha256(PHOTO).hexdigest()


def _blob(data_dir: Path) -> Path:
    return data_dir / "blobs" / SHA[:2] / SHA


def _held(data_dir, person_id: str) -> dict:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        one = conn.execute
        return {
            "reflections": [
                r[0] for r in one("SELECT text FROM reflection WHERE person_id = ?", (person_id,))
            ],
            "answers": sorted(
                one(
                    "SELECT id, correct, duration_ms FROM answer WHERE person_id = ?", (person_id,)
                ).fetchall()
            ),
            "live_photos": one(
                "SELECT count(*) FROM photo WHERE person_id = ? AND NOT deleted", (person_id,)
            ).fetchone()[0],
            "history": [r[0] for r in one("SELECT data FROM row_history") if SECRET in r[0]],
            "bytes": _blob(data_dir).exists(),
        }


def _serve_hub(hub: ServedNode, monkeypatch) -> None:
    monkeypatch.setenv("BAOBAB_ROLE", "hub")
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")


@pytest.mark.slow
def test_erasure_takes_reflections_and_photos_off_node_and_hub(tmp_path, monkeypatch):
    hub = ServedNode(tmp_path / "hub", demo=False)
    hub_cli("init", "--data-dir", str(hub.data_dir))
    _serve_hub(hub, monkeypatch)
    x = tmp_path / "x"
    try:
        baobab("demo", "--data-dir", str(x))
        with opened(str(x)):
            student = Person.live().where(Person.role == "student").order_by(Person.id).first()
            school, student_id = student.school_id, student.id
            project = Activity.live().where(Activity.kind == "project").first()
            for item in Item.live().where(Item.type == "choice").order_by(Item.id).limit(2):
                learning.record_answer(
                    student,
                    {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer,
                     "duration_ms": 3000, "device_ms": 1},
                )  # fmt: skip
            learning.record_reflection(
                student,
                {"id": uuid.uuid4().hex, "activity_id": project.id, "confidence": 2,
                 "text": SECRET, "device_ms": 1},
            )  # fmt: skip
            photos.record_photo(
                student, uuid.uuid4().hex, {"activity_id": project.id, "device_ms": 5},
                PHOTO, "image/png", str(x),
            )  # fmt: skip
        database.close_all()
        code = hub_cli("pair-code", "--any-school", "--data-dir", str(hub.data_dir)).stdout
        baobab("pair", hub.url, code.split()[2], "--hub", "--data-dir", str(x))
        synced = baobab("sync", "--hub", "--data-dir", str(x))
        assert "ok" in synced.stdout, synced.stdout + synced.stderr
        before = _held(x, student_id)
        on_hub = _held(hub.data_dir, student_id)
        assert on_hub["reflections"] == [SECRET] and on_hub["bytes"]  # the hub held it all
        assert before["live_photos"] == 1 and len(before["answers"]) == 2
    finally:
        hub.stop()

    with opened(str(hub.data_dir)):
        # Each side kept the version the other's signed hello claimed.
        assert Peer.get(Peer.school_id == school).version == __version__
        admin = Person.live().where((Person.role == "admin") & (Person.school_id == school)).get()
        district.erase_student(admin, school, student_id, str(hub.data_dir))
    database.close_all()
    with opened(str(x)):
        assert Peer.get(Peer.role == "hub").version == __version__
    database.close_all()
    erased_hub = _held(hub.data_dir, student_id)
    assert erased_hub["reflections"] == [""] and not erased_hub["bytes"]
    assert erased_hub["live_photos"] == 0 and erased_hub["answers"] == before["answers"]

    _serve_hub(hub, monkeypatch)
    try:
        baobab("sync", "--hub", "--data-dir", str(x))
        after = _held(x, student_id)
        assert after["reflections"] == [""] and after["history"] == []
        assert after["live_photos"] == 0 and not after["bytes"]  # row and bytes gone
        assert after["answers"] == before["answers"]  # correctness and timing stay
        baobab("sync", "--hub", "--data-dir", str(x))
        assert not _held(x, student_id)["bytes"]  # never fetched again
        # A copy of the bytes comes back on the node (an old backup): never sent again.
        _blob(x).parent.mkdir(parents=True, exist_ok=True)
        _blob(x).write_bytes(PHOTO)
        baobab("sync", "--hub", "--data-dir", str(x))
    finally:
        hub.stop()
    final = _held(hub.data_dir, student_id)
    assert not final["bytes"] and final["reflections"] == [""] and final["history"] == []
    assert final["answers"] == before["answers"]
