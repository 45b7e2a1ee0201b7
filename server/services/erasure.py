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
    return sorted(set(digests))


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
