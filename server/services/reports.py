"""Reports: a class's and a student's work and mastery, their progress week by week.

The same figures feed the printable pages, the CSV exports (through
``interop/spreadsheet.py``) and the SVG charts (``interop/svg_chart.py``). Weeks
are counted from the node's receipt time of each answer and attempt, never the
tablet's clock (DESIGN invariant 9), and named by their Monday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sync.hlc import wall_ms

from ..models import Answer, Attempt, Person
from .catalog import catalog
from .heatmap import level_of
from .mastery import mastery_items, states_of
from .people import get_person
from .schools import class_students, get_class

MAX_WEEKS = 26


def _date(ms: int | None) -> dt.date | None:
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).date()


def _monday(ms: int) -> dt.date:
    day = _date(ms)
    assert day is not None
    return day - dt.timedelta(days=day.weekday())


def _progress(person_ids: list[str]) -> list[dict[str, Any]]:
    """Per week (its Monday): answers, right ones, activities finished, and totals so far."""
    weeks: dict[dt.date, dict[str, int]] = {}

    def week(ms: int) -> dict[str, int]:
        return weeks.setdefault(_monday(ms), {"answers": 0, "correct": 0, "completed": 0})

    if person_ids:
        answers = Answer.live(Answer.received_ms, Answer.correct).where(
            Answer.person_id.in_(person_ids)
        )
        for answer in answers.tuples():
            counts = week(answer[0])
            counts["answers"] += 1
            counts["correct"] += bool(answer[1])
        attempts = Attempt.live(Attempt.received_ms).where(
            Attempt.person_id.in_(person_ids) & (Attempt.completed == True)  # noqa: E712
        )
        for (received_ms,) in attempts.tuples():
            week(received_ms)["completed"] += 1
    out, total_correct, total_completed = [], 0, 0
    for monday in sorted(weeks)[-MAX_WEEKS:]:
        counts = weeks[monday]
        total_correct += counts["correct"]
        total_completed += counts["completed"]
        out.append(
            {
                "week": monday,
                **counts,
                "correct_so_far": total_correct,
                "completed_so_far": total_completed,
            }
        )
    return out


def _work(person_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per student: answers, right answers, activities finished, last day active."""
    work = {p: {"answers": 0, "correct": 0, "completed": 0, "last_ms": None} for p in person_ids}
    if not person_ids:
        return work
    for person_id, correct, received_ms in (
        Answer.live(Answer.person_id, Answer.correct, Answer.received_ms)
        .where(Answer.person_id.in_(person_ids))
        .tuples()
    ):
        entry = work[person_id]
        entry["answers"] += 1
        entry["correct"] += bool(correct)
        entry["last_ms"] = max(entry["last_ms"] or 0, received_ms)
    for person_id, received_ms in (
        Attempt.live(Attempt.person_id, Attempt.received_ms)
        .where(Attempt.person_id.in_(person_ids) & (Attempt.completed == True))  # noqa: E712
        .tuples()
    ):
        entry = work[person_id]
        entry["completed"] += 1
        entry["last_ms"] = max(entry["last_ms"] or 0, received_ms)
    return work


def class_report(user: Person, classroom_id: str) -> dict[str, Any]:
    """A class's students with their work and skills mastered, and the class's progress."""
    classroom = get_class(user, classroom_id)
    students = class_students(classroom)
    ids = [s.id for s in students]
    cat = catalog()
    states = states_of(ids, cat, wall_ms())
    work = _work(ids)
    rows = []
    for student in students:
        done = work[student.id]
        mastered = sum(1 for s in states.get(student.id, {}).values() if s.mastered)
        rows.append(
            {
                "person_id": student.id,
                "display_name": student.display_name,
                "answers": done["answers"],
                "correct": done["correct"],
                "correct_share": round(done["correct"] / done["answers"], 4)
                if done["answers"]
                else None,
                "completed": done["completed"],
                "skills_mastered": mastered,
                "last_active": _date(done["last_ms"]),
            }
        )
    return {
        "classroom_id": classroom.id,
        "name": classroom.name,
        "made_on": _date(wall_ms()),
        "skills": len(cat.skill_ids),
        "students": rows,
        "progress": _progress(ids),
    }


def student_report(user: Person, person_id: str) -> dict[str, Any]:
    """A student's work, their mastery of every skill they practised, and their progress."""
    person = get_person(user, person_id)
    cat = catalog()
    states = states_of([person.id], cat, wall_ms())[person.id]
    done = _work([person.id])[person.id]
    skills = [
        # The level in the heatmap's words (a skill mastered once and faded is "review").
        {**s, "last_practised": _date(s["last_ms"]), "level": level_of(states.get(s["skill_id"]))}
        for s in mastery_items(cat, states)
        if s["attempts"]
    ]
    return {
        "person_id": person.id,
        "display_name": person.display_name,
        "made_on": _date(wall_ms()),
        "answers": done["answers"],
        "correct": done["correct"],
        "completed": done["completed"],
        "last_active": _date(done["last_ms"]),
        "skills": skills,
        "progress": _progress([person.id]),
    }


CLASS_CSV_HEADER = (
    "student", "answers", "correct", "correct share", "activities finished",
    "skills mastered", "last active",
)  # fmt: skip
STUDENT_CSV_HEADER = (
    "skill", "mastery", "answers", "correct", "mastered", "needs review", "last practised",
)  # fmt: skip


def class_csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    """The class report as spreadsheet rows (numbers as numbers, dates as dates)."""
    return [
        [s["display_name"], s["answers"], s["correct"], s["correct_share"], s["completed"],
         s["skills_mastered"], s["last_active"]]
        for s in report["students"]
    ]  # fmt: skip


def title_in(title: dict[str, str], language: str) -> str:
    """A skill's title in a language, else in English, else in any."""
    return title.get(language) or title.get("en") or next(iter(title.values()), "")


def student_csv_rows(report: dict[str, Any], language: str) -> list[list[Any]]:
    """The student report as spreadsheet rows, one per skill practised."""
    return [
        [title_in(s["title"], language), round(s["p_known_now"], 4), s["attempts"],
         s["correct"], s["mastered"], s["needs_review"], s["last_practised"]]
        for s in report["skills"]
    ]  # fmt: skip
