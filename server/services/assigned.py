"""Who finished what was assigned: per assignment of a class, each student it is meant
for, and whether they are done (an activity: a completed attempt of it; a skill: the
skill mastered now), started (some work on it) or not yet."""

from __future__ import annotations

from typing import Any

from sync.hlc import wall_ms

from ..models import Assignment, Attempt, Classroom, GroupMember
from .catalog import catalog
from .mastery import cached_states
from .schools import class_students


def progress(classroom: Classroom, now_ms: int | None = None) -> list[dict[str, Any]]:
    """Every live assignment of the class with its students' state: done, started or not yet."""
    assignments = list(
        Assignment.live()
        .where(Assignment.classroom_id == classroom.id)
        .order_by(Assignment.pinned.desc(), Assignment.due_on, Assignment.id)
    )
    students = class_students(classroom)
    by_id = {s.id: s for s in students}
    groups = {a.group_id for a in assignments if a.group_id}
    members: dict[str, set[str]] = {}
    if groups:
        query = GroupMember.live(GroupMember.group_id, GroupMember.person_id)
        for group_id, person_id in query.where(GroupMember.group_id.in_(list(groups))).tuples():
            members.setdefault(group_id, set()).add(person_id)
    activities = {a.activity_id for a in assignments if a.activity_id}
    completed: set[tuple[str, str]] = set()
    started: set[tuple[str, str]] = set()
    if activities and students:
        query = Attempt.live(Attempt.person_id, Attempt.activity_id, Attempt.completed).where(
            Attempt.person_id.in_(list(by_id)) & Attempt.activity_id.in_(list(activities))
        )
        for person_id, activity_id, done in query.tuples():
            started.add((person_id, activity_id))
            if done:
                completed.add((person_id, activity_id))
    cat = catalog()
    skills = {a.skill_id for a in assignments if a.skill_id and not a.activity_id}
    now = now_ms if now_ms is not None else wall_ms()
    states = cached_states(list(by_id), cat, now) if skills else {}
    result = []
    for assignment in assignments:
        if assignment.person_id:
            meant = [assignment.person_id] if assignment.person_id in by_id else []
        elif assignment.group_id:
            meant = sorted(members.get(assignment.group_id, set()) & set(by_id))
        else:
            meant = list(by_id)
        rows = []
        for person_id in meant:
            if assignment.activity_id:
                key = (person_id, assignment.activity_id)
                state = "done" if key in completed else "started" if key in started else "not_yet"
            else:
                skill = states.get(person_id, {}).get(assignment.skill_id)
                state = (
                    "done"
                    if skill and skill.mastered
                    else "started"
                    if skill and skill.attempts
                    else "not_yet"
                )
            rows.append(
                {"id": person_id, "display_name": by_id[person_id].display_name, "state": state}
            )
        rows.sort(key=lambda r: (r["display_name"], r["id"]))
        result.append(
            {
                "assignment_id": assignment.id,
                "done": sum(1 for r in rows if r["state"] == "done"),
                "total": len(rows),
                "students": rows,
            }
        )
    return result
