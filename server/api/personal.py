"""Personalization: recommendations, the student's home, the learning plan, insights, groups."""

from __future__ import annotations

from flask import Blueprint, g

from ..auth.access import SIGNED_IN, STAFF
from ..services import insights, learning, plan, recommendations, schools
from .contract import endpoint
from .schemas.personal import (
    GroupSuggestionQuery,
    GroupSuggestionSchema,
    HomeSchema,
    LanguageQuery,
    PlanSchema,
    RecommendationListSchema,
    RecommendationQuery,
    StrengthsSchema,
    StruggleSchema,
)

bp = Blueprint("personal", __name__, url_prefix="/api/v1")


@bp.get("/people/<person_id>/recommendations")
@endpoint(
    SIGNED_IN,
    "A student's next activities, ranked, each with its reasons",
    query=RecommendationQuery,
    response=RecommendationListSchema,
)
def get_recommendations(person_id, query):
    student = learning.get_student(g.user, person_id)
    language = query["language"] or student.language
    return {"items": recommendations.recommend(student, query["limit"], language)}


@bp.get("/people/<person_id>/home")
@endpoint(
    SIGNED_IN,
    "A student's home screen in one call: continue, recommendations, assignments, goals, mastery",
    query=LanguageQuery,
    response=HomeSchema,
)
def get_home(person_id, query):
    return recommendations.home(learning.get_student(g.user, person_id), query["language"])


@bp.get("/people/<person_id>/plan")
@endpoint(
    SIGNED_IN, "A student's individual learning plan", query=LanguageQuery, response=PlanSchema
)
def get_plan(person_id, query):
    return plan.plan_of(learning.get_student(g.user, person_id), query["language"])


@bp.get("/people/<person_id>/strengths")
@endpoint(
    SIGNED_IN,
    "A student's strongest and weakest skills and the items most missed",
    response=StrengthsSchema,
)
def get_strengths(person_id):
    return insights.strengths_of(learning.get_student(g.user, person_id))


@bp.get("/classes/<classroom_id>/struggles")
@endpoint(
    STAFF,
    "Skills of a class, those most of its students struggle with first",
    response=StruggleSchema,
    many=True,
)
def get_struggles(classroom_id):
    return insights.struggles(schools.get_class(g.user, classroom_id, manage=True))


@bp.get("/classes/<classroom_id>/group-suggestions")
@endpoint(
    STAFF,
    "Suggested groups for a skill: by level, or mixed for peer teaching",
    query=GroupSuggestionQuery,
    response=GroupSuggestionSchema,
    many=True,
    errors=(404,),
)
def get_group_suggestions(classroom_id, query):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    return insights.suggest_groups(classroom, query["skill_id"], query["mode"], query["size"])
