"""Shared content: packs, skills and their prerequisites, activities, items, assets.

Content lives in the district partition: every school of the district reads it,
only the hub (or an import on the node) writes it. A school may also author its
own simple activities (services/authoring.py): Activity, ActivitySkill, Item and
Asset rows in the school's partition, all under ``authored_prefix(school)``, a
name no pack can take (a pack id has no dot), so they are never confused with the
district's content. In a school's partition those four tables are teachers' work
(EVENTS): any node of the school relays them; in the district partition only the
hub authors anything (sync.engine), whatever the table says.
"""

from __future__ import annotations

from peewee import BigIntegerField, CharField, FloatField, IntegerField, TextField

from sync.engine import EVENTS, HUB
from sync.stamp import MUTABLE

from .base import JSONField, ReplicatedModel

ACTIVITY_KINDS = ("reading", "video", "audio", "quiz", "practice", "project", "reflection")
MODALITIES = ("read", "watch", "listen", "do")
ITEM_TYPES = ("choice", "numeric", "text")


def authored_pack(school_id: str) -> str:
    """The pack id of a school's own activities: never a pack slug (those have no dot)."""
    return f"school.{school_id}"


def authored_prefix(school_id: str) -> str:
    """What the id of every activity, item and skill link a school authors starts with."""
    return authored_pack(school_id) + ":"


class ContentPack(ReplicatedModel):
    """An imported content pack; its id is the pack's own slug."""

    replication = MUTABLE
    authority = HUB

    version = CharField(max_length=40)
    title = JSONField()
    description = JSONField(default=dict)
    license = CharField(max_length=64)
    languages = JSONField()
    manifest_sha256 = CharField(max_length=64)


class Skill(ReplicatedModel):
    """A competency, aligned to a standard. Id ``<pack>:<slug>``."""

    replication = MUTABLE
    authority = HUB

    pack_id = CharField(max_length=100, index=True)
    slug = CharField(max_length=100)
    title = JSONField()
    description = JSONField(default=dict)
    standard = CharField(max_length=100)
    case_uri = CharField(max_length=300, null=True)
    bkt = JSONField(null=True)  # prior, learn, guess, slip; defaults when absent


class SkillFit(ReplicatedModel):
    """Knowledge-tracing parameters of a skill fitted to answers by ``baobab fit-mastery``.

    Id ``fit:<skill id>``, in the district partition like the skill: a fit published by
    the hub reaches every node, so every node traces mastery with the same numbers.
    """

    replication = MUTABLE
    authority = HUB

    skill_id = CharField(max_length=100, index=True)
    prior = FloatField()
    learn = FloatField()
    guess = FloatField()
    slip = FloatField()
    students = IntegerField()  # answer sequences the fit saw
    answers = IntegerField()
    fitted_ms = BigIntegerField()


class SkillPrerequisite(ReplicatedModel):
    """An edge of the skill graph: ``skill_id`` needs ``prerequisite_id`` first."""

    replication = MUTABLE
    authority = HUB

    skill_id = CharField(max_length=100, index=True)
    prerequisite_id = CharField(max_length=100, index=True)


class Activity(ReplicatedModel):
    """Something a student does. Id ``<pack>:<slug>``."""

    replication = MUTABLE
    authority = EVENTS  # in a school partition: its own (see above)

    pack_id = CharField(max_length=100, index=True)
    slug = CharField(max_length=100)
    kind = CharField(max_length=16)
    language = CharField(max_length=16, index=True)
    title = CharField(max_length=300)
    difficulty = IntegerField()
    minutes = IntegerField()
    modality = CharField(max_length=16)
    interests = JSONField(default=list)
    culture = JSONField(default=list)
    body = JSONField(default=dict)


class ActivitySkill(ReplicatedModel):
    """A skill an activity teaches."""

    replication = MUTABLE
    authority = EVENTS  # in a school partition: its own (see above)

    activity_id = CharField(max_length=100, index=True)
    skill_id = CharField(max_length=100, index=True)


class Item(ReplicatedModel):
    """A question of an activity, with its answer key and hints. Id ``<activity>:<slug>``."""

    replication = MUTABLE
    authority = EVENTS  # in a school partition: its own (see above)

    activity_id = CharField(max_length=100, index=True)
    slug = CharField(max_length=100)
    position = IntegerField()
    type = CharField(max_length=16)
    prompt = TextField()
    choices = JSONField(null=True)
    answer = JSONField()
    tolerance = FloatField(null=True)
    hints = JSONField(default=list)


class Asset(ReplicatedModel):
    """A content-addressed file of a pack; its id is the SHA-256 of its bytes."""

    replication = MUTABLE
    authority = EVENTS  # in a school partition: its own (see above)

    pack_id = CharField(max_length=100, index=True)
    media_type = CharField(max_length=100)
    size = IntegerField()
