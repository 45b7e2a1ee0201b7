"""A student's recent work as the teacher reads it: attempts with their answers (the
question, what the child answered, right or not), photos, reflections and the
comments already given. Answers made outside an attempt are grouped by activity."""

from __future__ import annotations

from typing import Any

from ..models import Activity, Answer, Attempt, Feedback, Item, Person, Photo, Reflection

RECENT = 20  # attempts shown
ANSWERS = 400  # answers read at most (the newest)


def student_work(person: Person, limit: int = RECENT) -> dict[str, Any]:
    """The newest ``limit`` pieces of work of a student, newest first."""
    attempts = list(
        Attempt.live()
        .where(Attempt.person_id == person.id)
        .order_by(Attempt.ended_ms.desc(), Attempt.id)
        .limit(limit)
    )
    answers = list(
        Answer.live()
        .where(Answer.person_id == person.id)
        .order_by(Answer.device_ms.desc(), Answer.id)
        .limit(ANSWERS)
    )
    reflections = list(
        Reflection.live()
        .where(Reflection.person_id == person.id)
        .order_by(Reflection.device_ms.desc(), Reflection.id)
        .limit(limit * 2)
    )
    photos = list(
        Photo.live()
        .where(Photo.person_id == person.id)
        .order_by(Photo.device_ms.desc())
        .limit(limit * 2)
    )
    comments = list(
        Feedback.live()
        .where(Feedback.person_id == person.id)
        .order_by(Feedback.device_ms.desc(), Feedback.id)
        .limit(limit * 2)
    )
    activity_ids = {a.activity_id for a in attempts} | {a.activity_id for a in answers}
    activity_ids |= {r.activity_id for r in reflections if r.activity_id}
    titles = dict(
        Activity.select(Activity.id, Activity.title)
        .where(Activity.id.in_(list(activity_ids)))
        .tuples()
    )
    items = {
        i.id: i
        for i in Item.select(Item.id, Item.prompt, Item.type, Item.choices).where(
            Item.id.in_(list({a.item_id for a in answers}))
        )
    }
    # Each piece of work: an attempt, or the answers of an activity outside any shown attempt.
    work: dict[str, dict[str, Any]] = {}
    for attempt in attempts:
        work[attempt.id] = _piece(attempt.id, attempt.activity_id, titles, attempt.ended_ms)
        work[attempt.id]["completed"] = attempt.completed
    for answer in answers:
        key = answer.attempt_id if answer.attempt_id in work else f"activity:{answer.activity_id}"
        if key not in work:
            if len(work) >= limit * 2:
                continue
            work[key] = _piece(None, answer.activity_id, titles, answer.device_ms)
        item = items.get(answer.item_id)
        work[key]["answers"].append(
            {
                "id": answer.id,
                "item_id": answer.item_id,
                "prompt": item.prompt if item else "",
                "response": _shown(answer.response, item),
                "correct": answer.correct,
                "hints_used": answer.hints_used,
                "device_ms": answer.device_ms,
            }
        )
    for piece in work.values():
        piece["answers"].sort(key=lambda a: (a["device_ms"], a["id"]))
    return {
        "person_id": person.id,
        "work": sorted(work.values(), key=lambda w: -(w["when_ms"] or 0)),
        "reflections": [
            {
                "id": r.id,
                "activity_id": r.activity_id,
                "activity_title": titles.get(r.activity_id),
                "confidence": r.confidence,
                "text": r.text,
                "device_ms": r.device_ms,
            }
            for r in reflections
        ],
        "photos": [
            {
                "id": p.id,
                "image_url": f"/api/v1/photos/{p.id}/image",
                "activity_id": p.activity_id,
                "reflection_id": p.reflection_id,
                "device_ms": p.device_ms,
            }
            for p in photos
        ],
        "feedback": [
            {
                "id": f.id,
                "author_id": f.author_id,
                "activity_id": f.activity_id,
                "text": f.text,
                "device_ms": f.device_ms,
            }
            for f in comments
        ],
    }


def _piece(attempt_id: str | None, activity_id: str, titles: dict, when: int) -> dict[str, Any]:
    return {
        "attempt_id": attempt_id,
        "activity_id": activity_id,
        "activity_title": titles.get(activity_id, activity_id),
        "completed": None,
        "when_ms": when,
        "answers": [],
    }


def _shown(response: Any, item: Item | None) -> str:
    """What the child answered, as text (the words of a choice, not its index)."""
    if item is not None and item.type == "choice" and isinstance(response, int):
        choices = item.choices or []
        if 0 <= response < len(choices):
            return choices[response]
    return str(response)
