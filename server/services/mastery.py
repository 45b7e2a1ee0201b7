"""Mastery per student and skill, recomputed from their answer events on every call.

Derived numbers are never stored or synced (invariant 7): any node holding the
same events (and the same replicated content and fitted parameters) shows the
same mastery.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sync.hlc import wall_ms

from ..mastery import Observation, SkillMastery, trace
from ..models import Answer, Person
from ..recommend import stars
from .catalog import Catalog, catalog


def observations_of(person_ids: Iterable[str], cat: Catalog) -> dict[str, list[Observation]]:
    """Each person's answers as observations of the skills their activities teach."""
    ids = list(dict.fromkeys(person_ids))
    result: dict[str, list[Observation]] = {p: [] for p in ids}
    columns = (Answer.id, Answer.person_id, Answer.activity_id, Answer.correct, Answer.device_ms)
    skills_of = cat.skills_of
    for start in range(0, len(ids), 500):
        query = Answer.live(*columns).where(Answer.person_id.in_(ids[start : start + 500]))
        for answer_id, person_id, activity_id, correct, device_ms in query.tuples():
            out = result[person_id]
            for skill in skills_of.get(activity_id, ()):
                out.append(Observation(answer_id, skill, bool(correct), device_ms))
    return result


def states_of(
    person_ids: Iterable[str], cat: Catalog, now_ms: int
) -> dict[str, dict[str, SkillMastery]]:
    """Each person's mastery of every skill of the catalog at ``now_ms``."""
    observed = observations_of(person_ids, cat)
    return {p: trace(obs, cat.params, now_ms) for p, obs in observed.items()}


def mastery_items(cat: Catalog, states: dict[str, SkillMastery]) -> list[dict[str, Any]]:
    """Every skill with the student's mastery of it (the prior where never practised)."""
    result = []
    for skill_id in cat.skill_ids:
        state = states.get(skill_id)
        prior = cat.prior(skill_id)
        result.append(
            {
                "skill_id": skill_id,
                "title": cat.titles[skill_id],
                "p_known": state.p_known if state else prior,
                "p_known_now": state.p_known_now if state else prior,
                "attempts": state.attempts if state else 0,
                "correct": state.correct if state else 0,
                "last_ms": state.last_ms if state else None,
                "mastered": state.mastered if state else False,
                "needs_review": state.needs_review if state else False,
                "stars": stars(state),
            }
        )
    return result


def mastery_of(person: Person, now_ms: int | None = None) -> list[dict[str, Any]]:
    """Every skill with the student's mastery of it, traced from their answers now."""
    cat = catalog()
    now = now_ms if now_ms is not None else wall_ms()
    return mastery_items(cat, states_of([person.id], cat, now)[person.id])
