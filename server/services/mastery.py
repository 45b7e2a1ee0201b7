"""Mastery per student and skill, recomputed from their answer events on every call.

Derived numbers are never stored or synced (invariant 7): any node holding the
same events shows the same mastery.
"""

from __future__ import annotations

from typing import Any

from sync.hlc import wall_ms

from ..mastery import DEFAULT_PARAMS, Observation, params_from_pack, trace
from ..models import ActivitySkill, Answer, Person, Skill


def mastery_of(person: Person, now_ms: int | None = None) -> list[dict[str, Any]]:
    """Every skill with the student's mastery of it (the prior where never practised)."""
    answers = list(
        Answer.live(Answer.id, Answer.activity_id, Answer.correct, Answer.device_ms).where(
            Answer.person_id == person.id
        )
    )
    activity_ids = list({a.activity_id for a in answers})
    skills_of: dict[str, list[str]] = {}
    for start in range(0, len(activity_ids), 500):
        batch = activity_ids[start : start + 500]
        for link in ActivitySkill.live().where(ActivitySkill.activity_id.in_(batch)):
            skills_of.setdefault(link.activity_id, []).append(link.skill_id)
    observations = [
        Observation(a.id, skill, bool(a.correct), a.device_ms)
        for a in answers
        for skill in skills_of.get(a.activity_id, [])
    ]
    skills = list(Skill.live().order_by(Skill.id))
    params = {s.id: params_from_pack(s.bkt) for s in skills}
    traced = trace(observations, params, now_ms if now_ms is not None else wall_ms())
    result = []
    for skill in skills:
        state = traced.get(skill.id)
        prior = params.get(skill.id, DEFAULT_PARAMS).prior
        result.append(
            {
                "skill_id": skill.id,
                "title": skill.title,
                "p_known": state.p_known if state else prior,
                "p_known_now": state.p_known_now if state else prior,
                "attempts": state.attempts if state else 0,
                "correct": state.correct if state else 0,
                "last_ms": state.last_ms if state else None,
                "mastered": state.mastered if state else False,
                "needs_review": state.needs_review if state else False,
            }
        )
    return result
