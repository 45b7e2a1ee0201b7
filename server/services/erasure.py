"""Erasing a student on request: their personal fields go, everywhere sync reaches.

The person's row becomes an erased tombstone (name, username, picture, passwords,
roster id blanked; ``erased`` set) and their learner profile is blanked; both are
edits that replicate like any other. Every node that holds the erased version
purges the person's kept versions from its history, and refuses old versions that
arrive later (server.replication.store), so no copy of the name survives in
history. Their answers and attempts stay, under an opaque id: anonymous events.

What the child wrote or photographed goes too (``scrub``): reflections' and written
answers' text, feedback written to them, their goals' words and the notes of work
assigned to them alone are blanked; their photos become tombstones and the bytes
are deleted (``forget_bytes``). Events are immutable (DESIGN invariant 5), so this
is not an edit that replicates: every node derives it from the erased person row
it applied, keeping each row's stamp, and does it again to any row of that child
that arrives later (server.replication.store). A scrubbed row and the original
have the same stamp, so no sync ever brings the original back, and a node that
never held the original receives the scrubbed one. Correctness, timing, hints,
skill and confidence stay: the anonymous events the dashboard and fits count.

Unclaimed work (services.unclaimed: sittings a tablet did under a sign-in the node
never checked, local to the node that holds them, never replicated) that names the
child, or that a teacher gave to the child, is scrubbed the same way on each node
(``scrub_unclaimed``): a written answer's words and a reflection's text are blanked,
a photo's digest is dropped and its bytes deleted, and each blanked piece is marked
``erased``. A waiting sitting is kept and still listed for the teacher (the child
named may not be the one who did it): they give what remains (choices, numbers,
attempts, confidence) to the child who did it, or set it aside. A piece arriving
from a tablet after the erasure is scrubbed before it is kept (``unclaimed.hold``).
A sitting a teacher already gave to another child is that child's work: untouched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from ..db import write_transaction
from ..db.blobs import blob_path, is_digest, partial_path
from ..errors import NotFound
from ..models import (
    Answer,
    ApiToken,
    Asset,
    Assignment,
    Feedback,
    Goal,
    Item,
    LearnerProfile,
    Person,
    Photo,
    Reflection,
    RowHistory,
    UnclaimedWork,
    WebSession,
)

log = logging.getLogger(__name__)

ERASED_NAME = "—"

#: The tables whose rows hold a student's own words or pictures, by their person_id.
PERSONAL = {m._meta.table_name: m for m in (Reflection, Answer, Feedback, Goal, Assignment, Photo)}
_BATCH = 500


def history_keys(person_ids: list[str]) -> list[tuple[str, str]]:
    """The (table, row id) pairs of history that name these people."""
    keys = []
    for person_id in person_ids:
        keys += [("person", person_id), ("learner_profile", f"profile:{person_id}")]
    return keys


def purge_history(person_ids: list[str]) -> int:
    """Delete the kept versions of these people's rows and profiles here."""
    purged = 0
    for table, row_id in history_keys(person_ids):
        purged += (
            RowHistory.delete()
            .where((RowHistory.table_name == table) & (RowHistory.row_id == row_id))
            .execute()
        )
    return purged


def erased_among(person_ids: Iterable[str]) -> set[str]:
    """Which of these people are erased here."""
    ids = sorted({p for p in person_ids if isinstance(p, str)})
    found: set[str] = set()
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        query = Person.select(Person.id).where(Person.id.in_(batch) & (Person.erased == True))  # noqa: E712
        found.update(row[0] for row in query.tuples())
    return found


def scrub(person_ids: Iterable[str]) -> list[str]:
    """Blank what erased students wrote and tombstone their photos, here, keeping stamps.

    Idempotent, and derived on each node from the erased person row (see above): no
    row is restamped, so nothing here replicates as an edit. Returns the digests of
    the photos tombstoned now, whose bytes ``forget_bytes`` deletes after commit.
    """
    ids = sorted(set(person_ids))
    digests: list[str] = []
    text_items = Item.select(Item.id).where(Item.type == "text")
    known_items = Item.select(Item.id)
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        Reflection.update(text="").where(
            Reflection.person_id.in_(batch) & (Reflection.text != "")
        ).execute()
        Feedback.update(text="").where(
            Feedback.person_id.in_(batch) & (Feedback.text != "")
        ).execute()
        Goal.update(text="").where(Goal.person_id.in_(batch) & (Goal.text != "")).execute()
        Assignment.update(note="").where(
            Assignment.person_id.in_(batch) & (Assignment.note != "")
        ).execute()
        # A written answer's words; a choice or a number is no one's words. An answer to an
        # item this node does not hold may be either: blanked (its correctness stays).
        Answer.update(response="").where(
            Answer.person_id.in_(batch)
            & (Answer.item_id.in_(text_items) | Answer.item_id.not_in(known_items))
        ).execute()
        live = Photo.live(Photo.id, Photo.sha256).where(Photo.person_id.in_(batch))
        photos = list(live.tuples())
        if photos:
            digests += [sha256 for _id, sha256 in photos]
            Photo.update(deleted=True).where(Photo.id.in_([i for i, _ in photos])).execute()
        for table, model in PERSONAL.items():
            rows = model.select(model.id).where(model.person_id.in_(batch))
            RowHistory.delete().where(
                (RowHistory.table_name == table) & RowHistory.row_id.in_(rows)
            ).execute()
        digests += scrub_unclaimed(batch)
    return sorted(set(digests))


