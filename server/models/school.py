"""The school side of the model: schools, classes, people, groups, profiles."""

from __future__ import annotations

from peewee import BooleanField, CharField, TextField

from sync.engine import ACCOUNTS
from sync.stamp import MUTABLE

from .base import JSONField, ReplicatedModel

ROLES = ("student", "teacher", "admin")
ENROLLMENT_ROLES = ("student", "teacher")


class School(ReplicatedModel):
    """A school; its rows live in partition ``school:<id>``."""

    replication = MUTABLE
    authority = ACCOUNTS

    name = CharField(max_length=200)
    code = CharField(max_length=40, null=True)
    languages = JSONField(default=lambda: ["en"])


class Classroom(ReplicatedModel):
    """A class of a school. ``picture_password`` off lets children sign in by name alone."""

    replication = MUTABLE
    authority = ACCOUNTS
    school_column = "school_id"

    school_id = CharField(max_length=100, index=True)
    name = CharField(max_length=200)
    grade = CharField(max_length=40, null=True)
    language = CharField(max_length=16, default="en")
    picture_password = BooleanField(default=True)
    source_id = CharField(max_length=200, null=True, index=True)  # the roster's id (0011)


class Person(ReplicatedModel):
    """A student, teacher or admin of a school."""

    replication = MUTABLE
    authority = ACCOUNTS
    school_column = "school_id"
    secret_columns = ("password_hash", "picture_password_hash")

    school_id = CharField(max_length=100, index=True)
    role = CharField(max_length=16)
    display_name = CharField(max_length=200)
    username = CharField(max_length=100, null=True, index=True)
    picture = CharField(max_length=40, null=True)
    password_hash = CharField(max_length=200, null=True)
    picture_password_hash = CharField(max_length=200, null=True)
    language = CharField(max_length=16, default="en")
    source_id = CharField(max_length=200, null=True, index=True)  # the roster's id (0011)
    archived = BooleanField(default=False)  # left the school: out of every list, work kept (0012)
    # Erased on request (0018): personal fields blanked, the row a tombstone, its kept
    # versions purged on every node that applies it; the events stay, anonymous.
    erased = BooleanField(default=False)


class Enrollment(ReplicatedModel):
    """A person in a class, as student or teacher; unenrolling is a tombstone."""

    replication = MUTABLE
    authority = ACCOUNTS

    classroom_id = CharField(max_length=100, index=True)
    person_id = CharField(max_length=100, index=True)
    role = CharField(max_length=16)


class Group(ReplicatedModel):
    """A group of students of one class, formed by the teacher."""

    replication = MUTABLE

    classroom_id = CharField(max_length=100, index=True)
    name = CharField(max_length=200)
    kind = CharField(max_length=16, default="custom")  # level, mixed, custom
    skill_id = CharField(max_length=100, null=True)

    class Meta:
        table_name = "learning_group"


class GroupMember(ReplicatedModel):
    """A student in a group."""

    replication = MUTABLE

    group_id = CharField(max_length=100, index=True)
    person_id = CharField(max_length=100, index=True)


#: What a teacher may record that changes the student app on every screen: read-aloud on
#: by default, no time pressure (no minutes, due dates or "behind" shown), larger text,
#: fewer choices per item, more contrast.
ACCOMMODATIONS = ("read_aloud", "extra_time", "larger_text", "fewer_choices", "high_contrast")


class LearnerProfile(ReplicatedModel):
    """What a learner likes and needs. Its id is ``profile:<person id>``, one per person."""

    replication = MUTABLE

    person_id = CharField(max_length=100, index=True)
    interests = JSONField(default=list)
    motivations = JSONField(default=list)
    modalities = JSONField(default=list)  # read, watch, listen, do
    languages = JSONField(default=list)
    accommodations = JSONField(default=list)  # of ACCOMMODATIONS
    notes = TextField(default="")
