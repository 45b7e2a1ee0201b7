"""Mastery per student and skill, recomputed from their answer events on every call.

Derived numbers are never stored or synced (invariant 7): any node holding the
same events (and the same replicated content and fitted parameters) shows the
same mastery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..db import db
from ..learning.ranking import stars
from ..learning.tracing import (
    Folded,
    Observation,
    SkillMastery,
    canonical_rows,
    finish,
    fold,
    trace_rows,
)
from ..models import Answer, Person
from ..replication.clock import district_now_ms
from .catalog import Catalog, catalog
from .event_cache import EventCache

AnswerRow = tuple[int, str, str, bool]  # (device time, answer id, skill id, correct)
_COLUMNS = (Answer.id, Answer.person_id, Answer.activity_id, Answer.correct, Answer.device_ms)


def _expand(raw: Iterable[tuple], cat: Catalog) -> dict[str, list[AnswerRow]]:
    """Answer rows from the cursor as one row per skill taught, per person."""
    result: dict[str, list[AnswerRow]] = {}
    skills_of = cat.skills_of
    for answer_id, person_id, activity_id, correct, device_ms in raw:
        out = result.setdefault(person_id, [])
        for skill in skills_of.get(activity_id, ()):
            out.append((device_ms, answer_id, skill, bool(correct)))
    return result


def answer_rows(person_ids: Iterable[str], cat: Catalog) -> dict[str, list[AnswerRow]]:
    """Each person's answers, one row per skill its activity teaches."""
    ids = list(dict.fromkeys(person_ids))
    result: dict[str, list[AnswerRow]] = {p: [] for p in ids}
    for start in range(0, len(ids), 500):
        query = Answer.live(*_COLUMNS).where(Answer.person_id.in_(ids[start : start + 500]))
        # The plain cursor: a student may have tens of thousands of answers, and peewee's
        # row conversion would cost more than the knowledge tracing itself.
        result.update(_expand(db.execute(query), cat))
    return result


def observations_of(person_ids: Iterable[str], cat: Catalog) -> dict[str, list[Observation]]:
    """Each person's answers as observations of the skills their activities teach."""
    return {
        person: [Observation(a, skill, right, ms) for ms, a, skill, right in rows]
        for person, rows in answer_rows(person_ids, cat).items()
    }


@dataclass(frozen=True)
class _Traced:
    """A student's answers folded up to their last one, before decay to now."""

    last: tuple[int, str]  # (device time, id) of the last answer in canonical order
    folded: Folded


def _traced(raw: list[tuple], cat: Catalog, base: _Traced | None = None) -> _Traced:
    """``raw`` answers (``_COLUMNS``) folded after ``base``'s, or from nothing."""
    rows = canonical_rows(row for rows in _expand(raw, cat).values() for row in rows)
    folded = {skill: list(values) for skill, values in base.folded.items()} if base else {}
    last = max([base.last if base else (0, ""), *((r[4], r[0]) for r in raw)])
    return _Traced(last, fold(folded, rows, cat.params))


def _extended(entry: _Traced, raw: list[tuple], cat: Catalog) -> _Traced | None:
    # An answer synced late can sort before the last one folded: then start again.
    if any((r[4], r[0]) <= entry.last for r in raw):
        return None
    return _traced(raw, cat, entry)


# Per student, for the catalog they were traced with: a content change starts again.
_cache: EventCache[_Traced] = EventCache(Answer, _COLUMNS, _traced, _extended)


def states_of(
    person_ids: Iterable[str], cat: Catalog, now_ms: int
) -> dict[str, dict[str, SkillMastery]]:
    """Each person's mastery of every skill of the catalog at ``now_ms``."""
    ids = list(dict.fromkeys(person_ids))
    if len(ids) == 1:
        return {ids[0]: finish(_cache.get(ids[0], cat).folded, cat.params, now_ms)}
    rows = answer_rows(ids, cat)
    return {p: trace_rows(r, cat.params, now_ms) for p, r in rows.items()}


def cached_states(
    person_ids: Iterable[str], cat: Catalog, now_ms: int
) -> dict[str, dict[str, SkillMastery]]:
    """``states_of`` through the per-student cache: for views polled again and again."""
    traced = _cache.get_many(list(person_ids), cat)  # a few statements, whatever the class
    return {p: finish(t.folded, cat.params, now_ms) for p, t in traced.items()}


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
    now = now_ms if now_ms is not None else district_now_ms()
    return mastery_items(cat, states_of([person.id], cat, now)[person.id])
