"""A student cannot undo a teacher's goal; a teacher cannot pull another class's student in."""

from __future__ import annotations

from server import db as database
from server.models import Enrollment, Goal
from tests.conftest import Api


def _goal(app, goal_id: str) -> Goal:
    with app.app_context(), database.db.connection_context():
        return Goal.get_by_id(goal_id)


def test_student_cannot_complete_teacher_goal(app, world):
    teacher = Api(app.test_client(), world.tokens["teacher"])
    made = teacher.post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "short", "kind": "free_text", "text": "Read 20 pages", "target": 20},
    )
    assert made.status_code == 201, made.get_json()
    goal_id = made.get_json()["id"]
    student = Api(app.test_client(), world.tokens["student"])
    for change in ({"status": "done"}, {"target": 1}, {"text": "Read 1 page"}):
        refused = student.patch(f"/api/v1/goals/{goal_id}", json=change)
        assert refused.status_code == 403, change
        assert set(refused.get_json()) == {"error"}
    goal = _goal(app, goal_id)
    assert (goal.status, goal.target, goal.text) == ("active", 20, "Read 20 pages")
    assert teacher.patch(f"/api/v1/goals/{goal_id}", json={"status": "done"}).status_code == 200


def test_student_still_edits_own_goal(app, world):
    student = Api(app.test_client(), world.tokens["student"])
    made = student.post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "short", "kind": "free_text", "text": "Draw a map"},
    )
    goal_id = made.get_json()["id"]
    edited = student.patch(
        f"/api/v1/goals/{goal_id}", json={"text": "Draw two maps", "status": "done"}
    )
    assert edited.status_code == 200, edited.get_json()
    assert _goal(app, goal_id).text == "Draw two maps"


def _classes_of(app, person_id: str) -> set[str]:
    with app.app_context(), database.db.connection_context():
        rows = Enrollment.live().where(Enrollment.person_id == person_id)
        return {r.classroom_id for r in rows}


def test_teacher_cannot_pull_student_into_own_class(app, world):
    teacher = Api(app.test_client(), world.tokens["teacher"])  # teaches class A
    before = _classes_of(app, world.student_c)  # a child of class C
    refused = teacher.post(
        f"/api/v1/classes/{world.class_a}/enrollments", json={"person_id": world.student_c}
    )
    assert refused.status_code == 403 and set(refused.get_json()) == {"error"}
    assert _classes_of(app, world.student_c) == before
    assert teacher.get(f"/api/v1/people/{world.student_c}").status_code in (403, 404)
    # Her daily work goes on: a new student made in her class is hers.
    made = teacher.post(
        "/api/v1/people",
        json={"role": "student", "display_name": "New Kid", "classroom_id": world.class_a},
    )
    assert made.status_code == 201, made.get_json()
    admin = Api(app.test_client(), world.tokens["admin"])
    moved = admin.post(
        f"/api/v1/classes/{world.class_a}/enrollments", json={"person_id": world.student_c}
    )
    assert moved.status_code == 201, moved.get_json()
