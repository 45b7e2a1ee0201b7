"""Answers, attempts, reflections, feedback and goals through the API."""

from __future__ import annotations

import uuid

from server import db as database
from server.models import Answer, Item, RowHistory


def _item(app, kind: str) -> Item:
    with app.app_context(), database.db.connection_context():
        return Item.live().where(Item.type == kind).order_by(Item.id).first()


def test_answer_gets_immediate_feedback_and_a_hint(app, api, world):
    student = api(world.tokens["student"])
    item = _item(app, "choice")
    wrong = (item.answer + 1) % len(item.choices)
    result = student.post(
        "/api/v1/answers",
        json={"id": uuid.uuid4().hex, "item_id": item.id, "response": wrong, "device_ms": 1},
    ).get_json()
    assert result["correct"] is False and result["hint"] == item.hints[0]
    result = student.post(
        "/api/v1/answers",
        json={
            "id": uuid.uuid4().hex,
            "item_id": item.id,
            "response": item.answer,
            "hints_used": 1,
            "device_ms": 2,
        },
    ).get_json()
    assert result["correct"] is True and result["hint"] is None


def test_numeric_and_text_answers_are_checked(app, api, world):
    student = api(world.tokens["student"])
    numeric = _item(app, "numeric")
    text = _item(app, "text")
    ok = student.post(
        "/api/v1/answers",
        json={
            "id": uuid.uuid4().hex,
            "item_id": numeric.id,
            "response": numeric.answer,
            "device_ms": 1,
        },
    )
    assert ok.get_json()["correct"] is True
    typed = "  " + text.answer[0].upper() + " "
    ok = student.post(
        "/api/v1/answers",
        json={"id": uuid.uuid4().hex, "item_id": text.id, "response": typed, "device_ms": 1},
    )
    assert ok.get_json()["correct"] is True
    wrong_type = student.post(
        "/api/v1/answers",
        json={"id": uuid.uuid4().hex, "item_id": numeric.id, "response": "seven", "device_ms": 1},
    )
    assert wrong_type.status_code == 422


def test_the_same_answer_posted_twice_is_one_answer(app, api, world, db):
    """The outbox retries after a dropped connection: the node must not count twice."""
    student = api(world.tokens["student"])
    item = _item(app, "choice")
    body = {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer, "device_ms": 42}
    first = student.post("/api/v1/answers", json=body)
    again = student.post("/api/v1/answers", json=body)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["duplicate"] is True
    assert Answer.select().where(Answer.id == body["id"]).count() == 1


def test_a_reused_id_with_other_content_is_a_conflict(app, api, world, db):
    student = api(world.tokens["student"])
    item = _item(app, "choice")
    body = {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer, "device_ms": 42}
    student.post("/api/v1/answers", json=body)
    clash = student.post("/api/v1/answers", json={**body, "device_ms": 43})
    assert clash.status_code == 409
    assert Answer.get_by_id(body["id"]).device_ms == 42


def test_answers_are_listed_newest_first_with_pagination(app, api, world):
    student = api(world.tokens["student"])
    item = _item(app, "choice")
    for i in range(5):
        student.post(
            "/api/v1/answers",
            json={
                "id": f"a{i}-{uuid.uuid4().hex[:8]}",
                "item_id": item.id,
                "response": 0,
                "device_ms": i,
            },
        )
    page = student.get(f"/api/v1/people/{world.student}/answers?per_page=2&page=2").get_json()
    assert page["total"] == 5 and page["page"] == 2 and len(page["items"]) == 2
    teacher = api(world.tokens["teacher"])
    assert teacher.get(f"/api/v1/people/{world.student}/answers").get_json()["total"] == 5


def test_students_never_see_answer_keys(api, world):
    student = api(world.tokens["student"]).get(f"/api/v1/activities/{world.activity}").get_json()
    teacher = api(world.tokens["teacher"]).get(f"/api/v1/activities/{world.activity}").get_json()
    assert student["items"] and all(i["answer"] is None for i in student["items"])
    assert all(i["answer"] is not None for i in teacher["items"])


def test_goal_edit_keeps_history(app, api, world, db):
    student = api(world.tokens["student"])
    goal = student.post(
        f"/api/v1/people/{world.student}/goals",
        json={
            "term": "long",
            "kind": "free_text",
            "text": "Read a whole book",
            "due_on": "2027-06-30",
        },
    ).get_json()
    teacher = api(world.tokens["teacher"])
    edited = teacher.patch(
        f"/api/v1/goals/{goal['id']}", json={"text": "Read two books"}
    ).get_json()
    assert edited["text"] == "Read two books" and edited["due_on"] == "2027-06-30"
    kept = RowHistory.get(RowHistory.row_id == goal["id"])
    assert kept.data["text"] == "Read a whole book"


