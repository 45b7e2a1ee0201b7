"""Schemas of reports: a class's and a student's, with their progress week by week."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from .common import LANGUAGE


class ReportQuery(Schema):
    """The language of skill titles and of the chart's words."""

    class Meta:
        unknown = EXCLUDE

    language = fields.String(load_default="en", validate=LANGUAGE)


class WeekSchema(Schema):
    """One week (named by its Monday): its work, and the totals so far."""

    week = fields.Date()
    answers = fields.Integer()
    correct = fields.Integer()
    completed = fields.Integer()
    correct_so_far = fields.Integer()
    completed_so_far = fields.Integer()


class ClassReportRowSchema(Schema):
    """A student of the class: their work and how many skills they mastered."""

    person_id = fields.String()
    display_name = fields.String()
    answers = fields.Integer()
    correct = fields.Integer()
    correct_share = fields.Float(allow_none=True)
    completed = fields.Integer()
    skills_mastered = fields.Integer()
    last_active = fields.Date(allow_none=True)


class ClassReportSchema(Schema):
    """A class report."""

    classroom_id = fields.String()
    name = fields.String()
    made_on = fields.Date()
    skills = fields.Integer()
    students = fields.List(fields.Nested(ClassReportRowSchema))
    progress = fields.List(fields.Nested(WeekSchema))


class ReportSkillSchema(Schema):
    """A skill the student practised, with their mastery of it."""

    skill_id = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    p_known_now = fields.Float()
    attempts = fields.Integer()
    correct = fields.Integer()
    mastered = fields.Boolean()
    needs_review = fields.Boolean()
    last_practised = fields.Date(allow_none=True)
    level = fields.String(
        metadata={
            "description": "not_started, struggling, learning, mastered or review, as the heatmap"
        }
    )


class StudentReportSchema(Schema):
    """A student report."""

    person_id = fields.String()
    display_name = fields.String()
    made_on = fields.Date()
    answers = fields.Integer()
    correct = fields.Integer()
    completed = fields.Integer()
    last_active = fields.Date(allow_none=True)
    skills = fields.List(fields.Nested(ReportSkillSchema))
    progress = fields.List(fields.Nested(WeekSchema))
