"""The live class view: who is working on what now, and who needs help, with why.

Read from the last half hour of answers and attempts of the class's students (one
query each, bounded by time), so a teacher's view that polls every few seconds costs
the node little. A student *needs help* when, in that window:

- their last ``WRONG_STREAK`` or more answers on one skill were all wrong;
- their last answer used every hint of its question;
- they are mid-activity (answered, not finished) and have not answered for
  ``IDLE_AFTER_MS``.
"""

from __future__ import annotations

from typing import Any

from sync.hlc import wall_ms

from ..models import Answer, Attempt, Classroom, Item
from .catalog import catalog
from .schools import class_students

WINDOW_MS = 30 * 60 * 1000  # answers older than this say nothing about now
IDLE_AFTER_MS = 3 * 60 * 1000
WRONG_STREAK = 3
_ANSWER_COLUMNS = (
    Answer.id,
    Answer.person_id,
    Answer.attempt_id,
    Answer.activity_id,
    Answer.item_id,
    Answer.correct,
    Answer.hints_used,
    Answer.device_ms,
    Answer.received_ms,
)


def _skill_of(cat: Any, activity_id: str) -> str | None:
    info = cat.activities.get(activity_id)
    return info.skill_ids[0] if info and info.skill_ids else None


def _help(answers: list[Any], cat: Any, hints: dict[str, int], mid: bool, now: int) -> list[dict]:
    """The reasons a student needs help now (newest answer last in ``answers``)."""
    reasons: list[dict[str, Any]] = []
    last = answers[-1]
    skill = _skill_of(cat, last.activity_id)
    streak = 0
    for answer in reversed(answers):
        if answer.correct or _skill_of(cat, answer.activity_id) != skill:
            break
        streak += 1
    if skill and streak >= WRONG_STREAK:
        reasons.append({"reason": "wrong_streak", "count": streak, "skill_id": skill})
    if last.hints_used and last.hints_used >= hints.get(last.item_id, 10**6):
        reasons.append({"reason": "all_hints", "count": last.hints_used, "skill_id": skill})
    idle = now - last.received_ms
    if mid and idle >= IDLE_AFTER_MS:
        reasons.append({"reason": "idle", "minutes": idle // 60000, "skill_id": skill})
    for reason in reasons:
        reason["skill_title"] = cat.titles.get(reason["skill_id"], {}) if reason["skill_id"] else {}
    return reasons


def live_view(classroom: Classroom, now_ms: int | None = None) -> dict[str, Any]:
    """Each student of the class: working, idle or away; on what; why they need help."""
    now = now_ms if now_ms is not None else wall_ms()
    since = now - WINDOW_MS
    students = class_students(classroom)
    ids = [s.id for s in students]
    answers: dict[str, list[Any]] = {}
    # Named tuples of the columns read, not model objects: while a class works the
    # window holds thousands of answers, and this runs whenever a poll finds new ones.
    for answer in (
        Answer.live(*_ANSWER_COLUMNS)
        .where(Answer.person_id.in_(ids) & (Answer.received_ms >= since))
        .order_by(Answer.received_ms, Answer.device_ms, Answer.id)
        .namedtuples()
    ):
        answers.setdefault(answer.person_id, []).append(answer)
    finished: dict[str, list[Any]] = {}
    for attempt in (
        Attempt.live(Attempt.id, Attempt.person_id, Attempt.activity_id, Attempt.ended_ms)
        .where(Attempt.person_id.in_(ids) & (Attempt.received_ms >= since))
        .namedtuples()
    ):
        finished.setdefault(attempt.person_id, []).append(attempt)
    hinted = {a[-1].item_id for a in answers.values() if a[-1].hints_used}
    hints = {
        item.id: len(item.hints or [])
        for item in Item.select(Item.id, Item.hints).where(Item.id.in_(list(hinted)))
    }
    cat = catalog()
    rows = []
    for student in students:
        mine = answers.get(student.id)
        row: dict[str, Any] = {
            "id": student.id,
            "display_name": student.display_name,
            "state": "away",
            "activity_id": None,
            "activity_title": None,
            "last_answer_ms": None,
            "last_correct": None,
            "help": [],
        }
        if mine:
            last = mine[-1]
            ended = any(
                a.id == last.attempt_id
                or (a.activity_id == last.activity_id and a.ended_ms >= last.device_ms)
                for a in finished.get(student.id, [])
            )
            info = cat.activities.get(last.activity_id)
            idle = now - last.received_ms >= IDLE_AFTER_MS
            row.update(
                state="away" if ended else ("idle" if idle else "working"),
                activity_id=None if ended else last.activity_id,
                activity_title=None if ended or info is None else info.title,
                last_answer_ms=last.received_ms,
                last_correct=last.correct,
                help=_help(mine, cat, hints, not ended, now),
            )
        rows.append(row)
    needing = [r for r in rows if r["help"]]
    return {
        "classroom_id": classroom.id,
        "now_ms": now,
        "students": rows,
        "help_count": len(needing),
    }
