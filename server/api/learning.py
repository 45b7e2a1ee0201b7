"""Assignments, goals and the learning events of students."""

from __future__ import annotations

from flask import Blueprint, current_app, g

from ..auth.access import SIGNED_IN, STAFF, STUDENT
from ..models import Answer, Attempt, Feedback, Reflection
from ..services import goals, learning, mastery, schools, unclaimed
from .contract import PageQuery, endpoint, paginate
from .schemas.learning import (
    AnswerCreateSchema,
    AnswerResultSchema,
    AnswerSchema,
    AssignmentCreateSchema,
    AssignmentPatchSchema,
    AssignmentSchema,
    AttemptCreateSchema,
    AttemptSchema,
    FeedbackCreateSchema,
    FeedbackSchema,
    GoalCreateSchema,
    GoalPatchSchema,
    GoalSchema,
    ReflectionCreateSchema,
    ReflectionSchema,
    SkillMasterySchema,
    UnclaimedBatchSchema,
    UnclaimedCreateSchema,
    UnclaimedDecisionSchema,
    UnclaimedGiveSchema,
    UnclaimedHeldSchema,
)

#: The schema a tablet's work of each kind must pass, unclaimed or not.
WORK_SCHEMAS = {
    "answer": AnswerCreateSchema(),
    "attempt": AttemptCreateSchema(),
    "reflection": ReflectionCreateSchema(),
}

bp = Blueprint("learning", __name__, url_prefix="/api/v1")


@bp.get("/classes/<classroom_id>/assignments")
@endpoint(
    SIGNED_IN,
    "Assignments of a class (students: those meant for them)",
    response=AssignmentSchema,
    many=True,
)
def list_assignments(classroom_id):
    return learning.list_assignments(g.user, schools.get_class(g.user, classroom_id))


@bp.post("/classes/<classroom_id>/assignments")
@endpoint(
    STAFF,
    "Assign an activity or a skill to the class, a group or a student",
    body=AssignmentCreateSchema,
    response=AssignmentSchema,
    status=201,
)
def create_assignment(classroom_id, body):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    return learning.create_assignment(g.user, classroom, body)


@bp.patch("/assignments/<assignment_id>")
@endpoint(
    STAFF,
    "Pin, hide or show an assignment, or change its due date or note",
    body=AssignmentPatchSchema,
    response=AssignmentSchema,
)
def patch_assignment(assignment_id, body):
    return learning.update_assignment(g.user, assignment_id, body)


@bp.delete("/assignments/<assignment_id>")
@endpoint(STAFF, "Withdraw an assignment")
def delete_assignment(assignment_id):
    learning.delete_assignment(g.user, assignment_id)


@bp.get("/people/<person_id>/goals")
@endpoint(SIGNED_IN, "A student's goals", response=GoalSchema, many=True)
def list_goals(person_id):
    person = learning.get_student(g.user, person_id)
    return goals.progress_view(person.id, learning.list_goals(person))


@bp.post("/people/<person_id>/goals")
@endpoint(
    SIGNED_IN, "Set a goal for a student", body=GoalCreateSchema, response=GoalSchema, status=201
)
def create_goal(person_id, body):
    goal = learning.create_goal(g.user, learning.get_student(g.user, person_id), body)
    return goals.progress_view(goal.person_id, [goal])[0]


@bp.patch("/goals/<goal_id>")
@endpoint(
    SIGNED_IN, "Edit a goal (the old version is kept)", body=GoalPatchSchema, response=GoalSchema
)
def patch_goal(goal_id, body):
    goal = learning.update_goal(g.user, goal_id, body)
    return goals.progress_view(goal.person_id, [goal])[0]


@bp.delete("/goals/<goal_id>")
@endpoint(SIGNED_IN, "Delete a goal set by mistake (a tombstone that syncs)")
def delete_goal(goal_id):
    learning.delete_goal(g.user, goal_id)


@bp.get("/people/<person_id>/mastery")
@endpoint(
    SIGNED_IN,
    "A student's mastery per skill (knowledge tracing, recomputed)",
    response=SkillMasterySchema,
    many=True,
)
def get_mastery(person_id):
    return mastery.mastery_of(learning.get_student(g.user, person_id))


