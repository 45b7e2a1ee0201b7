"""Photos of project work: checked, stored content-addressed, linked by a replicated row.

The device makes the photo's id, so a retry after a lost reply is the same photo.
Everything is checked before anything is written: a refused upload leaves no row
and no file. The bytes live with the content blobs (``blobs/ab/abcd…``); the row
travels by sync and the bytes follow it by digest (``photo_sync``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..auth.access import can_view_person, require
from ..db.blobs import blob_path, digest, store_blob
from ..errors import InvalidInput, NotFound
from ..models import Activity, Attempt, Person, Photo, Reflection
from ..models.media import PHOTO_TYPES
from .events import record_event, stored_event
from .people import get_person
from .rows import get_live, row_by_id

#: Largest photo accepted; the app sends JPEGs of at most 1280 px, about 100–300 KB.
PHOTO_MAX_BYTES = 1_500_000
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG or WebP), or None."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data: bytes, declared: str) -> str:
    """The media type of an uploaded image; 422 unless it is a JPEG, PNG or WebP as declared."""
    if declared not in PHOTO_TYPES:
        raise InvalidInput(
            f"Send the photo as one of {', '.join(PHOTO_TYPES)}.", {"content_type": [declared]}
        )
    found = sniff(data)
    if found is None or len(data) < 32:
        raise InvalidInput("That is not a JPEG, PNG or WebP picture.")
    if found != declared:
        raise InvalidInput(f"The picture is a {found}, not the {declared} declared.")
    return found


def record_photo(
    user: Person, photo_id: str, meta: dict[str, Any], data: bytes, declared: str, data_dir: str
) -> tuple[Photo, bool]:
    """Store a student's photo of their project work; return it and whether it is new.

    The same id with the same picture and details is the same photo (200, not a second
    row); the same id with anything different is a conflict (409).
    """
    require(user.role == "student", "Only students add photos to their own work.")
    media_type = check_image(data, declared)
    activity = get_live(Activity, meta["activity_id"], "activity")
    _check_links(user, activity, meta.get("attempt_id"), meta.get("reflection_id"))
    values = {
        "person_id": user.id,
        "activity_id": activity.id,
        "attempt_id": meta.get("attempt_id"),
        "reflection_id": meta.get("reflection_id"),
        "sha256": digest(data),
        "media_type": media_type,
        "size": len(data),
        "device_ms": meta["device_ms"],
    }
    stored_event(Photo, photo_id, values)  # a different photo under this id: 409, nothing written
    # The file first: a row must never point at bytes this node does not hold (and a
    # row that came by sync before its bytes gets them here).
    store_blob(data_dir, values["sha256"], data)
    photo, duplicate = record_event(Photo, photo_id, values, user.partition)
    return photo, not duplicate


def _check_links(
    user: Person, activity: Activity, attempt_id: str | None, reflection_id: str | None
) -> None:
    """422 unless the attempt and reflection a photo names are the uploader's, of that activity.

    One not on this node yet is allowed: the device sends a photo before the attempt
    it closes, and ``project_work`` joins only the photo owner's own reflection.
    """
    for model, row_id, field in (
        (Attempt, attempt_id, "attempt_id"),
        (Reflection, reflection_id, "reflection_id"),
    ):
        row = row_by_id(model, row_id, live=False) if row_id else None
        if row is not None and (row.person_id != user.id or row.activity_id != activity.id):
            raise InvalidInput(
                "A photo goes with one's own work on that activity.",
                {field: ["Not your work on this activity."]},
            )


def _visible(user: Person, photo_id: str) -> Photo:
    """A live photo the user may see; 404 for others' (their existence is not told)."""
    photo = row_by_id(Photo, photo_id)
    if photo is None:
        raise NotFound(f"No photo with id {photo_id}.")
    owner = row_by_id(Person, photo.person_id, live=False)
    if owner is None or not can_view_person(user, owner):
        raise NotFound(f"No photo with id {photo_id}.")
    return photo


def get_photo(user: Person, photo_id: str) -> Photo:
    """One photo's details: the student's own, or their school's for staff."""
    return _visible(user, photo_id)


def photo_file(user: Person, photo_id: str, data_dir: str) -> tuple[Path, Photo]:
    """Where a photo's bytes are; 404 while they have not arrived by sync yet."""
    photo = _visible(user, photo_id)
    path = blob_path(data_dir, photo.sha256)
    if not path.is_file():
        raise NotFound("That photo's picture has not reached this node yet; it follows by sync.")
    return path, photo


def photos_of(user: Person, person_id: str, activity_id: str | None = None) -> list[Photo]:
    """A student's photos, newest first (the student, or staff who may see them)."""
    person = get_person(user, person_id)
    query = Photo.live().where(Photo.person_id == person.id)
    if activity_id:
        query = query.where(Photo.activity_id == activity_id)
    return list(query.order_by(Photo.device_ms.desc(), Photo.id))


RECENT_WORK = 12


def project_work(person: Person, limit: int = RECENT_WORK) -> list[dict[str, Any]]:
    """A student's latest photos with the activity and the written answer they go with."""
    shots = list(
        Photo.live()
        .where(Photo.person_id == person.id)
        .order_by(Photo.device_ms.desc(), Photo.id)
        .limit(limit)
    )
    activities = {
        a.id: a.title
        for a in Activity.select(Activity.id, Activity.title).where(
            Activity.id.in_([s.activity_id for s in shots])
        )
    }
    # Keyed by owner too: a photo (made here or come by sync) naming another
    # student's reflection never shows that reflection's text.
    texts = {
        (r.person_id, r.id): r.text
        for r in Reflection.select(Reflection.id, Reflection.person_id, Reflection.text).where(
            Reflection.id.in_([s.reflection_id for s in shots if s.reflection_id])
        )
    }
    return [
        {
            "id": s.id,
            "image_url": f"/api/v1/photos/{s.id}/image",
            "activity_id": s.activity_id,
            "activity_title": activities.get(s.activity_id, s.activity_id),
            "text": texts.get((s.person_id, s.reflection_id), ""),
            "device_ms": s.device_ms,
        }
        for s in shots
    ]
