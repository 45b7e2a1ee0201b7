"""The individual learning plan: one student's profile, goals, path, mastery and feedback.

Served as JSON and as a printable page; both are built here from one ``StudentView``
(one mastery trace).
"""

from __future__ import annotations

from typing import Any

from ..models import Feedback, Goal, Person
from .insights import strengths_of
from .profiles import profile_of
from .recommendations import StudentView

PATH_LENGTH = 10
RECENT_FEEDBACK = 10


def plan_of(
    person: Person, language: str | None = None, now_ms: int | None = None
) -> dict[str, Any]:
    """A student's individual learning plan."""
    view = StudentView(person, now_ms)
    language = language or person.language
    profile = profile_of(person)
    path = view.recommendations(PATH_LENGTH, language)
    skip = {r["activity_id"] for r in path}
    goals = list(
        Goal.live()
        .where((Goal.person_id == person.id) & (Goal.status != "dropped"))
        .order_by(Goal.status, Goal.due_on, Goal.id)
    )
    standing = strengths_of(person, view.states)
    feedback = (
        Feedback.live()
        .where(Feedback.person_id == person.id)
        .order_by(Feedback.device_ms.desc(), Feedback.id)
        .limit(RECENT_FEEDBACK)
    )
    authors = {p.id: p.display_name for p in Person.select(Person.id, Person.display_name)
               .where(Person.id.in_([f.author_id for f in feedback]))}  # fmt: skip
    return {
        "person": {
            "id": person.id,
            "display_name": person.display_name,
            "language": person.language,
        },
        "profile": {
            "interests": profile.interests,
            "motivations": profile.motivations,
            "modalities": profile.modalities,
            "languages": profile.languages,
            "notes": profile.notes,
        },
        "accommodations": profile.accommodations,
        "goals": view.goals(goals),
        "path": path,
        "assignments": view.open_assignments(language, skip),
        "mastery": view.mastery(),
        "strengths": standing["strongest"],
        "weaknesses": standing["weakest"],
        "missed_items": standing["missed_items"],
        "feedback": [
            {
                "id": f.id,
                "author_id": f.author_id,
                "author": authors.get(f.author_id, ""),
                "activity_id": f.activity_id,
                "text": f.text,
                "device_ms": f.device_ms,
            }
            for f in feedback
        ],
        "generated_ms": view.now_ms,
    }
