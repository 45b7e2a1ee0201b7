"""Assignments, goals, and the learning events: attempts, answers, reflections, feedback."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from sync.hlc import unpack, wall_ms

from ..auth.access import can_teach, can_view_person, group_ids, require
from ..db import model_from_row, run_compiled
from ..errors import InvalidInput, NotFound
from ..models import (
    Activity,
    Answer,
    Assignment,
    Attempt,
    Classroom,
    Enrollment,
    Feedback,
    Goal,
    Group,
    Item,
    Person,
    Reflection,
    Skill,
)
from .catalog import catalog, live_item
from .events import record_event
from .people import get_person
from .rows import get_live
from .schools import get_class

# ---------------------------------------------------------------- assignments


def list_assignments(user: Person, classroom: Classroom) -> list[Assignment]:
    """Assignments of a class; a student sees those meant for them."""
    query = Assignment.live().where(Assignment.classroom_id == classroom.id)
    if user.role == "student":
        mine = (
            (Assignment.person_id == user.id)
            | (Assignment.group_id.in_(list(group_ids(user))))
            | (Assignment.person_id.is_null() & Assignment.group_id.is_null())
        )
        query = query.where(mine & (Assignment.hidden == False))  # noqa: E712
    return list(query.order_by(Assignment.pinned.desc(), Assignment.due_on, Assignment.id))


def create_assignment(user: Person, classroom: Classroom, data: dict[str, Any]) -> Assignment:
    """Assign an activity or a skill to the class, a group of it, or one of its students."""
    if bool(data.get("activity_id")) == bool(data.get("skill_id")):
        raise InvalidInput(
            "Assign one activity or one skill.", {"activity_id": ["Give an activity or a skill."]}
        )
    if data.get("activity_id"):
        get_live(Activity, data["activity_id"], "activity")
    else:
        get_live(Skill, data["skill_id"], "skill")
    if data.get("group_id"):
        group = get_live(Group, data["group_id"], "group")
        if group.classroom_id != classroom.id:
            raise InvalidInput("That group is not in this class.", {"group_id": ["Not here."]})
    if data.get("person_id") and data["person_id"] not in _student_ids(classroom):
        raise InvalidInput("That student is not in this class.", {"person_id": ["Not here."]})
    assignment = Assignment(
        classroom_id=classroom.id,
        partition=classroom.partition,
        assigned_by=user.id,
        activity_id=data.get("activity_id"),
        skill_id=data.get("skill_id"),
        group_id=data.get("group_id"),
        person_id=data.get("person_id"),
        due_on=data["due_on"].isoformat() if data.get("due_on") else None,
        pinned=data["pinned"],
        hidden=data.get("hidden", False),
        note=data["note"],
    )
    assignment.save(force_insert=True)
    return assignment


def update_assignment(user: Person, assignment_id: str, changes: dict[str, Any]) -> Assignment:
    """Pin, hide or show an assignment, or change its due date or note."""
    assignment = get_live(Assignment, assignment_id, "assignment")
    get_class(user, assignment.classroom_id, manage=True)
    if "due_on" in changes:
        changes["due_on"] = changes["due_on"].isoformat() if changes["due_on"] else None
    if all(getattr(assignment, k) == v for k, v in changes.items()):
        return assignment  # nothing changes: no new version
    for key, value in changes.items():
        setattr(assignment, key, value)
    assignment.save()
    return assignment


def _student_ids(classroom: Classroom) -> set[str]:
    enrolled = Enrollment.live(Enrollment.person_id).where(
        (Enrollment.classroom_id == classroom.id) & (Enrollment.role == "student")
    )
    return {r.person_id for r in enrolled}


def delete_assignment(user: Person, assignment_id: str) -> None:
    """Withdraw an assignment."""
    assignment = get_live(Assignment, assignment_id, "assignment")
    get_class(user, assignment.classroom_id, manage=True)
    assignment.delete_instance()


# ---------------------------------------------------------------- goals


def list_goals(person: Person) -> list[Goal]:
    """A student's goals, newest first."""
    return list(Goal.live().where(Goal.person_id == person.id).order_by(Goal.hlc.desc()))


def _may_set_goals(user: Person, person: Person) -> bool:
    return (user.id == person.id and user.role == "student") or can_teach(user, person)


