"""Erasing a student on request: their personal fields go, everywhere sync reaches.

The person's row becomes an erased tombstone (name, username, picture, passwords,
roster id blanked; ``erased`` set) and their learner profile is blanked; both are
edits that replicate like any other. Every node that holds the erased version
purges the person's kept versions from its history, and refuses old versions that
arrive later (server.replication.store), so no copy of the name survives in
history. Their answers and attempts stay, under an opaque id: anonymous events.
"""

from __future__ import annotations

from ..db import write_transaction
from ..errors import NotFound
from ..models import ApiToken, LearnerProfile, Person, RowHistory, WebSession

ERASED_NAME = "—"


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


def erase_student(person: Person) -> Person:
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
        WebSession.delete().where(WebSession.person_id == person.id).execute()
        ApiToken.delete().where(ApiToken.person_id == person.id).execute()
    return person
