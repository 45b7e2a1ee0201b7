"""Unclaimed work (issue 13): a tablet's work done under a sign-in the node never checked.

A child signed in offline under another child's name: when the node refuses the
pictures, the tablet hands that work over as unclaimed. It must never land under the
named child by itself; a teacher of that child gives it to the right student."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from server import db as database
from server.models import Activity, Item, Reflection, UnclaimedWork
from tests.helpers.images import png


def _choice_item(app) -> Item:
    with app.app_context(), database.db.connection_context():
        return Item.live().where(Item.type == "choice").order_by(Item.id).first()


def _piece(item: Item, named: str, batch: str = "sitting-a") -> dict:
    made = uuid.uuid4().hex
    body = {"id": made, "item_id": item.id, "response": item.answer, "device_ms": 7}
    return {
        "id": made, "batch": batch, "kind": "answer", "body": body, "named_id": named,
        "made_ms": 7,
    }  # fmt: skip


def _answers(caller, person: str) -> list[str]:
    return [a["id"] for a in caller.get(f"/api/v1/people/{person}/answers").get_json()["items"]]


def test_unchecked_sign_in_work_never_lands_under_the_named_child(app, api, world):
    carrier = api(world.tokens["other_student"])  # the next child to sign in properly
    teacher = api(world.tokens["teacher"])
    piece = _piece(_choice_item(app), world.student)
    assert carrier.post("/api/v1/unclaimed-work", json=piece).status_code == 201
    again = carrier.post("/api/v1/unclaimed-work", json=piece)  # a retry: the same piece
    assert again.status_code == 201 and again.get_json()["state"] == "waiting"
    assert _answers(teacher, world.student) == [] and _answers(teacher, world.other_student) == []

    [sitting] = teacher.get("/api/v1/unclaimed-work").get_json()
    assert sitting["named"]["id"] == world.student and len(sitting["work"]) == 1
    assert world.other_student in {s["id"] for s in sitting["students"]}
    assert api(world.tokens["other_teacher"]).get("/api/v1/unclaimed-work").get_json() == []

    # The teacher says it was the other child's: recorded as theirs, graded by the node.
    given = teacher.post(
        "/api/v1/unclaimed-work/sitting-a/give", json={"student_id": world.other_student}
    )
    assert given.get_json() == {"recorded": 1, "refused": 0}
    assert _answers(teacher, world.other_student) == [piece["id"]]
    assert _answers(teacher, world.student) == []
    assert teacher.get("/api/v1/unclaimed-work").get_json() == []
    gone = teacher.post("/api/v1/unclaimed-work/sitting-a/give", json={"student_id": world.student})
    assert gone.status_code == 404


def test_unclaimed_work_cannot_be_given_outside_the_teachers_class(app, api, world):
    piece = _piece(_choice_item(app), world.student, "sitting-b")
    api(world.tokens["student"]).post("/api/v1/unclaimed-work", json=piece)
    teacher = api(world.tokens["teacher"])
    refused = teacher.post(
        "/api/v1/unclaimed-work/sitting-b/give", json={"student_id": world.student_c}
    )
    assert refused.status_code == 403 and set(refused.get_json()) == {"error"}
    other = api(world.tokens["other_teacher"])
    hidden = other.post("/api/v1/unclaimed-work/sitting-b/discard")
    assert hidden.status_code == 404
    assert teacher.post("/api/v1/unclaimed-work/sitting-b/discard").status_code == 200
    assert teacher.get("/api/v1/unclaimed-work").get_json() == []
    assert _answers(teacher, world.student) == []


def test_unclaimed_work_must_be_work_a_tablet_makes(app, api, world):
    student = api(world.tokens["student"])
    piece = _piece(_choice_item(app), world.student, "sitting-c")
    bad = {**piece, "body": {**piece["body"], "id": uuid.uuid4().hex}}
    assert student.post("/api/v1/unclaimed-work", json=bad).status_code == 422
    shapeless = {**piece, "body": {"id": piece["id"]}}
    assert student.post("/api/v1/unclaimed-work", json=shapeless).status_code == 422
    stranger = {**piece, "named_id": world.teacher}
    assert student.post("/api/v1/unclaimed-work", json=stranger).status_code == 422
    assert student.post("/api/v1/unclaimed-work", json=piece).status_code == 201
    other = {**piece, "batch": "sitting-d"}
    assert student.post("/api/v1/unclaimed-work", json=other).status_code == 409


def test_unclaimed_photo_becomes_the_given_childs_photo(app, api, world):
    with app.app_context(), database.db.connection_context():
        project = Activity.live().where(Activity.kind == "project").first().id
    photo = uuid.uuid4().hex
    query = f"activity_id={project}&device_ms=9&batch=sitting-p&named_id={world.student}&made_ms=9"
    carrier = api(world.tokens["other_student"])
    for _ in range(2):  # a retry is the same photo
        sent = carrier.request(
            "PUT", f"/api/v1/unclaimed-work/photos/{photo}?{query}",
            data=png(), headers={"Content-Type": "image/png"},
        )  # fmt: skip
        assert sent.status_code == 201, sent.get_json()
    teacher = api(world.tokens["teacher"])
    assert teacher.get(f"/api/v1/people/{world.student}/photos").get_json() == []
    [sitting] = teacher.get("/api/v1/unclaimed-work").get_json()
    assert [w["photo"] for w in sitting["work"]] == [True]
    given = teacher.post(
        "/api/v1/unclaimed-work/sitting-p/give", json={"student_id": world.other_student}
    )
    assert given.get_json() == {"recorded": 1, "refused": 0}
    mine = teacher.get(f"/api/v1/people/{world.other_student}/photos").get_json()
    assert [p["id"] for p in mine] == [photo]
    assert teacher.get(f"/api/v1/people/{world.student}/photos").get_json() == []


# ---------------------------------------------------------------- a named child erased on request

SECRET = "I miss my dog Rex"


def _sitting_of_every_kind(app, api, world, batch: str) -> dict:
    """A carrier's tablet sends a sitting under ``world.student``'s name: a choice, a written
    answer and a reflection in the child's words, and a photo."""
    with app.app_context(), database.db.connection_context():
        written = Item.live().where(Item.type == "text").order_by(Item.id).first()
        project = Activity.live().where(Activity.kind == "project").first().id
    carrier = api(world.tokens["other_student"])
    choice = _piece(_choice_item(app), world.student, batch)
    words = _piece(written, world.student, batch)
    words["body"]["response"] = SECRET
    thought = uuid.uuid4().hex
    reflection = {
        "id": thought, "batch": batch, "kind": "reflection", "named_id": world.student,
        "made_ms": 8, "body": {"id": thought, "confidence": 3, "text": SECRET, "device_ms": 8},
    }  # fmt: skip
    for piece in (choice, words, reflection):
        sent = carrier.post("/api/v1/unclaimed-work", json=piece)
        assert sent.status_code == 201, sent.get_json()
    photo = uuid.uuid4().hex
    query = f"activity_id={project}&device_ms=9&batch={batch}&named_id={world.student}&made_ms=9"
    sent = carrier.request(
        "PUT", f"/api/v1/unclaimed-work/photos/{photo}?{query}",
        data=PICTURE, headers={"Content-Type": "image/png"},
    )  # fmt: skip
    assert sent.status_code == 201, sent.get_json()
    return {"choice": choice, "words": words, "reflection": reflection, "photo": photo}


