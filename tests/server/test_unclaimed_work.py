"""Unclaimed work (issue 13): a tablet's work done under a sign-in the node never checked.

A child signed in offline under another child's name: when the node refuses the
pictures, the tablet hands that work over as unclaimed. It must never land under the
named child by itself; a teacher of that child gives it to the right student."""

from __future__ import annotations

import uuid

from server import db as database
from server.models import Activity, Item
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
