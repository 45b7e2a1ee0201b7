"""Unclaimed work: a tablet's work done under a sign-in the node never checked.

A child can sign in on a tablet with the node away under any name: the tablet cannot
check the pictures (docs/student-app.md). If the node then refuses that sign-in's
pictures, or never saw them, its work is held here, never recorded as the named
child's. A teacher of the named child gives a sitting (``batch``) to the student who
did it, which records it as theirs exactly as their own tablet would have (graded by
the node, idempotent on the tablet's ids), or discards it; the rows stay either way.
"""

from __future__ import annotations

import logging
from typing import Any

from marshmallow import Schema, ValidationError

from sync.hlc import wall_ms

from ..auth.access import can_teach, class_ids, require
from ..db import write_transaction
from ..db.blobs import blob_path, digest, store_blob
from ..errors import BaobabError, Conflict, InvalidInput, NotFound
from ..models import Activity, Enrollment, Item, Person, UnclaimedWork
from . import erasure, learning, photos
from .rows import get_live, row_by_id

log = logging.getLogger(__name__)

SHOWN = 100  # sittings listed at once, oldest first: the next show once these are decided

RECORDERS = {
    "answer": learning.record_answer,
    "attempt": learning.record_attempt,
    "reflection": learning.record_reflection,
}


def hold(user: Person, data: dict[str, Any], schemas: dict[str, Schema]) -> tuple[Any, bool]:
    """Keep one piece of unclaimed work a student's tablet sent; return it and whether it is new.

    Any student of the school may carry it (the tablet sends it with whoever signs in
    properly next); it names the child whose name the sign-in used.
    """
    require(user.role == "student", "Only a student's tablet sends unclaimed work.")
    named = _named(user, data["named_id"])
    try:
        body = schemas[data["kind"]].load(data["body"])
    except ValidationError as error:
        raise InvalidInput("Not work a tablet makes.", {"body": error.messages}) from None
    if body["id"] != data["id"]:
        raise InvalidInput("The work's id is not its own.", {"id": ["Not the body's id."]})
    if named.erased:  # the child named was erased: their words are not kept, even here
        answered = [body.get("item_id")] if data["kind"] == "answer" else []
        written = erasure.written_items(answered)
        body, _ = erasure.blank_unclaimed(data["kind"], body, written)
        log.info("unclaimed work %s names an erased student: kept blanked", data["id"])
    values = {
        "batch": data["batch"],
        "kind": data["kind"],
        "body": body,
        "named_id": named.id,
        "made_ms": data["made_ms"],
    }
    return _keep(user, data["id"], values)


def _named(user: Person, named_id: str) -> Person:
    # A student removed or erased since the sign-in is still named: the work is kept
    # (blanked if erased) for a teacher to place, not refused back onto the tablet where
    # no teacher would ever see it.
    named = row_by_id(Person, named_id, live=False)
    if named is None or named.role != "student" or named.school_id != user.school_id:
        raise InvalidInput("Not a student of this school.", {"named_id": ["Unknown student."]})
    return named


def _keep(user: Person, row_id: str, values: dict[str, Any]) -> tuple[Any, bool]:
    with write_transaction():
        row = UnclaimedWork.get_or_none(UnclaimedWork.id == row_id)
        if row is not None:
            if any(getattr(row, k) != v for k, v in values.items()):
                raise Conflict("Other work was sent under this id.")
            return row, False
        row = UnclaimedWork(id=row_id, sent_by=user.id, received_ms=wall_ms(), **values)
        row.save(force_insert=True)
    return row, True


def hold_photo(
    user: Person, photo_id: str, meta: dict[str, Any], data: bytes, declared: str, data_dir: str
) -> tuple[Any, bool]:
    """Keep a photo a tablet took under a sign-in never checked (its bytes as a blob)."""
    require(user.role == "student", "Only a student's tablet sends unclaimed work.")
    named = _named(user, meta["named_id"])
    media_type = photos.check_image(data, declared)
    sha256 = digest(data)
    body = {k: meta.get(k) for k in ("activity_id", "attempt_id", "reflection_id", "device_ms")}
    values = {
        "batch": meta["batch"],
        "kind": "photo",
        "body": {**body, "id": photo_id, "sha256": sha256, "media_type": media_type},
        "named_id": named.id,
        "made_ms": meta["made_ms"],
    }
    if named.erased:  # the child named was erased: the picture is not kept
        values["body"], _ = erasure.blank_unclaimed("photo", values["body"], set())
        log.info("unclaimed photo %s names an erased student: its bytes not kept", photo_id)
        return _keep(user, photo_id, values)
    store_blob(data_dir, sha256, data)  # the bytes first: a row never names a blob not here
    return _keep(user, photo_id, values)


def _visible(user: Person, named_id: str) -> bool:
    # A removed or erased student is a tombstone: their sittings still wait for a teacher
    # (one in no class any more is seen by every teacher of the school: can_view_person).
    named = row_by_id(Person, named_id, live=False)
    return named is not None and can_teach(user, named)


