"""Schemas of the live class view (server/api/live.py)."""

from __future__ import annotations

from marshmallow import Schema, fields


class HelpReasonSchema(Schema):
    """Why a student needs help now: wrong_streak, all_hints or idle."""

    reason = fields.String()
    skill_id = fields.String(allow_none=True)
    skill_title = fields.Dict(keys=fields.String(), values=fields.String())
    count = fields.Integer(metadata={"description": "wrong answers in a row, or hints used"})
    minutes = fields.Integer(metadata={"description": "minutes without an answer"})


class LiveStudentSchema(Schema):
    """A student of the class, now."""

    id = fields.String()
    display_name = fields.String()
    state = fields.String(metadata={"description": "working, idle (mid-activity) or away"})
    activity_id = fields.String(allow_none=True)
    activity_title = fields.String(allow_none=True)
    last_answer_ms = fields.Integer(allow_none=True)
    last_correct = fields.Boolean(allow_none=True)
    help = fields.List(fields.Nested(HelpReasonSchema))


class LiveClassSchema(Schema):
    """The live class view: every student, and how many need help."""

    classroom_id = fields.String()
    now_ms = fields.Integer()
    help_count = fields.Integer()
    students = fields.List(fields.Nested(LiveStudentSchema))
