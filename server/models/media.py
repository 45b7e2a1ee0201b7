"""Students' photos of their project work: a replicated event that links a student's
answer to a content-addressed image on disk (the bytes travel after the row, by digest)."""

from __future__ import annotations

from peewee import BigIntegerField, CharField, IntegerField

from sync.stamp import EVENT

from .base import ReplicatedModel

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class Photo(ReplicatedModel):
    """One photo a student added to a project answer; the id is made on the device."""

    replication = EVENT

    person_id = CharField(max_length=100, index=True)
    activity_id = CharField(max_length=100)
    attempt_id = CharField(max_length=100, null=True)
    reflection_id = CharField(max_length=100, null=True)  # the written answer it goes with
    sha256 = CharField(max_length=64, index=True)
    media_type = CharField(max_length=32)
    size = IntegerField()
    device_ms = BigIntegerField()
    received_ms = BigIntegerField()