def _activities(rows: list[UnclaimedWork]) -> dict[str, Activity]:
    """Each row's activity (an answer's is its item's), by row id, where the node has it."""
    items = {r.body["item_id"] for r in rows if r.kind == "answer"}
    of_item = dict(Item.select(Item.id, Item.activity_id).where(Item.id.in_(items)).tuples())
    wanted = {r.id: r.body.get("activity_id") or of_item.get(r.body.get("item_id")) for r in rows}
    ids = set(wanted.values()) - {None}
    found = {a.id: a for a in Activity.select().where(Activity.id.in_(ids))}
    return {row_id: found[a] for row_id, a in wanted.items() if a in found}


def _students_beside(user: Person, named: Person) -> list[Person]:
    """The students of the named child's classes the user teaches: whom a sitting may go to.

    A named child in no class (removed since) leaves the user's own classes, or for an
    admin in none, the school's students.
    """
    classes = class_ids(named, "student") or class_ids(user, "teacher")
    where = Enrollment.classroom_id.in_(classes) if classes else Person.school_id == named.school_id
    query = (
        Person.live()
        .join(Enrollment, on=(Enrollment.person_id == Person.id))
        .where(where & (Enrollment.role == "student") & ~Enrollment.deleted & ~Person.archived)
        .distinct()
        .order_by(Person.display_name)
    )
    beside = [p for p in query if can_teach(user, p)]
    return beside or ([] if named.deleted else [named])


def batches(user: Person) -> list[dict[str, Any]]:
    """The sittings waiting for a teacher of their named child, oldest first (at most SHOWN)."""
    require(user.role in ("teacher", "admin"), "Only staff see unclaimed work.")
    rows = list(
        UnclaimedWork.select()
        .where(UnclaimedWork.state == "waiting")
        .order_by(UnclaimedWork.made_ms, UnclaimedWork.id)
    )
    rows = [r for r in rows if _visible(user, r.named_id)]
    activities = _activities(rows)
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.batch not in out:
            named = Person.get_by_id(row.named_id)
            sender = row_by_id(Person, row.sent_by)
            out[row.batch] = {
                "batch": row.batch,
                "named": named,
                "erased": bool(named.erased),
                "sent_by": sender.display_name if sender else "",
                "first_ms": row.made_ms,
                "last_ms": row.made_ms,
                "work": [],
                "students": _students_beside(user, named),
            }
        batch = out[row.batch]
        batch["last_ms"] = max(batch["last_ms"], row.made_ms)
        activity = activities.get(row.id)
        batch["work"].append(
            {
                "id": row.id,
                "kind": row.kind,
                "activity_title": activity.title if activity else "",
                "response": row.body.get("response", row.body.get("text")),
                "photo": row.kind == "photo",
                "erased": bool(row.body.get("erased")),
                "made_ms": row.made_ms,
            }
        )
    return list(out.values())[:SHOWN]


def _waiting(user: Person, batch: str) -> list[UnclaimedWork]:
    rows = list(
        UnclaimedWork.select()
        .where((UnclaimedWork.batch == batch) & (UnclaimedWork.state == "waiting"))
        .order_by(UnclaimedWork.made_ms, UnclaimedWork.id)
    )
    if not rows or not _visible(user, rows[0].named_id):
        raise NotFound("No unclaimed work with that id waits for you.")
    return rows


def _order(row: UnclaimedWork) -> tuple[int, int]:
    # Attempts first, photos last (each names its own work), each kind in the order made.
    return ({"attempt": 0, "photo": 2}.get(row.kind, 1), row.made_ms)


def _record(student: Person, row: UnclaimedWork, data_dir: str) -> None:
    body = dict(row.body)
    if body.pop("erased", False) and row.kind != "reflection":
        # A written answer without its words would be graded wrong; a photo has no bytes.
        raise InvalidInput("Erased with the student this sitting was signed in under.")
    if row.kind != "photo":
        RECORDERS[row.kind](student, body)
        return
    meta = {k: row.body[k] for k in ("activity_id", "attempt_id", "reflection_id", "device_ms")}
    data = blob_path(data_dir, row.body["sha256"]).read_bytes()
    photos.record_photo(student, row.id, meta, data, row.body["media_type"], data_dir)


def give(user: Person, batch: str, student_id: str, data_dir: str) -> dict[str, int]:
    """Record a sitting as one student's work (a teacher of both says whose it is)."""
    rows = _waiting(user, batch)
    student = get_live(Person, student_id, "person")
    require(
        student.role == "student" and can_teach(user, student),
        "You may give work only to your own students.",
    )
    recorded = refused = 0
    for row in sorted(rows, key=_order):
        try:
            _record(student, row, data_dir)
            row.outcome = None
            recorded += 1
        except BaobabError as error:  # e.g. its activity withdrawn since: said, kept
            row.outcome = str(error)
            refused += 1
        row.state, row.owner_id = "given", student.id
        row.decided_by, row.decided_ms = user.id, wall_ms()
        row.save()
    return {"recorded": recorded, "refused": refused}


def discard(user: Person, batch: str) -> dict[str, int]:
    """Set a sitting aside as nobody's work (it stays on the node, never recorded)."""
    rows = _waiting(user, batch)
    for row in rows:
        row.state, row.decided_by, row.decided_ms = "discarded", user.id, wall_ms()
        row.save()
    return {"recorded": 0, "refused": 0}
