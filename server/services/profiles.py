"""Learner profiles: interests, motivations, ways of learning, and their history."""

from __future__ import annotations

from typing import Any

from ..auth.access import require
from ..models import (
    LearnerProfile,
    Person,
    RowHistory,
)
from ..models.school import ACCOMMODATIONS
from .rows import row_by_id

STUDENT_PROFILE_FIELDS = {"interests", "motivations", "modalities", "languages"}


def profile_of(person: Person) -> LearnerProfile:
    """The person's profile (an empty one until first saved)."""
    # Read on every sign-in and home: compiled once (rows.row_by_id), tombstones included
    # as before (a deleted profile is still the one its edits replace).
    profile = row_by_id(LearnerProfile, f"profile:{person.id}", live=False)
    if profile is None:
        profile = LearnerProfile(
            id=f"profile:{person.id}", person_id=person.id, partition=person.partition
        )
    return profile


def accommodations_of(person: Person, profile: LearnerProfile | None = None) -> dict[str, bool]:
    """A student's accommodations, each named true or false (staff: none), for the app.

    ``profile``: the person's profile row when the caller has read it already (home).
    """
    if person.role != "student":
        chosen: set[str] = set()
    else:
        chosen = set((profile if profile is not None else profile_of(person)).accommodations or ())
    return {name: name in chosen for name in ACCOMMODATIONS}


def update_profile(user: Person, person: Person, changes: dict[str, Any]) -> LearnerProfile:
    """Edit a profile: students their own four fields, staff everything; history kept."""
    if user.id == person.id and user.role == "student":
        refused = set(changes) - STUDENT_PROFILE_FIELDS
        require(not refused, f"Ask your teacher to change: {', '.join(sorted(refused))}.")
    else:
        require(user.role in ("teacher", "admin"), "You may not change this profile.")
    profile = profile_of(person)
    exists = LearnerProfile.get_or_none(LearnerProfile.id == profile.id) is not None
    for key, value in changes.items():
        setattr(profile, key, value)
    profile.save(force_insert=not exists)
    return profile


PROFILE_FIELDS = ("interests", "motivations", "modalities", "languages", "accommodations", "notes")


def profile_history(person: Person) -> list[dict[str, Any]]:
    """Earlier versions of a person's profile, newest first (edits and lost conflicts)."""
    rows = (
        RowHistory.select()
        .where(
            (RowHistory.table_name == LearnerProfile._meta.table_name)
            & (RowHistory.row_id == f"profile:{person.id}")
        )
        .order_by(RowHistory.version_hlc.desc(), RowHistory.version_origin)
    )
    fields = {name: LearnerProfile._meta.fields[name] for name in PROFILE_FIELDS}
    return [
        {
            "version_hlc": row.version_hlc,
            "version_origin": row.version_origin,
            # History keeps database values (JSON as text): shown as the API shows them.
            "data": {n: f.python_value(row.data.get(f.column_name)) for n, f in fields.items()},
        }
        for row in rows
    ]
