"""Erasing a student reaches what they wrote and photographed on every node sync reaches.

Regression: erasure blanked the person row and profile only; the child's reflections,
written answers, goals, feedback to them and photos (rows and bytes) stayed on every
node, and synced on to new ones. Events are immutable, so each node derives the
scrub from the erased person row it applies, and scrubs rows of that child that
arrive later; the anonymous events (correctness, timing) stay.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from server.api.learning import WORK_SCHEMAS
from server.db.blobs import has_blob, store_blob
from server.models import (
    Answer,
    Feedback,
    Goal,
    Item,
    Person,
    Photo,
    Reflection,
    RowHistory,
    UnclaimedWork,
)
from server.replication.photo_sync import missing_photos, photo_in
from server.services import erasure, people, unclaimed
from tests.helpers.images import png

from .harness import Node, sync

SECRET = "I miss my dog Rex, he lives with my dad now"
PHOTO = png(8, 8, shade=40)
SHA = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture
def school():
    first = Node(name="a")
    nodes = [first, Node(first.school_id, "b"), Node(first.school_id, "c")]
    for node in nodes:  # the district's items, as each node holds them from the hub
        with node.bound():
            for slug, kind in (("written-item", "text"), ("choice-item", "choice")):
                Item(
                    id=slug, partition="district", activity_id="act", slug=slug, position=1,
                    type=kind, prompt="?", answer="b",
                ).save(force_insert=True)  # fmt: skip
    yield nodes
    for node in nodes:
        node.close()


def _work(node: Node, person_id: str, text: str = SECRET) -> None:
    """A child's work on ``node``: a reflection, two answers, a photo, a goal, feedback."""
    partition = f"school:{node.school_id}"
    common = {"partition": partition, "person_id": person_id, "device_ms": 1, "received_ms": 2}
    with node.bound():
        Reflection(id=uuid.uuid4().hex, confidence=3, text=text, **common).save(force_insert=True)
        for item, response in (("written-item", text), ("choice-item", "b")):
            Answer(
                id=uuid.uuid4().hex, activity_id="act", item_id=item, response=response,
                correct=True, duration_ms=4000, **common,
            ).save(force_insert=True)  # fmt: skip
        Photo(
            id=uuid.uuid4().hex, activity_id="act", sha256=SHA, media_type="image/png",
            size=len(PHOTO), **common,
        ).save(force_insert=True)  # fmt: skip
        Feedback(id=uuid.uuid4().hex, author_id="t", text=f"About Rex: {text}", **common).save(
            force_insert=True
        )
        goal = Goal(
            partition=partition, person_id=person_id, set_by=person_id, term="short",
            kind="free_text",
            text=f"Write to {text}",
        )  # fmt: skip
        goal.save(force_insert=True)
        goal.text = f"Write more to {text}"  # an edit: the first words go to history
        goal.save()


def _left(node: Node, person_id: str) -> dict:
    """What ``node`` holds of the child's content."""
    with node.bound():
        return {
            "texts": sorted(
                [r.text for r in Reflection.select().where(Reflection.person_id == person_id)]
                + [f.text for f in Feedback.select().where(Feedback.person_id == person_id)]
                + [g.text for g in Goal.select().where(Goal.person_id == person_id)]
            ),
            "responses": sorted(
                str(a.response) for a in Answer.select().where(Answer.person_id == person_id)
            ),
            "answers": sorted(
                (a.id, a.correct, a.duration_ms)
                for a in Answer.select().where(Answer.person_id == person_id)
            ),
            "live_photos": Photo.live().where(Photo.person_id == person_id).count(),
            "history": [h.table_name for h in RowHistory.select() if SECRET in str(h.data)],
        }


def test_an_erased_childs_words_and_photos_leave_every_node(school, tmp_path):
    a, b, c = school
    with a.bound():
        child = people.create_person(a.school_id, "student", "Ada Kid").id
    _work(a, child)
    sync(b, a)  # b holds everything, bytes too
    store_blob(str(tmp_path / "b"), SHA, PHOTO)
    assert any(SECRET in r for r in _left(b, child)["responses"])
    answers_before = _left(b, child)["answers"]
    late = "Rex came back to visit"
    _work(b, child, late)  # b keeps writing the child's work, not yet told of the erasure

    with a.bound():
        erasure.erase_student(Person.get_by_id(child))
    # a pulls b's late work after its own erasure (scrubbed as it arrives), then pushes
    # the erasure to b, which scrubs what it holds and deletes the photo's bytes.
    sync(a, b)
    with b.bound():
        assert b.store.forget_bytes(str(tmp_path / "b")) == 1
    sync(c, a)  # a node that never held the child's work

    for node in (a, b, c):
        left = _left(node, child)
        assert all(SECRET not in t and late not in t for t in left["texts"]), node.name
        assert all(SECRET not in r and late not in r for r in left["responses"]), node.name
        assert left["live_photos"] == 0, node.name
        assert left["history"] == [], node.name
        # The anonymous events stay: every answer, its correctness and timing.
        assert len(left["answers"]) == 4 and set(answers_before) <= set(left["answers"])
        assert "b" in left["responses"]  # a choice is no one's words: kept
        with node.bound():
            assert missing_photos(str(tmp_path / node.name)) == []  # never fetched again
            assert not photo_in(SHA)  # nor given to a peer that asks
    assert not has_blob(str(tmp_path / "b"), SHA)