def create_goal(user: Person, person: Person, data: dict[str, Any]) -> Goal:
    """Set a goal for a student: by the student or one of their teachers."""
    require(_may_set_goals(user, person), "You may not set goals for this person.")
    if data.get("skill_id"):
        get_live(Skill, data["skill_id"], "skill")
    goal = Goal(
        person_id=person.id,
        partition=person.partition,
        set_by=user.id,
        term=data["term"],
        kind=data["kind"],
        skill_id=data.get("skill_id"),
        activity_ids=data.get("activity_ids", []),
        target=data.get("target"),
        text=data.get("text", ""),
        due_on=data["due_on"].isoformat() if data.get("due_on") else None,
        created_ms=wall_ms(),
    )
    goal.save(force_insert=True)
    return goal


def _goal_to_change(user: Person, goal_id: str) -> Goal:
    """A live goal the user may change: its student's own, or one a teacher of theirs set."""
    goal = get_live(Goal, goal_id, "goal")
    person = get_person(user, goal.person_id)
    require(_may_set_goals(user, person), "You may not change this goal.")
    if user.role == "student":  # a goal a teacher set is the teacher's to change or close
        require(
            goal.set_by == user.id,
            "Your teacher set this goal: ask them to change it or mark it done.",
        )
    return goal


def update_goal(user: Person, goal_id: str, changes: dict[str, Any]) -> Goal:
    """Edit a goal; the old version stays in history."""
    goal = _goal_to_change(user, goal_id)
    if goal.kind == "master_skill" and (changes.get("target") or 0) > 100:
        raise InvalidInput(
            "A mastery target is a percentage.", {"target": ["At most 100 for a skill."]}
        )
    if "due_on" in changes:
        changes["due_on"] = changes["due_on"].isoformat() if changes["due_on"] else None
    for key, value in changes.items():
        setattr(goal, key, value)
    goal.save()
    return goal


def delete_goal(user: Person, goal_id: str) -> None:
    """Delete a goal set by mistake: a tombstone that syncs (its versions stay in history)."""
    _goal_to_change(user, goal_id).delete_instance()


# ---------------------------------------------------------------- events


def _student_only(user: Person) -> None:
    require(user.role == "student", "Only students record their own work.")


def record_attempt(user: Person, data: dict[str, Any]) -> Attempt:
    """Record an attempt with the device's id; the same id twice is one attempt."""
    _student_only(user)
    if data["activity_id"] not in catalog().activities:  # the live ones, cached per version
        raise NotFound(f"No activity with id {data['activity_id']}.")
    if data["ended_ms"] < data["started_ms"]:
        raise InvalidInput("An attempt cannot end before it starts.", {"ended_ms": ["Too early."]})
    values = {"person_id": user.id, **{k: v for k, v in data.items() if k != "id"}}
    return _insert_event(Attempt, data["id"], values, user.partition)


def _insert_event(model: Any, event_id: str, values: dict[str, Any], partition: str) -> Any:
    return record_event(model, event_id, values, partition)[0]


def check_response(item: Item, response: Any) -> bool:
    """Say whether a response to an item is right; raise 422 if it has the wrong type."""
    if item.type == "choice":
        if not isinstance(response, int) or isinstance(response, bool):
            raise InvalidInput("Answer a choice item with the index of a choice.")
        return response == item.answer
    if item.type == "numeric":
        if not isinstance(response, (int, float)) or isinstance(response, bool):
            raise InvalidInput("Answer a numeric item with a number.")
        if not math.isfinite(response):
            raise InvalidInput("Answer with a finite number.")
        return abs(response - item.answer) <= (item.tolerance or 0) + 1e-9
    if not isinstance(response, str) or len(response) > 1000:
        raise InvalidInput("Answer a text item with text (at most 1000 characters).")
    return normalise_text(response) in {normalise_text(a) for a in item.answer}