def written_items(item_ids: Iterable[str]) -> set[str]:
    """Which of these items hold words when answered: written items, and unknown ones."""
    wanted = {i for i in item_ids if isinstance(i, str)}
    if not wanted:
        return set()
    known = dict(Item.select(Item.id, Item.type).where(Item.id.in_(sorted(wanted))).tuples())
    return {i for i in wanted if known.get(i, "text") == "text"}


def blank_unclaimed(kind: str, body: dict[str, Any], written: set[str]) -> tuple[dict, str | None]:
    """A piece of unclaimed work without the erased child's words or photo.

    Returns the blanked body (marked ``erased`` when something went) and the digest of
    a photo whose bytes must go. ``written``: the answered items that hold words.
    """
    out = dict(body)
    digest = None
    if kind == "answer" and out.get("item_id") in written and out.get("response") != "":
        out["response"], out["erased"] = "", True
    elif kind == "reflection" and out.get("text"):
        out["text"], out["erased"] = "", True
    elif kind == "photo" and "sha256" in out:
        digest = out.pop("sha256")
        out["erased"] = True
    return out, digest if isinstance(digest, str) else None


def scrub_unclaimed(person_ids: list[str]) -> list[str]:
    """Blank the unclaimed work that names these erased students, or was given to them.

    Returns the digests of the photos blanked, whose bytes ``forget_bytes`` deletes.
    """
    ids = set(person_ids)
    rows = list(
        UnclaimedWork.select().where(
            UnclaimedWork.named_id.in_(sorted(ids)) | UnclaimedWork.owner_id.in_(sorted(ids))
        )
    )
    # Given to another child by their teacher: that child's work now, not the erased one's.
    rows = [r for r in rows if r.owner_id is None or r.owner_id in ids]
    written = written_items(r.body.get("item_id") for r in rows if r.kind == "answer")
    digests, blanked = [], 0
    for row in rows:
        body, digest = blank_unclaimed(row.kind, row.body, written)
        if digest:
            digests.append(digest)
        if body != row.body:
            UnclaimedWork.update(body=body).where(UnclaimedWork.id == row.id).execute()
            blanked += 1
    if blanked:
        log.info("erasure: blanked %d piece(s) of unclaimed work", blanked)
    return digests


def forget_bytes(data_dir: str, digests: Iterable[str]) -> int:
    """Delete the bytes of erased photos no live photo or asset still uses; how many went.

    Run after the scrub has committed: a rolled-back scrub leaves its photo live, and
    a photo whose bytes are gone is only fetched again while it is live.
    """
    forgotten = 0
    for sha256 in sorted(set(digests)):
        if not is_digest(sha256):
            continue  # a forged row's "digest" names no file
        if Photo.live(Photo.id).where(Photo.sha256 == sha256).exists():
            continue  # the same bytes are another live photo's (or another child's)
        if Asset.live(Asset.id).where(Asset.id == sha256).exists():
            continue
        if (
            UnclaimedWork.select(UnclaimedWork.id)
            .where((UnclaimedWork.kind == "photo") & UnclaimedWork.body.contains(sha256))
            .exists()
        ):
            continue  # an unclaimed photo of a child not erased still has these bytes
        for path in (blob_path(data_dir, sha256), partial_path(data_dir, sha256)):
            if path.exists():
                path.unlink()
                forgotten += 1
    if forgotten:
        log.info("erasure: deleted the bytes of %d photo file(s)", forgotten)
    return forgotten


def erased_history_row(table: Any, data: Any) -> str | None:
    """The person a kept version of a personal table's row belongs to (its JSON ``data``)."""
    if not isinstance(table, str) or table not in PERSONAL:
        return None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    person = data.get("person_id") if isinstance(data, dict) else None
    return person if isinstance(person, str) else None


def erase_student(person: Person, data_dir: str | None = None) -> Person:
    """Erase a student's personal fields here; the erasure syncs to every node of the school."""
    if person.role != "student":
        raise NotFound("Only a student's record is erased here.")
    with write_transaction():
        profile = LearnerProfile.get_or_none(LearnerProfile.id == f"profile:{person.id}")
        if profile is not None:
            profile.interests, profile.motivations, profile.modalities = [], [], []
            profile.languages, profile.accommodations, profile.notes = [], [], ""
            profile.save()
        person.display_name = ERASED_NAME
        person.username = None
        person.picture = None
        person.password_hash = None
        person.picture_password_hash = None
        person.source_id = None
        person.erased = True
        person.deleted = True
        person.save()
        purge_history([person.id])
        digests = scrub([person.id])
        WebSession.delete().where(WebSession.person_id == person.id).execute()
        ApiToken.delete().where(ApiToken.person_id == person.id).execute()
    if data_dir is not None:
        forget_bytes(data_dir, digests)
    return person
