"""Schemas of assignments, goals, mastery and the learning events."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...models.learning import GOAL_KINDS, GOAL_STATUSES, GOAL_TERMS, UNCLAIMED_KINDS
from .common import MS, Id, Int, Text


class AssignmentSchema(Schema):
    """An assignment."""

    id = fields.String()
    classroom_id = fields.String()
    activity_id = fields.String(allow_none=True)
    skill_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    assigned_by = fields.String()
    due_on = fields.String(allow_none=True)
    pinned = fields.Boolean()
    hidden = fields.Boolean()
    note = fields.String()


class AssignmentCreateSchema(Schema):
    """Assign an activity or a skill to the class, one group or one student."""

    activity_id = Id(load_default=None, allow_none=True)
    skill_id = Id(load_default=None, allow_none=True)
    group_id = Id(load_default=None, allow_none=True)
    person_id = Id(load_default=None, allow_none=True)
    due_on = fields.Date(load_default=None, allow_none=True)
    pinned = fields.Boolean(load_default=False)
    hidden = fields.Boolean(load_default=False)
    note = Text(2000, load_default="")

    @validates_schema
    def _one_target(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("group_id") and data.get("person_id"):
            raise ValidationError("Assign to a group or to a student, not both.", "person_id")
        if bool(data.get("activity_id")) == bool(data.get("skill_id")):
            raise ValidationError("Assign one activity or one skill.", "activity_id")


class AssignmentPatchSchema(Schema):
    """Pin, hide or show an assignment; change its due date or note."""

    due_on = fields.Date(allow_none=True)
    pinned = fields.Boolean()
    hidden = fields.Boolean()
    note = Text(2000)


class GoalProgressSchema(Schema):
    """A goal's progress, recomputed from mastery and attempts on every read."""

    value = fields.Float(required=True)
    target = fields.Float(required=True)
    fraction = fields.Float(required=True, metadata={"description": "0 to 1"})
    state = fields.String(
        required=True,
        validate=validate.OneOf(("on_track", "behind", "done", "needs_review")),
    )


class GoalSchema(Schema):
    """A goal."""

    id = fields.String()
    person_id = fields.String()
    set_by = fields.String()
    term = fields.String()
    kind = fields.String()
    skill_id = fields.String(allow_none=True)
    activity_ids = fields.List(fields.String())
    target = fields.Integer(allow_none=True)
    text = fields.String()
    due_on = fields.String(allow_none=True)
    status = fields.String()
    created_ms = fields.Integer(allow_none=True)
    progress = fields.Nested(GoalProgressSchema)


