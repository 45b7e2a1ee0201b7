"""The class's mastery heatmap (students × skills), a skill's page, and their CSV rows.

Each cell is a level in words as well as a number, so the page never says it by
colour alone: *not started* (never practised), *struggling* (practised, P(known) now
under ``STRUGGLE_BELOW``), *learning*, *mastered*, and *review* (was mastered, has
decayed since). The columns are the skills some student of the class has practised.

The heatmap is polled: it reads each student's mastery from the per-student event
cache (``mastery.cached_states``: a count on the person index, then only new answers)
and the whole view is kept between polls while none of the class's students added an
answer and the roster is the same (``class_memo``), for at most ``DECAY_STEP_MS``
(decay, and new content), so five teachers watching cost the node little while the
class works.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from sync.hlc import wall_ms

from ..db import run_compiled
from ..errors import NotFound
from ..learning.ranking import stars
from ..learning.tracing import SkillMastery
from ..models import Answer, Classroom, Enrollment, Item, Person
from .catalog import Catalog, catalog
from .class_memo import ClassMemo
from .insights import STRUGGLE_BELOW, suggest_groups
from .mastery import cached_states
from .schools import class_students

LEVELS = ("not_started", "struggling", "learning", "mastered", "review")
DECAY_STEP_MS = 60_000  # decay moves slowly: a view a minute old still says the truth
GROUP_SIZE = 4
MISSED = 5

_memo = ClassMemo((Answer,), DECAY_STEP_MS)


def level_of(state: SkillMastery | None) -> str:
    """The level of a student on a skill, one of ``LEVELS``."""
    if state is None or state.attempts == 0:
        return "not_started"
    if state.needs_review:
        return "review"
    if state.mastered:
        return "mastered"
    return "struggling" if state.p_known_now < STRUGGLE_BELOW else "learning"


def _cell(skill_id: str, state: SkillMastery | None, prior: float) -> dict[str, Any]:
    practised = state is not None and state.attempts > 0
    return {
        "skill_id": skill_id,
        "level": level_of(state),
        "p_known_now": state.p_known_now if practised else prior,
        "attempts": state.attempts if practised else 0,
        "correct": state.correct if practised else 0,
        "stars": stars(state) if practised else 0,
    }


def _make(students: list[Any], cat: Catalog, now: int, classroom_id: str) -> dict[str, Any]:
    states = cached_states([s.id for s in students], cat, now)
    practised = sorted(
        {k for per in states.values() for k, s in per.items() if s.attempts > 0 and k in cat.titles}
    )
    rows = []
    for student in students:
        mine = states[student.id]
        cells = [_cell(k, mine.get(k), cat.prior(k)) for k in practised]
        done = [c for c in cells if c["attempts"]]
        rows.append(
            {
                "id": student.id,
                "display_name": student.display_name,
                "mastered": sum(1 for c in cells if c["level"] == "mastered"),
                "mean_p_known": sum(c["p_known_now"] for c in done) / len(done) if done else None,
                "cells": cells,
            }
        )
    return {
        "classroom_id": classroom_id,
        "now_ms": now,
        "levels": list(LEVELS),
        "skills": [{"skill_id": k, "title": cat.titles[k]} for k in practised],
        "students": rows,
    }


class _Student(NamedTuple):
    id: str
    display_name: str


def class_roster(classroom_id: str) -> list[_Student]:
    """The class's live students by name, as ``class_students`` (archived ones left out),
    as light tuples, compiled once: it runs per poll."""

    def build(mark: str) -> Any:
        ids = Enrollment.live(Enrollment.person_id).where(
            (Enrollment.classroom_id == mark) & (Enrollment.role == "student")
        )
        return (
            Person.live(Person.id, Person.display_name)
            .where(
                Person.id.in_(ids) & (Person.role == "student") & (Person.archived == False)  # noqa: E712
            )
            .order_by(Person.display_name)
        )

    return [_Student(*row) for row in run_compiled("class-roster", build, classroom_id)]


def class_heatmap(classroom: Classroom, now_ms: int | None = None, shape: Any = None) -> Any:
    """The heatmap of a class now; ``shape(view)`` (the API's JSON) is kept with it."""
    now = now_ms if now_ms is not None else wall_ms()
    students = class_roster(classroom.id)

    def make() -> Any:
        view = _make(students, catalog(), now, classroom.id)
        return shape(view) if shape else view

    if now_ms is not None:  # a chosen time (tests, reports): never a kept view
        return make()
    # The content snapshot is not asked for on a hit (its checksum reads every content
    # table): a new pack shows within DECAY_STEP_MS, with the decay.
    ids = [s.id for s in students]  # other classes' answers leave the kept view as it is
    return _memo.get(classroom.id, (tuple(students), shape), now, make, person_ids=ids)


def heatmap_csv_rows(view: dict[str, Any], language: str) -> tuple[list[str], list[list[Any]]]:
    """The heatmap as a spreadsheet: a row per student, level and P(known) per skill."""
    titles = [_title(s["title"], language, s["skill_id"]) for s in view["skills"]]
    header = ["student", "skills mastered", "mean P(known)"]
    for title in titles:
        header += [f"{title}: level", f"{title}: P(known)", f"{title}: answers"]
    rows = []
    for student in view["students"]:
        row: list[Any] = [student["display_name"], student["mastered"], student["mean_p_known"]]
        for cell in student["cells"]:
            row += [
                cell["level"].replace("_", " "),
                round(cell["p_known_now"], 3),
                cell["attempts"],
            ]
        rows.append(row)
    return header, rows


def _title(title: dict[str, str], language: str, fallback: str) -> str:
    return title.get(language) or title.get("en") or next(iter(title.values()), fallback)


def skill_view(classroom: Classroom, skill_id: str, now_ms: int | None = None) -> dict[str, Any]:
    """One skill in a class: every student's level, who struggles, most-missed items,
    and a suggested grouping by level."""
    cat = catalog()
    if skill_id not in cat.titles:
        raise NotFound(f"No skill with id {skill_id}.")
    now = now_ms if now_ms is not None else wall_ms()
    students = class_students(classroom)
    states = cached_states([s.id for s in students], cat, now)
    prior = cat.prior(skill_id)
    rows = [
        {
            "id": s.id,
            "display_name": s.display_name,
            **_cell(skill_id, states[s.id].get(skill_id), prior),
        }
        for s in students
    ]
    activities = [a for a, skills in cat.skills_of.items() if skill_id in skills]
    wrong = Counter(
        item_id
        for (item_id,) in Answer.live(Answer.item_id)
        .where(
            Answer.person_id.in_([s.id for s in students])
            & Answer.activity_id.in_(activities)
            & (Answer.correct == False)  # noqa: E712
        )
        .tuples()
    )
    top = sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))[:MISSED]
    items = {i.id: i for i in Item.select().where(Item.id.in_([k for k, _ in top]))}
    missed = [
        {
            "item_id": item_id,
            "activity_id": items[item_id].activity_id if item_id in items else None,
            "activity_title": _activity_title(cat, items.get(item_id)),
            "prompt": items[item_id].prompt if item_id in items else "",
            "wrong": count,
        }
        for item_id, count in top
    ]
    return {
        "skill_id": skill_id,
        "title": cat.titles[skill_id],
        "students": rows,
        "struggling": [r["id"] for r in rows if r["level"] in ("struggling", "review")],
        "missed_items": missed,
        # Levels need answers: with none in the class, a grouping "by level" would be
        # the roster cut in order, and a teacher would take it for a judgement.
        "suggested_groups": suggest_groups(classroom, skill_id, "level", GROUP_SIZE, now)
        if any(r["attempts"] for r in rows)
        else [],
    }


def _activity_title(cat: Catalog, item: Item | None) -> str | None:
    if item is None:
        return None
    info = cat.activities.get(item.activity_id)
    return info.title if info else None