PICTURE = png(20, 12)
PICTURE_SHA = hashlib.sha256(PICTURE).hexdigest()


def _held_bodies(app) -> list[str]:
    with app.app_context(), database.db.connection_context():
        return [json.dumps(r.body) for r in UnclaimedWork.select()]


def _picture_kept(app) -> bool:
    return (Path(app.config["DATA_DIR"]) / "blobs" / PICTURE_SHA[:2] / PICTURE_SHA).exists()


def _erase(api, world) -> None:
    done = api(world.tokens["admin"]).post(f"/api/v1/district/students/{world.student}/erase")
    assert done.status_code == 200, done.get_json()


def test_erasing_a_student_blanks_unclaimed_work_under_their_name_and_the_teacher_still_decides(
    app, api, world
):
    """Regression: unclaimed work (not replicated, so not in any scrubbed table) kept the
    erased child's written answers, reflection text and photo bytes."""
    sent = _sitting_of_every_kind(app, api, world, "sitting-e")
    assert any(SECRET in b for b in _held_bodies(app)) and _picture_kept(app)
    _erase(api, world)
    assert not any(SECRET in b or PICTURE_SHA in b for b in _held_bodies(app))
    assert not _picture_kept(app)

    # The sitting may be another child's work: it stays, said to be under an erased name.
    teacher = api(world.tokens["teacher"])
    [sitting] = teacher.get("/api/v1/unclaimed-work").get_json()
    assert sitting["erased"] is True and sitting["named"]["display_name"] == "—"
    assert world.student not in {s["id"] for s in sitting["students"]}
    erased = {w["id"]: w["erased"] for w in sitting["work"]}
    assert erased == {
        sent["choice"]["id"]: False,
        sent["words"]["id"]: True,
        sent["reflection"]["id"]: True,
        sent["photo"]: True,
    }
    # Given to the child who did it: what remains is recorded, the blanked pieces refused.
    given = teacher.post(
        "/api/v1/unclaimed-work/sitting-e/give", json={"student_id": world.other_student}
    )
    assert given.get_json() == {"recorded": 2, "refused": 2}
    assert _answers(teacher, world.other_student) == [sent["choice"]["id"]]
    assert teacher.get(f"/api/v1/people/{world.other_student}/photos").get_json() == []
    with app.app_context(), database.db.connection_context():
        kept = Reflection.get_by_id(sent["reflection"]["id"])
        assert kept.person_id == world.other_student and kept.text == "" and kept.confidence == 3
        outcomes = {r.id: r.outcome for r in UnclaimedWork.select()}
    assert outcomes[sent["words"]["id"]] and outcomes[sent["photo"]]