def test_scrub_keeps_stamps_so_no_sync_brings_the_words_back(school):
    """The scrub restamps nothing: a node still holding the original sends nothing new."""
    a, b, _ = school
    with a.bound():
        child = people.create_person(a.school_id, "student", "Ada Kid").id
    _work(a, child)
    sync(b, a)
    with a.bound():
        stamps = sorted((r.id, r.counter, r.hlc) for r in Reflection.select())
        erasure.erase_student(Person.get_by_id(child))
        assert sorted((r.id, r.counter, r.hlc) for r in Reflection.select()) == stamps
    result = sync(a, b)  # a pulls from b, which still holds the words
    assert result.pulled.rows == 0
    left = _left(a, child)
    assert all(SECRET not in t for t in left["texts"])


def test_forget_bytes_keeps_bytes_a_live_photo_still_uses(school, tmp_path):
    a, _, _ = school
    data_dir = str(tmp_path / "a")
    store_blob(data_dir, SHA, PHOTO)
    with a.bound():
        child = people.create_person(a.school_id, "student", "Ada Kid").id
        friend = people.create_person(a.school_id, "student", "Bea Kid").id
    _work(a, child)
    _work(a, friend)  # the same picture, uploaded by a friend too
    with a.bound():
        erasure.erase_student(Person.get_by_id(child), data_dir)
        assert has_blob(data_dir, SHA) and photo_in(SHA)  # the friend's photo still shows
        erasure.erase_student(Person.get_by_id(friend), data_dir)
    assert not has_blob(data_dir, SHA)


def _unclaimed(node: Node, named: str, batch: str, data_dir: str) -> None:
    """A sitting a tablet handed to ``node`` under ``named``'s name (never replicated)."""
    store_blob(data_dir, SHA, PHOTO)
    bodies = {
        "answer": {"item_id": "written-item", "response": SECRET, "device_ms": 1},
        "reflection": {"confidence": 2, "text": SECRET, "device_ms": 1},
        "photo": {"activity_id": "act", "sha256": SHA, "media_type": "image/png"},
    }
    with node.bound():
        for kind, body in bodies.items():
            made = uuid.uuid4().hex
            UnclaimedWork.create(
                id=made, batch=batch, kind=kind, body={**body, "id": made}, named_id=named,
                sent_by="carrier", made_ms=1, received_ms=1,
            )  # fmt: skip


def _unclaimed_left(node: Node) -> list[str]:
    with node.bound():
        return [str(r.body) for r in UnclaimedWork.select()]


def test_unclaimed_work_under_an_erased_childs_name_is_blanked_on_the_node_holding_it(
    school, tmp_path
):
    """Regression: unclaimed work is local to the node a tablet gave it to, not replicated,
    so the scrub of replicated rows never reached it: a sitting under the erased child's
    name kept their written answers, reflection and photo bytes on that node."""
    a, b, _ = school
    b_dir = str(tmp_path / "b")
    with a.bound():
        child = people.create_person(a.school_id, "student", "Ada Kid").id
    sync(b, a)
    _unclaimed(b, child, "sitting-1", b_dir)
    assert any(SECRET in body for body in _unclaimed_left(b))

    with a.bound():
        erasure.erase_student(Person.get_by_id(child))
    sync(b, a)  # the erasure reaches b
    with b.bound():
        assert b.store.forget_bytes(b_dir) == 1
    assert not has_blob(b_dir, SHA)
    left = _unclaimed_left(b)
    assert len(left) == 3 and not any(SECRET in body or SHA in body for body in left)

    # A tablet offline since hands over another sitting under that name: kept, blanked.
    with b.bound():
        carrier = people.create_person(b.school_id, "student", "Bea Kid")
        made = uuid.uuid4().hex
        held, new = unclaimed.hold(
            carrier,
            {
                "id": made,
                "batch": "sitting-2",
                "kind": "reflection",
                "named_id": child,
                "made_ms": 5,
                "body": {"id": made, "confidence": 4, "text": SECRET, "device_ms": 5},
            },  # fmt: skip
            WORK_SCHEMAS,
        )
        assert new and held.body["text"] == "" and held.body["erased"] is True
        teacher = people.create_person(b.school_id, "admin", "Head")
        sittings = unclaimed.batches(teacher)
    # Both sittings are still there for a teacher to place: nothing vanished unseen.
    assert sorted(s["batch"] for s in sittings) == ["sitting-1", "sitting-2"]
    assert all(s["erased"] for s in sittings)
