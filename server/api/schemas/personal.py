"""Schemas of the personalization endpoints: recommendations, home, plan, insights, groups."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .common import LANGUAGE, Id, Text
from .learning import GoalSchema, PersonNameSchema, SkillMasterySchema

TITLE = fields.Dict(keys=fields.String(), values=fields.String())


class LanguageQuery(Schema):
    """The language to prefer (default: the student's)."""

    class Meta:
        unknown = EXCLUDE

    language = fields.String(load_default=None, validate=LANGUAGE)


class RecommendationQuery(LanguageQuery):
    """How many recommendations, in which language."""

    limit = fields.Integer(load_default=5, validate=validate.Range(1, 50))


class ReasonSchema(Schema):
    """Why an activity is recommended: a code to translate, its params, English text."""

    code = fields.String(
        metadata={
            "description": "pinned, assigned, continue, next_skill, review, practice_more, "
            "interest, modality, level, language, variety"
        }
    )
    params = fields.Dict(keys=fields.String(), values=fields.Raw())
    text = fields.String()


class SkillRefSchema(Schema):
    """A skill's id and title."""

    id = fields.String()
    title = TITLE


class RecommendationSchema(Schema):
    """A recommended activity with its reasons, strongest first."""

    activity_id = fields.String()
    title = fields.String()
    kind = fields.String()
    modality = fields.String()
    language = fields.String()
    minutes = fields.Integer()
    difficulty = fields.Integer()
    skills = fields.List(fields.Nested(SkillRefSchema))
    assigned = fields.Boolean()
    pinned = fields.Boolean()
    due_on = fields.String(allow_none=True)
    score = fields.Float()
    reasons = fields.List(fields.Nested(ReasonSchema))


class RecommendationListSchema(Schema):
    """Recommendations, best first."""

    items = fields.List(fields.Nested(RecommendationSchema))


class PersonBriefSchema(Schema):
    """Who the page is about."""

    id = fields.String()
    display_name = fields.String()
    language = fields.String()


class ContinueSchema(Schema):
    """The activity the student left unfinished."""

    activity_id = fields.String()
    title = fields.String()
    kind = fields.String()
    attempt_started_ms = fields.Integer()


class TeacherWordSchema(Schema):
    """A teacher's comment on the student's work, or the note on an assignment."""

    key = fields.String(metadata={"description": "This version of the words (seen-marks)"})
    kind = fields.String(metadata={"description": "feedback or note"})
    author = fields.String()
    activity_id = fields.String(allow_none=True)
    attempt_id = fields.String(allow_none=True)
    text = fields.String()
    at_ms = fields.Integer()


class HomeGroupSchema(Schema):
    """A group the student is in, and the others in it."""

    id = fields.String()
    name = fields.String()
    others = fields.List(fields.Nested(PersonNameSchema))


class HomeSchema(Schema):
    """Everything the student's home screen shows, in one response."""

    person = fields.Nested(PersonBriefSchema)
    # "continue" is a Python keyword: the attribute is read by data_key.
    continue_ = fields.Nested(
        ContinueSchema, allow_none=True, data_key="continue", attribute="continue"
    )
    recommendations = fields.List(fields.Nested(RecommendationSchema))
    assignments = fields.List(fields.Nested(RecommendationSchema))
    goals = fields.List(fields.Nested(GoalSchema))
    mastery = fields.List(fields.Nested(SkillMasterySchema))
    teacher_words = fields.List(fields.Nested(TeacherWordSchema))
    accommodations = fields.Dict(keys=fields.String(), values=fields.Boolean())
    groups = fields.List(fields.Nested(HomeGroupSchema))


class SkillStandingSchema(Schema):
    """A student's standing on one practised skill."""

    skill_id = fields.String()
    title = TITLE
    p_known_now = fields.Float()
    attempts = fields.Integer()
    correct = fields.Integer()
    mastered = fields.Boolean()
    stars = fields.Integer()


class MissedItemSchema(Schema):
    """An item the student often gets wrong."""

    item_id = fields.String()
    activity_id = fields.String(allow_none=True)
    prompt = fields.String()
    wrong = fields.Integer()
    answers = fields.Integer()


class StrengthsSchema(Schema):
    """Strongest and weakest practised skills, and the items most missed."""

    strongest = fields.List(fields.Nested(SkillStandingSchema))
    weakest = fields.List(fields.Nested(SkillStandingSchema))
    missed_items = fields.List(fields.Nested(MissedItemSchema))


class StruggleSchema(Schema):
    """A skill of a class with how many of its students struggle with it."""

    skill_id = fields.String()
    title = TITLE
    struggling = fields.Integer()
    practised = fields.Integer()
    mastered = fields.Integer()
    students = fields.Integer()
    struggling_ids = fields.List(fields.String())


class GroupSuggestionQuery(Schema):
    """For which skill, grouped how, about how many per group."""

    class Meta:
        unknown = EXCLUDE

    skill_id = Id(required=True)
    mode = fields.String(load_default="level", validate=validate.OneOf(("level", "mixed")))
    size = fields.Integer(load_default=4, validate=validate.Range(2, 50))


class SuggestedMemberSchema(Schema):
    """A student in a suggested group, with their level on the skill."""

    id = fields.String()
    display_name = fields.String()
    p_known_now = fields.Float()
    stars = fields.Integer()
    practised = fields.Boolean(metadata={"description": "has answered on this skill"})


class GroupSuggestionSchema(Schema):
    """A suggested group; POST it to /classes/<id>/groups to accept it."""

    name = fields.String()
    kind = fields.String()
    skill_id = fields.String()
    member_ids = fields.List(fields.String())
    members = fields.List(fields.Nested(SuggestedMemberSchema))
    mean_p_known = fields.Float()


class GroupPatchSchema(Schema):
    """A group's new name or members (the whole list)."""

    name = Text(200, 1)
    member_ids = fields.List(Id(), validate=validate.Length(max=200))


class PlanProfileSchema(Schema):
    """The profile part of a plan."""

    interests = fields.List(fields.String())
    motivations = fields.List(fields.String())
    modalities = fields.List(fields.String())
    languages = fields.List(fields.String())
    notes = fields.String()


class PlanFeedbackSchema(Schema):
    """A teacher's comment in the plan."""

    id = fields.String()
    author_id = fields.String()
    author = fields.String()
    activity_id = fields.String(allow_none=True)
    text = fields.String()
    device_ms = fields.Integer()


class PlanSchema(Schema):
    """An individual learning plan."""

    person = fields.Nested(PersonBriefSchema)
    profile = fields.Nested(PlanProfileSchema)
    accommodations = fields.List(fields.String())
    goals = fields.List(fields.Nested(GoalSchema))
    path = fields.List(fields.Nested(RecommendationSchema))
    assignments = fields.List(fields.Nested(RecommendationSchema))
    mastery = fields.List(fields.Nested(SkillMasterySchema))
    strengths = fields.List(fields.Nested(SkillStandingSchema))
    weaknesses = fields.List(fields.Nested(SkillStandingSchema))
    missed_items = fields.List(fields.Nested(MissedItemSchema))
    feedback = fields.List(fields.Nested(PlanFeedbackSchema))
    generated_ms = fields.Integer()


class ProfileVersionSchema(Schema):
    """An earlier version of a learner profile."""

    version_hlc = fields.Integer()
    version_origin = fields.String()
    data = fields.Dict()