class GoalCreateSchema(Schema):
    """A new goal; what it needs depends on its kind."""

    term = fields.String(required=True, validate=validate.OneOf(GOAL_TERMS))
    kind = fields.String(required=True, validate=validate.OneOf(GOAL_KINDS))
    skill_id = Id(load_default=None, allow_none=True)
    activity_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    target = Int(
        1,
        100_000,
        load_default=None,
        allow_none=True,
        metadata={"description": "minutes; for a skill, the mastery to reach in percent"},
    )
    text = Text(2000, load_default="")
    due_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _needs(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data["kind"]
        if kind == "master_skill" and not data.get("skill_id"):
            raise ValidationError("A mastery goal names a skill.", "skill_id")
        if kind == "finish_activities" and not data.get("activity_ids"):
            raise ValidationError("Name the activities to finish.", "activity_ids")
        if kind == "practice_minutes" and not data.get("target"):
            raise ValidationError("Say how many minutes.", "target")
        if kind == "free_text" and not data.get("text", "").strip():
            raise ValidationError("Write the goal.", "text")
        if kind == "master_skill" and (data.get("target") or 0) > 100:
            raise ValidationError("A mastery target is a percentage: at most 100.", "target")


class GoalPatchSchema(Schema):
    """Editable fields of a goal."""

    status = fields.String(validate=validate.OneOf(GOAL_STATUSES))
    text = Text(2000)
    due_on = fields.Date(allow_none=True)
    target = Int(1, 100_000, allow_none=True)


class AttemptSchema(Schema):
    """An attempt."""

    id = fields.String()
    person_id = fields.String()
    activity_id = fields.String()
    started_ms = fields.Integer()
    ended_ms = fields.Integer()
    completed = fields.Boolean()
    received_ms = fields.Integer()


class AttemptCreateSchema(Schema):
    """An attempt, with the id the device made."""

    id = Id(required=True)
    activity_id = Id(required=True)
    started_ms = Int(0, MS, required=True)
    ended_ms = Int(0, MS, required=True)
    completed = fields.Boolean(load_default=False)


class AnswerSchema(Schema):
    """A stored answer."""

    id = fields.String()
    person_id = fields.String()
    attempt_id = fields.String(allow_none=True)
    activity_id = fields.String()
    item_id = fields.String()
    response = fields.Raw()
    correct = fields.Boolean()
    hints_used = fields.Integer()
    duration_ms = fields.Integer(allow_none=True)
    device_ms = fields.Integer()
    received_ms = fields.Integer()


class AnswerCreateSchema(Schema):
    """An answer, with the id the device made: posting it twice is one answer."""

    id = Id(required=True)
    item_id = Id(required=True)
    attempt_id = Id(load_default=None, allow_none=True)
    response = fields.Raw(required=True, allow_none=False)
    hints_used = Int(0, 100, load_default=0)
    duration_ms = Int(0, 86_400_000, load_default=None, allow_none=True)
    device_ms = Int(0, MS, required=True)


class AnswerResultSchema(Schema):
    """The immediate feedback on an answer."""

    id = fields.String()
    correct = fields.Boolean()
    hint = fields.String(allow_none=True)
    duplicate = fields.Boolean()


class ReflectionSchema(Schema):
    """A reflection."""

    id = fields.String()
    person_id = fields.String()
    activity_id = fields.String(allow_none=True)
    attempt_id = fields.String(allow_none=True)
    confidence = fields.Integer()
    text = fields.String()
    device_ms = fields.Integer()
    received_ms = fields.Integer()


class ReflectionCreateSchema(Schema):
    """A reflection, with the id the device made."""

    id = Id(required=True)
    activity_id = Id(load_default=None, allow_none=True)
    attempt_id = Id(load_default=None, allow_none=True)
    confidence = Int(1, 4, required=True)
    text = Text(2000, load_default="")
    device_ms = Int(0, MS, required=True)


class FeedbackSchema(Schema):
    """A teacher's comment."""

    id = fields.String()
    person_id = fields.String()
    author_id = fields.String()
    activity_id = fields.String(allow_none=True)
    attempt_id = fields.String(allow_none=True)
    text = fields.String()
    device_ms = fields.Integer()
    received_ms = fields.Integer()


class FeedbackCreateSchema(Schema):
    """A comment on a student's work."""

    id = Id(load_default=None)
    person_id = Id(required=True)
    activity_id = Id(load_default=None, allow_none=True)
    attempt_id = Id(load_default=None, allow_none=True)
    text = Text(4000, 1, required=True)
    device_ms = Int(0, MS, load_default=None, allow_none=True)


class SkillMasterySchema(Schema):
    """A learner's mastery of one skill, from knowledge tracing of their answers."""

    skill_id = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    p_known = fields.Float(metadata={"description": "P(known) after the last answer"})
    p_known_now = fields.Float(metadata={"description": "P(known) today, with forgetting"})
    attempts = fields.Integer()
    correct = fields.Integer()
    last_ms = fields.Integer(allow_none=True)
    mastered = fields.Boolean()
    needs_review = fields.Boolean(metadata={"description": "Was mastered, has decayed"})
    stars = fields.Integer(metadata={"description": "0 not started, 1 started, 2 near, 3 mastered"})


class UnclaimedCreateSchema(Schema):
    """A piece of work a tablet did under a sign-in the node never checked."""

    id = Id(required=True)
    batch = Text(100, 1, required=True)  # the tablet's id of that sign-in
    kind = fields.String(required=True, validate=validate.OneOf(UNCLAIMED_KINDS))
    body = fields.Dict(required=True)  # what the tablet would have posted as the child's
    named_id = Id(required=True)  # the name the sign-in used
    made_ms = Int(0, MS, required=True)


class UnclaimedHeldSchema(Schema):
    """Unclaimed work as the node keeps it (for the tablet that sent it)."""

    id = fields.String()
    batch = fields.String()
    kind = fields.String()
    state = fields.String()


class PersonNameSchema(Schema):
    """A person by the name their class knows them by."""

    id = fields.String()
    display_name = fields.String()


class _UnclaimedPieceSchema(Schema):
    id = fields.String()
    kind = fields.String()
    activity_title = fields.String()
    response = fields.Raw(allow_none=True)
    photo = fields.Boolean()
    erased = fields.Boolean()  # its words or picture went with the named student's erasure
    made_ms = fields.Integer()


class UnclaimedBatchSchema(Schema):
    """One sitting of unclaimed work: the name used, when, what, and whom it may go to."""

    batch = fields.String()
    named = fields.Nested(PersonNameSchema)
    erased = fields.Boolean()  # the named student was erased since: see docs/teacher-guide.md
    sent_by = fields.String()
    first_ms = fields.Integer()
    last_ms = fields.Integer()
    work = fields.List(fields.Nested(_UnclaimedPieceSchema))
    students = fields.List(fields.Nested(PersonNameSchema))


class UnclaimedGiveSchema(Schema):
    """The student whose work a sitting is."""

    student_id = Id(required=True)


class UnclaimedDecisionSchema(Schema):
    """What giving (or discarding) a sitting did: pieces recorded, and refused by the node."""

    recorded = fields.Integer()
    refused = fields.Integer()