def normalise_text(text: str) -> str:
    """Case, accents-as-typed and spacing insensitive form of a short answer."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def record_answer(user: Person, data: dict[str, Any]) -> dict[str, Any]:
    """Check and store an answer; return immediate feedback. Retries are one answer."""
    _student_only(user)
    item = live_item(data["item_id"])  # cached per content version
    if item is None:
        raise NotFound(f"No item with id {data['item_id']}.")
    correct = check_response(item, data["response"])
    values = {
        "person_id": user.id,
        "attempt_id": data.get("attempt_id"),
        "activity_id": item.activity_id,
        "item_id": item.id,
        "response": data["response"],
        "correct": correct,
        "hints_used": data.get("hints_used", 0),
        "duration_ms": data.get("duration_ms"),
        "device_ms": data["device_ms"],
    }
    answer, duplicate = record_event(Answer, data["id"], values, user.partition)
    hint = None
    if not correct and item.hints:
        hint = item.hints[min(answer.hints_used, len(item.hints) - 1)]
    return {"id": answer.id, "correct": correct, "hint": hint, "duplicate": duplicate}


def record_reflection(user: Person, data: dict[str, Any]) -> Reflection:
    """Store a student's reflection (idempotent on the device's id)."""
    _student_only(user)
    if data.get("activity_id"):
        get_live(Activity, data["activity_id"], "activity")
    values = {"person_id": user.id, **{k: v for k, v in data.items() if k != "id"}}
    return _insert_event(Reflection, data["id"], values, user.partition)


def record_feedback(user: Person, data: dict[str, Any]) -> Feedback:
    """Store a teacher's comment on a student's work."""
    person = get_live(Person, data["person_id"], "person")
    require(can_teach(user, person), "You may comment only on your own students' work.")
    if data.get("activity_id"):
        get_live(Activity, data["activity_id"], "activity")
    values = {
        "person_id": person.id,
        "author_id": user.id,
        "activity_id": data.get("activity_id"),
        "attempt_id": data.get("attempt_id"),
        "text": data["text"],
        "device_ms": data.get("device_ms") or wall_ms(),
    }
    if data.get("id"):
        return _insert_event(Feedback, data["id"], values, person.partition)
    row = Feedback(partition=person.partition, received_ms=wall_ms(), **values)
    row.save(force_insert=True)
    return row


def events_of(user: Person, person_id: str, model: Any):
    """A select of one person's events of a kind, newest first, if the user may see them."""
    person = get_person(user, person_id)
    require(can_view_person(user, person))
    return (
        model.live()
        .where(model.person_id == person.id)
        .order_by(model.received_ms.desc(), model.id)
    )


def get_student(user: Person, person_id: str) -> Person:
    """A person the user may see, who must be a student.

    A student asking for their own screens is the live person this request already
    read (with its session or token): not read a second time.
    """
    person = user if person_id == user.id else get_person(user, person_id)
    if person.role != "student":
        raise NotFound("That person is not a student.")
    return person


# ---------------------------------------------------------------- the teacher's words

TEACHER_WORDS = 30


# Every home reads these: each compiled once (per number of ids) with db.run_compiled.
def _feedback_query(person_id: str) -> Any:
    return (
        Feedback.live()
        .where(Feedback.person_id == person_id)
        .order_by(Feedback.device_ms.desc(), Feedback.id)
        .limit(TEACHER_WORDS)
    )


def _notes_query(*assignment_ids: str) -> Any:
    noted = Assignment.id.in_(list(assignment_ids)) & (Assignment.note != "")
    return Assignment.live().where(noted).limit(TEACHER_WORDS)


def _names_query(*person_ids: str) -> Any:
    return Person.select(Person.id, Person.display_name).where(Person.id.in_(list(person_ids)))


def teacher_words(person: Person, assignment_ids: list[str]) -> list[dict[str, Any]]:
    """What a student's teachers said to them, newest first: feedback and assignment notes.

    Each entry's ``key`` names this version of the words (an edited note is a new key),
    so the app can mark what the child has not seen yet. Feedback written on another
    node of the school arrives by sync like any event and is listed the same way.
    """
    assignment_ids = sorted(set(assignment_ids))  # a skill assigned: one id, many activities
    feedback = [
        model_from_row(Feedback, row)
        for row in run_compiled("teacher-feedback", _feedback_query, person.id)
    ]
    notes = (
        [
            model_from_row(Assignment, row)
            for row in run_compiled(
                ("teacher-notes", len(assignment_ids)), _notes_query, *assignment_ids
            )
        ]
        if assignment_ids
        else []
    )
    author_ids = sorted({f.author_id for f in feedback} | {a.assigned_by for a in notes})
    authors = (
        dict(run_compiled(("teacher-names", len(author_ids)), _names_query, *author_ids))
        if author_ids
        else {}  # most homes: no words at all, and no query for their authors
    )
    words = [
        {
            "key": f"feedback:{f.id}",
            "kind": "feedback",
            "author": authors.get(f.author_id, ""),
            "activity_id": f.activity_id,
            "attempt_id": f.attempt_id,
            "text": f.text,
            "at_ms": f.device_ms,
        }
        for f in feedback
    ] + [
        {
            "key": f"note:{a.id}:{a.hlc}",
            "kind": "note",
            "author": authors.get(a.assigned_by, ""),
            "activity_id": a.activity_id,
            "attempt_id": None,
            "text": a.note,
            "at_ms": unpack(a.hlc)[0],  # when the note was last written
        }
        for a in notes
    ]
    return sorted(words, key=lambda w: (-w["at_ms"], w["key"]))[:TEACHER_WORDS]