def test_unclaimed_work_under_an_erased_name_arriving_later_is_kept_blanked(app, api, world):
    """A tablet offline since before the erasure hands over its sitting afterwards: its
    words and photo are not kept (not even for a moment on disk), the sitting is listed."""
    _erase(api, world)
    sent = _sitting_of_every_kind(app, api, world, "sitting-l")
    assert not any(SECRET in b or PICTURE_SHA in b for b in _held_bodies(app))
    assert not _picture_kept(app)
    # A retry of the same piece is the same piece, not a conflict.
    again = api(world.tokens["other_student"]).post("/api/v1/unclaimed-work", json=sent["words"])
    assert again.status_code == 201, again.get_json()
    [sitting] = api(world.tokens["teacher"]).get("/api/v1/unclaimed-work").get_json()
    assert sitting["erased"] is True and len(sitting["work"]) == 4


def test_a_sitting_given_to_another_child_before_the_erasure_stays_theirs(app, api, world):
    """The teacher said whose it was: the erasure of the child whose name was used does
    not touch that child's work."""
    sent = _sitting_of_every_kind(app, api, world, "sitting-g")
    teacher = api(world.tokens["teacher"])
    given = teacher.post(
        "/api/v1/unclaimed-work/sitting-g/give", json={"student_id": world.other_student}
    )
    assert given.get_json() == {"recorded": 4, "refused": 0}
    _erase(api, world)
    assert _picture_kept(app)
    with app.app_context(), database.db.connection_context():
        assert Reflection.get_by_id(sent["reflection"]["id"]).text == SECRET
    mine = teacher.get(f"/api/v1/people/{world.other_student}/photos").get_json()
    assert [p["id"] for p in mine] == [sent["photo"]]


def test_a_sitting_under_a_removed_students_name_does_not_vanish_unseen(app, api, world):
    """Regression: once the named student was removed (``DELETE /people/ID``), their waiting
    sittings were shown to no teacher, and a tablet's later sitting under that name was
    refused back onto the tablet (422), where no teacher sees it: another child's work lost
    from sight. Now both wait for a teacher, with no child preselected."""
    carrier = api(world.tokens["other_student"])
    before = _piece(_choice_item(app), world.student, "sitting-r")
    assert carrier.post("/api/v1/unclaimed-work", json=before).status_code == 201
    removed = api(world.tokens["admin"]).delete(f"/api/v1/people/{world.student}")
    assert removed.status_code == 204, removed.get_json()
    after = _piece(_choice_item(app), world.student, "sitting-r")
    sent = carrier.post("/api/v1/unclaimed-work", json=after)
    assert sent.status_code == 201, sent.get_json()

    teacher = api(world.tokens["teacher"])
    [sitting] = teacher.get("/api/v1/unclaimed-work").get_json()
    assert {w["id"] for w in sitting["work"]} == {before["id"], after["id"]}
    candidates = {s["id"] for s in sitting["students"]}
    assert world.student not in candidates and world.other_student in candidates
    given = teacher.post(
        "/api/v1/unclaimed-work/sitting-r/give", json={"student_id": world.other_student}
    )
    assert given.get_json() == {"recorded": 2, "refused": 0}
    assert sorted(_answers(teacher, world.other_student)) == sorted([before["id"], after["id"]])
