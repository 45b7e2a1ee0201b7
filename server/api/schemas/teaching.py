"""Schemas of the teacher's views (server/api/teaching.py): heatmap, a skill, a student's
work, the feedback queue, assignment progress."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...models.learning import WORK_KINDS
from .common import MS, Id, Int, Text
from .learning import FeedbackSchema, GoalSchema
from .personal import GroupSuggestionSchema

Title = fields.Dict(keys=fields.String(), values=fields.String())


class HeatCellSchema(Schema):
    """A student on a skill: a level in words and the numbers behind it."""

    skill_id = fields.String()
    level = fields.String(
        metadata={"description": "not_started, struggling, learning, mastered or review"}
    )
    p_known_now = fields.Float()
    attempts = fields.Integer()
    correct = fields.Integer()
    stars = fields.Integer()


class HeatSkillSchema(Schema):
    """A column of the heatmap."""

    skill_id = fields.String()
    title = Title


class HeatRowSchema(Schema):
    """A student's row: skills mastered, mean P(known) of those practised, and a cell per column."""

    id = fields.String()
    display_name = fields.String()
    mastered = fields.Integer()
    mean_p_known = fields.Float(allow_none=True)
    cells = fields.List(fields.Nested(HeatCellSchema))


class HeatmapSchema(Schema):
    """Students × the skills any of them practised."""

    classroom_id = fields.String()
    now_ms = fields.Integer()
    levels = fields.List(fields.String())
    skills = fields.List(fields.Nested(HeatSkillSchema))
    students = fields.List(fields.Nested(HeatRowSchema))


class CsvQuery(Schema):
    """The language of the skill titles in the file."""

    language = fields.String(load_default="en", validate=validate.Length(2, 16))


class SkillStudentSchema(HeatCellSchema):
    """A student of the class on this skill."""

    id = fields.String()
    display_name = fields.String()


class ClassMissedItemSchema(Schema):
    """An item the class got wrong often."""

    item_id = fields.String()
    activity_id = fields.String(allow_none=True)
    activity_title = fields.String(allow_none=True)
    prompt = fields.String()
    wrong = fields.Integer()


class SkillViewSchema(Schema):
    """One skill in a class: levels, who struggles, most-missed items, a suggested grouping."""

    skill_id = fields.String()
    title = Title
    students = fields.List(fields.Nested(SkillStudentSchema))
    struggling = fields.List(fields.String())
    missed_items = fields.List(fields.Nested(ClassMissedItemSchema))
    suggested_groups = fields.List(fields.Nested(GroupSuggestionSchema))


class WorkAnswerSchema(Schema):
    id = fields.String()
    item_id = fields.String()
    prompt = fields.String()
    response = fields.String()
    correct = fields.Boolean()
    hints_used = fields.Integer()
    device_ms = fields.Integer()


class WorkPieceSchema(Schema):
    """An attempt (or the answers of an activity outside one) with its answers."""

    attempt_id = fields.String(allow_none=True)
    activity_id = fields.String()
    activity_title = fields.String()
    completed = fields.Boolean(allow_none=True)
    when_ms = fields.Integer(allow_none=True)
    answers = fields.List(fields.Nested(WorkAnswerSchema))


class WorkReflectionSchema(Schema):
    id = fields.String()
    activity_id = fields.String(allow_none=True)
    activity_title = fields.String(allow_none=True)
    confidence = fields.Integer()
    text = fields.String()
    device_ms = fields.Integer()


class WorkPhotoSchema(Schema):
    id = fields.String()
    image_url = fields.String()
    activity_id = fields.String(allow_none=True)
    reflection_id = fields.String(allow_none=True)
    device_ms = fields.Integer(allow_none=True)


class WorkFeedbackSchema(Schema):
    id = fields.String()
    author_id = fields.String()
    activity_id = fields.String(allow_none=True)
    text = fields.String()
    device_ms = fields.Integer()


class StudentWorkSchema(Schema):
    """A student's recent work: attempts with answers, reflections, photos, comments."""

    person_id = fields.String()
    work = fields.List(fields.Nested(WorkPieceSchema))
    reflections = fields.List(fields.Nested(WorkReflectionSchema))
    photos = fields.List(fields.Nested(WorkPhotoSchema))
    feedback = fields.List(fields.Nested(WorkFeedbackSchema))


class QueueGoalSchema(Schema):
    id = fields.String()
    text = fields.String()


class QueuePhotoSchema(Schema):
    id = fields.String()
    image_url = fields.String()


class OpenWorkItemSchema(Schema):
    """A piece of open work not seen yet: a project, a reflection or a written answer."""

    kind = fields.String(metadata={"description": "project, reflection or written"})
    work_kind = fields.String(metadata={"description": "reflection or answer: what to mark seen"})
    id = fields.String()
    person_id = fields.String()
    display_name = fields.String()
    activity_id = fields.String(allow_none=True)
    activity_title = fields.String(allow_none=True)
    attempt_id = fields.String(allow_none=True)
    device_ms = fields.Integer()
    received_ms = fields.Integer()
    text = fields.String()
    confidence = fields.Integer(allow_none=True)
    prompt = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(QueuePhotoSchema))
    goals = fields.List(fields.Nested(QueueGoalSchema))
    seen_ms = fields.Integer(
        metadata={"description": "When it was marked seen (the seen list only)"}
    )
    seen_by = fields.String(metadata={"description": "Who marked it seen (the seen list only)"})
    seen_by_name = fields.String(allow_none=True)


class OpenWorkSchema(Schema):
    """The class's feedback queue, oldest first, and how many wait in all."""

    classroom_id = fields.String()
    total = fields.Integer()
    items = fields.List(fields.Nested(OpenWorkItemSchema))


class SeenCreateSchema(Schema):
    """Mark a piece of work seen; optionally comment on it and mark a free-text goal done."""

    work_kind = fields.String(required=True, validate=validate.OneOf(WORK_KINDS))
    work_id = Id(required=True)
    comment = Text(4000, load_default="")
    feedback_id = Id(load_default=None, allow_none=True)
    goal_id = Id(load_default=None, allow_none=True)
    device_ms = Int(0, MS, load_default=None, allow_none=True)


class SeenSchema(Schema):
    id = fields.String()
    person_id = fields.String()
    work_kind = fields.String()
    work_id = fields.String()
    seen_by = fields.String()
    seen_ms = fields.Integer()


class SeenResultSchema(Schema):
    """The seen mark, the comment left (if any) and the goal marked done (if any)."""

    seen = fields.Nested(SeenSchema)
    feedback = fields.Nested(FeedbackSchema, allow_none=True)
    goal = fields.Nested(GoalSchema, allow_none=True)


class ProgressStudentSchema(Schema):
    id = fields.String()
    display_name = fields.String()
    state = fields.String(metadata={"description": "done, started or not_yet"})


class AssignmentProgressSchema(Schema):
    """Who finished an assignment: each student it is meant for."""

    assignment_id = fields.String()
    done = fields.Integer()
    total = fields.Integer()
    students = fields.List(fields.Nested(ProgressStudentSchema))
