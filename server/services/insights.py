"""Strengths and weaknesses of a student, struggles of a class, and group suggestions.

All recomputed from answers (invariant 7). A student *struggles* with a skill they
have practised whose P(known) now is under ``STRUGGLE_BELOW``, or that needs review.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..errors import InvalidInput
from ..learning.ranking import stars
from ..learning.tracing import SkillMastery
from ..models import Answer, Classroom, Item, Person, Skill
from ..replication.clock import district_now_ms
from .catalog import Catalog, catalog
from .mastery import states_of
from .rows import get_live
from .schools import class_students

STRUGGLE_BELOW = 0.5
TOP = 5


def struggling(state: SkillMastery | None) -> bool:
    """Practised and not going well: low P(known) now, or decayed since mastered."""
    if state is None or state.attempts == 0:
        return False
    return state.needs_review or (not state.mastered and state.p_known_now < STRUGGLE_BELOW)


def _skill_row(cat: Catalog, state: SkillMastery) -> dict[str, Any]:
    return {
        "skill_id": state.skill_id,
        "title": cat.titles.get(state.skill_id, {"en": state.skill_id}),
        "p_known_now": state.p_known_now,
        "attempts": state.attempts,
        "correct": state.correct,
        "mastered": state.mastered,
        "stars": stars(state),
    }


def missed_items(person: Person, limit: int = TOP) -> list[dict[str, Any]]:
    """The items a student got wrong most often (ties by item id)."""
    wrong = Counter(
        item_id
        for (item_id,) in Answer.live(Answer.item_id)
        .where((Answer.person_id == person.id) & (Answer.correct == False))  # noqa: E712
        .tuples()
    )
    top = sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    items = {i.id: i for i in Item.select().where(Item.id.in_([k for k, _ in top]))}
    answered = Counter(
        item_id
        for (item_id,) in Answer.live(Answer.item_id)
        .where((Answer.person_id == person.id) & Answer.item_id.in_([k for k, _ in top]))
        .tuples()
    )
    return [
        {
            "item_id": item_id,
            "activity_id": items[item_id].activity_id if item_id in items else None,
            "prompt": items[item_id].prompt if item_id in items else "",
            "wrong": count,
            "answers": answered[item_id],
        }
        for item_id, count in top
    ]


def strengths_of(
    person: Person, states: dict[str, SkillMastery] | None = None, now_ms: int | None = None
) -> dict[str, Any]:
    """A student's strongest and weakest practised skills, and the items most missed."""
    cat = catalog()
    if states is None:
        now = now_ms if now_ms is not None else district_now_ms()
        states = states_of([person.id], cat, now)[person.id]
    practised = [s for s in states.values() if s.attempts > 0]
    strongest = sorted(practised, key=lambda s: (-s.p_known_now, s.skill_id))[:TOP]
    weak = [s for s in practised if not s.mastered]
    weakest = sorted(weak, key=lambda s: (s.p_known_now, s.skill_id))[:TOP]
    return {
        "strongest": [_skill_row(cat, s) for s in strongest],
        "weakest": [_skill_row(cat, s) for s in weakest],
        "missed_items": missed_items(person),
    }


def struggles(classroom: Classroom, now_ms: int | None = None) -> list[dict[str, Any]]:
    """Skills of the class's practice, most students struggling first, with counts."""
    cat = catalog()
    students = class_students(classroom)
    now = now_ms if now_ms is not None else district_now_ms()
    states = states_of([s.id for s in students], cat, now)
    rows = []
    for skill_id in cat.skill_ids:
        per = [states[s.id].get(skill_id) for s in students]
        practised = [s for s in per if s is not None and s.attempts > 0]
        if not practised:
            continue
        stuck = [p.id for p, s in zip(students, per) if struggling(s)]
        rows.append(
            {
                "skill_id": skill_id,
                "title": cat.titles[skill_id],
                "struggling": len(stuck),
                "practised": len(practised),
                "mastered": sum(1 for s in practised if s.mastered),
                "students": len(students),
                "struggling_ids": sorted(stuck),
            }
        )
    rows.sort(key=lambda r: (-r["struggling"], -r["practised"], r["skill_id"]))
    return rows


def _chunks(count: int, size: int) -> list[int]:
    """Sizes of ceil(count / size) groups as equal as possible, bigger ones first."""
    groups = max(1, -(-count // size))
    base, extra = divmod(count, groups)
    return [base + (1 if i < extra else 0) for i in range(groups)]


def _practised(state: SkillMastery | None) -> bool:
    return state is not None and state.attempts > 0


def suggest_groups(
    classroom: Classroom, skill_id: str, mode: str, size: int, now_ms: int | None = None
) -> list[dict[str, Any]]:
    """Groups of about ``size`` students for a skill: by similar level, or mixed levels.

    ``level``: students ordered by P(known) now (highest first, ties by id) and cut
    into consecutive groups. ``mixed``: the same order dealt to the groups in a snake
    (1, 2, 3, 3, 2, 1, ...), so every group has stronger and weaker students to teach
    and learn from each other. Groups are as equal in size as possible.
    """
    if mode not in ("level", "mixed"):
        raise InvalidInput("Mode is level or mixed.", {"mode": ["Not one of: level, mixed."]})
    skill = get_live(Skill, skill_id, "skill")
    cat = catalog()
    students = class_students(classroom)
    now = now_ms if now_ms is not None else district_now_ms()
    states = states_of([s.id for s in students], cat, now)
    prior = cat.prior(skill.id)

    def level(p: Person) -> float:
        state = states[p.id].get(skill.id)
        return state.p_known_now if state else prior

    ordered = sorted(students, key=lambda p: (-level(p), p.id))
    sizes = _chunks(len(ordered), size) if ordered else []
    members: list[list[Person]] = [[] for _ in sizes]
    if mode == "level":
        start = 0
        for index, n in enumerate(sizes):
            members[index] = ordered[start : start + n]
            start += n
    else:
        order = list(range(len(sizes)))
        snake = order + order[::-1]
        slot = 0
        for person in ordered:
            while len(members[snake[slot % len(snake)]]) >= sizes[snake[slot % len(snake)]]:
                slot += 1
            members[snake[slot % len(snake)]].append(person)
            slot += 1
    title = skill.title.get("en") or skill.id
    result = []
    for index, group in enumerate(members):
        levels = [level(p) for p in group]
        result.append(
            {
                "name": f"{title} · {mode} {index + 1}",
                "kind": mode,
                "skill_id": skill.id,
                "member_ids": [p.id for p in group],
                "members": [
                    {
                        "id": p.id,
                        "display_name": p.display_name,
                        "p_known_now": lv,
                        "stars": stars(states[p.id].get(skill.id)),
                        "practised": _practised(states[p.id].get(skill.id)),
                    }
                    for p, lv in zip(group, levels)
                ],
                "mean_p_known": sum(levels) / len(levels) if levels else 0.0,
            }
        )
    return result