def test_goal_needs_what_its_kind_needs(api, world):
    student = api(world.tokens["student"])
    response = student.post(
        f"/api/v1/people/{world.student}/goals", json={"term": "short", "kind": "master_skill"}
    )
    assert response.status_code == 422
    assert "skill_id" in response.get_json()["error"]["details"]


def test_reflection_and_feedback(api, world):
    student = api(world.tokens["student"])
    made = student.post(
        "/api/v1/reflections",
        json={"id": uuid.uuid4().hex, "confidence": 4, "text": "Easy!", "device_ms": 9},
    )
    assert made.status_code == 201
    out_of_range = student.post(
        "/api/v1/reflections", json={"id": uuid.uuid4().hex, "confidence": 5, "device_ms": 9}
    )
    assert out_of_range.status_code == 422
    teacher = api(world.tokens["teacher"])
    assert (
        teacher.post(
            "/api/v1/feedback", json={"person_id": world.student, "text": "Great work"}
        ).status_code
        == 201
    )
    seen = student.get(f"/api/v1/people/{world.student}/feedback").get_json()
    assert [f["text"] for f in seen["items"]] == ["Great work"]
    other = api(world.tokens["other_teacher"])
    assert (
        other.post("/api/v1/feedback", json={"person_id": world.student, "text": "x"}).status_code
        == 403
    )


def test_profile_fields_students_may_and_may_not_set(api, world):
    student = api(world.tokens["student"])
    ok = student.patch(
        f"/api/v1/people/{world.student}/profile",
        json={"interests": ["football", "drums"], "modalities": ["listen"]},
    )
    assert ok.status_code == 200 and ok.get_json()["interests"] == ["football", "drums"]
    refused = student.patch(
        f"/api/v1/people/{world.student}/profile", json={"accommodations": ["extra_time"]}
    )
    assert refused.status_code == 403
    teacher = api(world.tokens["teacher"])
    ok = teacher.patch(
        f"/api/v1/people/{world.student}/profile", json={"accommodations": ["extra_time"]}
    )
    assert ok.get_json()["accommodations"] == ["extra_time"]
    assert ok.get_json()["interests"] == ["football", "drums"]


def test_assignments_reach_only_their_targets(api, world):
    teacher = api(world.tokens["teacher"])
    made = teacher.post(
        f"/api/v1/classes/{world.class_a}/assignments",
        json={"activity_id": world.activity, "person_id": world.student, "pinned": True},
    )
    assert made.status_code == 201
    mine = (
        api(world.tokens["student"]).get(f"/api/v1/classes/{world.class_a}/assignments").get_json()
    )
    theirs = (
        api(world.tokens["other_student"])
        .get(f"/api/v1/classes/{world.class_a}/assignments")
        .get_json()
    )
    assert made.get_json()["id"] in {a["id"] for a in mine}
    assert made.get_json()["id"] not in {a["id"] for a in theirs}
    assert mine[0]["pinned"] is True


def test_mastery_rises_with_right_answers_and_is_recomputed_from_events(app, api, world):
    student = api(world.tokens["student"])
    before = {
        m["skill_id"]: m for m in student.get(f"/api/v1/people/{world.student}/mastery").get_json()
    }
    assert len(before) == 6 and all(m["attempts"] == 0 for m in before.values())
    with app.app_context(), database.db.connection_context():
        item = Item.live().where(Item.type == "numeric").order_by(Item.id).first()
    for i in range(6):
        body = {
            "id": uuid.uuid4().hex,
            "item_id": item.id,
            "response": item.answer,
            "device_ms": 1_800_000_000_000 + i,
        }
        assert student.post("/api/v1/answers", json=body).status_code == 201
    after = {
        m["skill_id"]: m for m in student.get(f"/api/v1/people/{world.student}/mastery").get_json()
    }
    practised = [s for s in after if after[s]["attempts"]]
    assert practised and all(after[s]["p_known"] > before[s]["p_known"] for s in practised)
    assert all(after[s]["attempts"] == 6 and after[s]["correct"] == 6 for s in practised)
    teacher_view = (
        api(world.tokens["teacher"]).get(f"/api/v1/people/{world.student}/mastery").get_json()
    )
    assert {m["skill_id"]: m["p_known"] for m in teacher_view} == {
        s: m["p_known"] for s, m in after.items()
    }
