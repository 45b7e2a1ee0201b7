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
from server.api.learning import WORK_SCHEMAS
from server.cli import opened
from server.models import Activity, Item, Peer, Person
from server.services import district, learning, photos, unclaimed
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


def _unclaimed_bodies(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return [r[0] for r in conn.execute("SELECT body FROM unclaimed_work ORDER BY id")]


@pytest.mark.slow
def test_erasure_at_the_hub_blanks_a_nodes_unclaimed_work_under_that_name(tmp_path, monkeypatch):
    """Unclaimed work is never synced, so only the node that holds it can blank it: the
    erasure made at the hub reaches the node by `baobab sync`, which blanks the sitting
    under the erased child's name (words, photo and its bytes) and keeps it for a teacher;
    a piece a tablet hands over afterwards is blanked as it comes."""
    hub = ServedNode(tmp_path / "hub", demo=False)
    hub_cli("init", "--data-dir", str(hub.data_dir))
    _serve_hub(hub, monkeypatch)
    x = tmp_path / "x"
    try:
        baobab("demo", "--data-dir", str(x))
        with opened(str(x)):
            named, carrier = list(
                Person.live().where(Person.role == "student").order_by(Person.id).limit(2)
            )
            school, named_id = named.school_id, named.id
            project = Activity.live().where(Activity.kind == "project").first()
            made = uuid.uuid4().hex
            unclaimed.hold(
                carrier,
                {"id": made, "batch": "sitting-1", "kind": "reflection", "named_id": named_id,
                 "made_ms": 1, "body": {"id": made, "confidence": 2, "text": SECRET,
                                        "device_ms": 1}},
                WORK_SCHEMAS,
            )  # fmt: skip
            meta = {"activity_id": project.id, "device_ms": 2, "batch": "sitting-1",
                    "named_id": named_id, "made_ms": 2}  # fmt: skip
            unclaimed.hold_photo(carrier, uuid.uuid4().hex, meta, PHOTO, "image/png", str(x))
        database.close_all()
        assert _blob(x).exists() and any(SECRET in b for b in _unclaimed_bodies(x))
        code = hub_cli("pair-code", "--any-school", "--data-dir", str(hub.data_dir)).stdout
        baobab("pair", hub.url, code.split()[2], "--hub", "--data-dir", str(x))
        synced = baobab("sync", "--hub", "--data-dir", str(x))
        assert "ok" in synced.stdout, synced.stdout + synced.stderr
    finally:
        hub.stop()

    with opened(str(hub.data_dir)):
        admin = Person.live().where((Person.role == "admin") & (Person.school_id == school)).get()
        district.erase_student(admin, school, named_id, str(hub.data_dir))
    database.close_all()

    _serve_hub(hub, monkeypatch)
    try:
        synced = baobab("sync", "--hub", "--data-dir", str(x))
        assert "ok" in synced.stdout, synced.stdout + synced.stderr
    finally:
        hub.stop()
    bodies = _unclaimed_bodies(x)
    assert len(bodies) == 2 and not any(SECRET in b or SHA in b for b in bodies)
    assert not _blob(x).exists()  # the photo's bytes went too
    with opened(str(x)):
        # A tablet offline all along hands over more work under that name: blanked on arrival.
        late = uuid.uuid4().hex
        held, _ = unclaimed.hold(
            carrier,
            {"id": late, "batch": "sitting-2", "kind": "reflection", "named_id": named_id,
             "made_ms": 3, "body": {"id": late, "confidence": 4, "text": SECRET, "device_ms": 3}},
            WORK_SCHEMAS,
        )  # fmt: skip
        assert held.body["text"] == ""
        teacher = Person.get(Person.username == "teacher")
        sittings = unclaimed.batches(teacher)
    database.close_all()
    assert sorted(s["batch"] for s in sittings) == ["sitting-1", "sitting-2"]
    assert all(s["erased"] for s in sittings)
