"""The feedback queue: students' open work a teacher has not seen yet, and seeing it.

Open work is what no checker can judge: a project (its written answer and photos),
a reflection, and a written answer (a text item) the checker did not accept. A
piece leaves the queue when a teacher marks it seen, with or without a comment; the
mark is a replicated row (``WorkSeen``) under an id made from the work's, so it
syncs between the school's nodes like any row and two teachers marking the same work
on two nodes make one row. The comment is a ``Feedback`` event the student app shows;
the teacher may also mark one of the student's free-text goals done.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sync.hlc import wall_ms

from ..auth.access import can_teach, require
from ..db import write_transaction
from ..errors import InvalidInput, NotFound
from ..models import (
    Activity,
    Answer,
    Classroom,
    Goal,
    Item,
    Person,
    Photo,
    Reflection,
    WorkSeen,
)
from .learning import record_feedback
from .rows import get_live, row_by_id
from .schools import class_students

SHOWN = 100  # pieces of work in one queue answer, oldest first


def seen_id(kind: str, work_id: str) -> str:
    """The id of the "seen" mark of a piece of work, the same on every node."""
    return "seen:" + hashlib.sha256(f"{kind}\x00{work_id}".encode()).hexdigest()[:40]


def queue(classroom: Classroom, limit: int = SHOWN) -> dict[str, Any]:
    """The class's open work not seen by a teacher, oldest first (it has waited longest)."""
    return _listed(classroom, limit, seen_ones=False)


def recently_seen(classroom: Classroom, limit: int = SHOWN) -> dict[str, Any]:
    """The class's open work a teacher marked seen, the latest mark first, to put back."""
    return _listed(classroom, limit, seen_ones=True)


def _listed(classroom: Classroom, limit: int, seen_ones: bool) -> dict[str, Any]:
    students = {p.id: p for p in class_students(classroom)}
    ids = list(students)
    marks = {
        w.work_id: w
        for w in WorkSeen.live(WorkSeen.work_id, WorkSeen.seen_by, WorkSeen.seen_ms).where(
            WorkSeen.person_id.in_(ids)
        )
    }

    def wanted(work_id: str) -> bool:
        return (work_id in marks) == seen_ones

    reflections = [
        r for r in Reflection.live().where(Reflection.person_id.in_(ids)) if wanted(r.id)
    ]
    written = [
        a
        for a in Answer.live()
        .join(Item, on=(Item.id == Answer.item_id))
        .where(
            Answer.person_id.in_(ids) & (Item.type == "text") & (Answer.correct == False)  # noqa: E712
        )
        if wanted(a.id)
    ]
    activity_ids = {r.activity_id for r in reflections if r.activity_id}
    activity_ids |= {a.activity_id for a in written}
    activities = {
        a.id: a
        for a in Activity.select(Activity.id, Activity.title, Activity.kind).where(
            Activity.id.in_(list(activity_ids))
        )
    }
    pieces: list[dict[str, Any]] = []
    for r in reflections:
        activity = activities.get(r.activity_id)
        pieces.append(
            _piece(
                "project" if activity is not None and activity.kind == "project" else "reflection",
                "reflection",
                r,
                students[r.person_id],
                activity,
                text=r.text,
                confidence=r.confidence,
            )
        )
    prompts = dict(
        Item.select(Item.id, Item.prompt).where(Item.id.in_([a.item_id for a in written])).tuples()
    )
    for a in written:
        pieces.append(
            _piece(
                "written",
                "answer",
                a,
                students[a.person_id],
                activities.get(a.activity_id),
                text=a.response if isinstance(a.response, str) else str(a.response),
                prompt=prompts.get(a.item_id, ""),
            )
        )
    if seen_ones:
        _attach_marks(pieces, marks)
        pieces.sort(key=lambda p: (-p["seen_ms"], p["id"]))
    else:
        pieces.sort(key=lambda p: (p["device_ms"], p["id"]))
    shown = pieces[:limit]
    _attach_photos(shown)
    _attach_goals(shown)
    return {"classroom_id": classroom.id, "total": len(pieces), "items": shown}


def _piece(
    kind: str, work_kind: str, row: Any, student: Person, activity: Any, **extra: Any
) -> dict:
    return {
        "kind": kind,
        "work_kind": work_kind,
        "id": row.id,
        "person_id": student.id,
        "display_name": student.display_name,
        "activity_id": row.activity_id,
        "activity_title": activity.title if activity is not None else None,
        "attempt_id": row.attempt_id,
        "device_ms": row.device_ms,
        "received_ms": row.received_ms,
        "text": extra.get("text", ""),
        "confidence": extra.get("confidence"),
        "prompt": extra.get("prompt"),
        "photos": [],
        "goals": [],
    }