@bp.post("/attempts")
@endpoint(
    STUDENT,
    "Record an attempt (the device's id makes retries safe)",
    body=AttemptCreateSchema,
    response=AttemptSchema,
    status=201,
    errors=(404, 409),
)
def create_attempt(body):
    return learning.record_attempt(g.user, body)


@bp.post("/answers")
@endpoint(
    STUDENT,
    "Record an answer and get immediate feedback (retries are one answer)",
    body=AnswerCreateSchema,
    response=AnswerResultSchema,
    status=201,
    errors=(404, 409),
)
def create_answer(body):
    return learning.record_answer(g.user, body)


@bp.post("/reflections")
@endpoint(
    STUDENT,
    "Record a reflection",
    body=ReflectionCreateSchema,
    response=ReflectionSchema,
    status=201,
    errors=(404, 409),
)
def create_reflection(body):
    return learning.record_reflection(g.user, body)


@bp.post("/feedback")
@endpoint(
    STAFF,
    "Comment on a student's work",
    body=FeedbackCreateSchema,
    response=FeedbackSchema,
    status=201,
    errors=(404, 409),
)
def create_feedback(body):
    return learning.record_feedback(g.user, body)


def _events(person_id, model, query):
    select = learning.events_of(g.user, person_id, model)
    return paginate(select, query, current_app.config["PAGE_SIZE"])


@bp.get("/people/<person_id>/attempts")
@endpoint(
    SIGNED_IN,
    "A person's attempts, newest first",
    query=PageQuery,
    response=AttemptSchema,
    paginated=True,
)
def list_attempts(person_id, query):
    return _events(person_id, Attempt, query)


@bp.get("/people/<person_id>/answers")
@endpoint(
    SIGNED_IN,
    "A person's answers, newest first",
    query=PageQuery,
    response=AnswerSchema,
    paginated=True,
)
def list_answers(person_id, query):
    return _events(person_id, Answer, query)


@bp.get("/people/<person_id>/reflections")
@endpoint(
    SIGNED_IN,
    "A person's reflections, newest first",
    query=PageQuery,
    response=ReflectionSchema,
    paginated=True,
)
def list_reflections(person_id, query):
    return _events(person_id, Reflection, query)


@bp.get("/people/<person_id>/feedback")
@endpoint(
    SIGNED_IN,
    "Feedback on a person's work, newest first",
    query=PageQuery,
    response=FeedbackSchema,
    paginated=True,
)
def list_feedback(person_id, query):
    return _events(person_id, Feedback, query)


@bp.post("/unclaimed-work")
@endpoint(
    STUDENT,
    "Hand over work a tablet did under a sign-in the node never checked (recorded as nobody's)",
    body=UnclaimedCreateSchema,
    response=UnclaimedHeldSchema,
    status=201,
    errors=(409,),
)
def hold_unclaimed(body):
    return unclaimed.hold(g.user, body, WORK_SCHEMAS)[0]


@bp.get("/unclaimed-work")
@endpoint(
    STAFF,
    "Sittings of unclaimed work waiting for a teacher of the child whose name was used",
    response=UnclaimedBatchSchema,
    many=True,
)
def list_unclaimed():
    return unclaimed.batches(g.user)


@bp.post("/unclaimed-work/<batch>/give")
@endpoint(
    STAFF,
    "Record a sitting of unclaimed work as one student's (graded as if sent by their tablet)",
    body=UnclaimedGiveSchema,
    response=UnclaimedDecisionSchema,
    errors=(404,),
)
def give_unclaimed(batch, body):
    return unclaimed.give(g.user, batch, body["student_id"], current_app.config["DATA_DIR"])


@bp.post("/unclaimed-work/<batch>/discard")
@endpoint(
    STAFF,
    "Set a sitting of unclaimed work aside as nobody's (kept on the node, never recorded)",
    response=UnclaimedDecisionSchema,
    errors=(404,),
)
def discard_unclaimed(batch):
    return unclaimed.discard(g.user, batch)