def _attach_marks(pieces: list[dict[str, Any]], marks: dict[str, WorkSeen]) -> None:
    """When each piece was marked seen, and by whom (a name, not only an id)."""
    by = {m.seen_by for m in marks.values()}
    names = dict(
        Person.select(Person.id, Person.display_name).where(Person.id.in_(list(by))).tuples()
    )
    for piece in pieces:
        mark = marks[piece["id"]]
        piece["seen_ms"] = mark.seen_ms
        piece["seen_by"] = mark.seen_by
        piece["seen_by_name"] = names.get(mark.seen_by)


def _attach_photos(pieces: list[dict[str, Any]]) -> None:
    """A project's photos: those naming its reflection, by the same student."""
    projects = {(p["person_id"], p["id"]): p for p in pieces if p["work_kind"] == "reflection"}
    if not projects:
        return
    query = Photo.live(Photo.id, Photo.person_id, Photo.reflection_id).where(
        Photo.reflection_id.in_([k[1] for k in projects])
    )
    for photo_id, person_id, reflection_id in query.tuples():
        piece = projects.get((person_id, reflection_id))
        if piece is not None:
            piece["photos"].append(
                {"id": photo_id, "image_url": f"/api/v1/photos/{photo_id}/image"}
            )


def _attach_goals(pieces: list[dict[str, Any]]) -> None:
    """Each student's active free-text goals, which the teacher may mark done."""
    people = {p["person_id"] for p in pieces}
    goals: dict[str, list[dict[str, Any]]] = {}
    query = Goal.live().where(
        Goal.person_id.in_(list(people)) & (Goal.kind == "free_text") & (Goal.status == "active")
    )
    for goal in query.order_by(Goal.hlc):
        goals.setdefault(goal.person_id, []).append({"id": goal.id, "text": goal.text})
    for piece in pieces:
        piece["goals"] = goals.get(piece["person_id"], [])


_MODELS = {"reflection": Reflection, "answer": Answer}


def mark_seen(user: Person, data: dict[str, Any]) -> dict[str, Any]:
    """Mark a piece of work seen; with a comment, leave it; with a goal, mark that goal done."""
    model = _MODELS[data["work_kind"]]
    work = row_by_id(model, data["work_id"])
    if work is None:
        raise NotFound(f"No {data['work_kind']} with id {data['work_id']}.")
    student = get_live(Person, work.person_id, "person")
    require(can_teach(user, student), "You may look at the work of your own students only.")
    goal = None
    if data.get("goal_id"):
        goal = get_live(Goal, data["goal_id"], "goal")
        if goal.person_id != student.id or goal.kind != "free_text":
            raise InvalidInput(
                "Only a free-text goal of the same student can be marked done here.",
                {"goal_id": ["Not this student's free-text goal."]},
            )
    with write_transaction():
        feedback = None
        if data.get("comment"):
            feedback = record_feedback(
                user,
                {
                    "id": data.get("feedback_id"),
                    "person_id": student.id,
                    "activity_id": work.activity_id,
                    "attempt_id": work.attempt_id,
                    "text": data["comment"],
                    "device_ms": data.get("device_ms"),
                },
            )
        if goal is not None and goal.status != "done":
            goal.status = "done"
            goal.save()
        mark = _seen_row(user, data["work_kind"], work.id, student)
    return {"seen": mark, "feedback": feedback, "goal": goal}


def _seen_row(user: Person, kind: str, work_id: str, student: Person) -> WorkSeen:
    key = seen_id(kind, work_id)
    row = row_by_id(WorkSeen, key, live=False)
    if row is not None and not row.deleted:
        return row  # seen already: the first teacher's mark stays
    if row is None:
        row = WorkSeen(id=key, partition=student.partition)
        created = True
    else:
        created = False
    row.deleted = False
    row.person_id, row.work_kind, row.work_id = student.id, kind, work_id
    row.seen_by, row.seen_ms = user.id, wall_ms()
    row.save(force_insert=created)
    return row


def unmark_seen(user: Person, work_kind: str, work_id: str) -> bool:
    """Put a piece of work back in the queue: its "seen" mark becomes a tombstone.

    The mark is a mutable replicated row, so removing it is an edit like any other
    (``deleted``, stamped above the mark it replaces): it reaches the school's other
    nodes and wins there over the older mark, and a later mark revives the same row.
    A comment already sent and a goal marked done stay: they were said to the child.
    Returns whether there was a mark to remove (none: nothing changes).
    """
    model = _MODELS.get(work_kind)
    if model is None:
        raise NotFound(f"No kind of work {work_kind!r}: reflection or answer.")
    work = row_by_id(model, work_id)
    if work is None:
        raise NotFound(f"No {work_kind} with id {work_id}.")
    student = get_live(Person, work.person_id, "person")
    require(can_teach(user, student), "You may look at the work of your own students only.")
    with write_transaction():
        mark = row_by_id(WorkSeen, seen_id(work_kind, work.id))
        if mark is None:
            return False
        mark.delete_instance()
    return True
