"""The learning record: assignments and goals (mutable), and the events.

Attempts, answers, reflections and feedback are immutable events: merging is
union, and their ids are made on the device, so a retry is the same event.
Each event keeps the device's time and the node's receipt time (invariant 9).
"""

from __future__ import annotations

from peewee import BigIntegerField, BooleanField, CharField, IntegerField, TextField

from sync.stamp import EVENT, MUTABLE

from .base import BaseModel, JSONField, ReplicatedModel

GOAL_TERMS = ("short", "long")
GOAL_KINDS = ("master_skill", "finish_activities", "practice_minutes", "free_text")
GOAL_STATUSES = ("active", "done", "dropped")


class Assignment(ReplicatedModel):
    """An activity or a skill given to a class, a group or one student.

    ``pinned`` puts it first; ``hidden`` keeps it from the students without withdrawing it.
    A skill assignment has ``skill_id`` and no ``activity_id`` (migration 0013).
    """

    replication = MUTABLE

    classroom_id = CharField(max_length=100, index=True)
    activity_id = CharField(max_length=100, null=True)
    group_id = CharField(max_length=100, null=True)
    person_id = CharField(max_length=100, null=True)
    assigned_by = CharField(max_length=100)
    due_on = CharField(max_length=10, null=True)  # ISO date
    pinned = BooleanField(default=False)
    note = TextField(default="")
    skill_id = CharField(max_length=100, null=True)
    hidden = BooleanField(default=False)


class Goal(ReplicatedModel):
    """A short- or long-term goal of a student, set by the student or a teacher."""

    replication = MUTABLE

    person_id = CharField(max_length=100, index=True)
    set_by = CharField(max_length=100)
    term = CharField(max_length=8)
    kind = CharField(max_length=24)
    skill_id = CharField(max_length=100, null=True)
    activity_ids = JSONField(default=list)
    target = IntegerField(null=True)
    text = TextField(default="")
    due_on = CharField(max_length=10, null=True)
    status = CharField(max_length=12, default="active")
    created_ms = BigIntegerField(null=True)  # when it was set; paces "behind"


class Attempt(ReplicatedModel):
    """One go at an activity, recorded when the student ends it."""

    replication = EVENT

    person_id = CharField(max_length=100, index=True)
    activity_id = CharField(max_length=100, index=True)
    started_ms = BigIntegerField()
    ended_ms = BigIntegerField()
    completed = BooleanField(default=False)
    received_ms = BigIntegerField()


class Answer(ReplicatedModel):
    """One response to one item: the raw material of mastery."""

    replication = EVENT

    person_id = CharField(max_length=100, index=True)
    attempt_id = CharField(max_length=100, null=True)
    activity_id = CharField(max_length=100)
    item_id = CharField(max_length=100)
    response = JSONField()
    correct = BooleanField()
    hints_used = IntegerField(default=0)
    duration_ms = IntegerField(null=True)
    device_ms = BigIntegerField()
    received_ms = BigIntegerField()


class Reflection(ReplicatedModel):
    """A student's confidence (1-4) and a sentence about their learning."""

    replication = EVENT

    person_id = CharField(max_length=100, index=True)
    activity_id = CharField(max_length=100, null=True)
    attempt_id = CharField(max_length=100, null=True)
    confidence = IntegerField()
    text = TextField(default="")
    device_ms = BigIntegerField()
    received_ms = BigIntegerField()


class Feedback(ReplicatedModel):
    """A teacher's comment on a student's work."""

    replication = EVENT

    person_id = CharField(max_length=100, index=True)
    author_id = CharField(max_length=100)
    activity_id = CharField(max_length=100, null=True)
    attempt_id = CharField(max_length=100, null=True)
    text = TextField()
    device_ms = BigIntegerField()
    received_ms = BigIntegerField()


WORK_KINDS = ("reflection", "answer")


class WorkSeen(ReplicatedModel):
    """A teacher has seen a piece of open work (a reflection or a written answer).

    Mutable, one row per piece of work under an id made from the work's (``seen_id``),
    so marking the same work seen on two nodes of the school makes one row.
    """

    replication = MUTABLE

    person_id = CharField(max_length=100, index=True)  # the student whose work it is
    work_kind = CharField(max_length=16)
    work_id = CharField(max_length=100)
    seen_by = CharField(max_length=100)
    seen_ms = BigIntegerField()


UNCLAIMED_KINDS = ("answer", "attempt", "reflection")  # as JSON; a photo comes as its picture
UNCLAIMED_STATES = ("waiting", "given", "discarded")


class UnclaimedWork(BaseModel):
    """Work done on a tablet under a sign-in the node never checked; local to the node.

    A child may sign in with the node away under any name (the tablet cannot check
    pictures); if the node later refuses that sign-in's pictures, or never saw them,
    its work is nobody's yet. The tablet sends it here, never as the named child's;
    a teacher of the named child gives it to the right student (then it becomes that
    student's events) or discards it (the row stays). ``batch`` is the sign-in's id
    on the tablet: one child's sitting, given or discarded as one.
    """

    id = CharField(primary_key=True, max_length=100)  # the event's id, made on the tablet
    batch = CharField(max_length=100, index=True)
    kind = CharField(max_length=16)
    body = JSONField()  # what the tablet would have posted; a photo's details and sha256
    named_id = CharField(max_length=100, index=True)  # the name the sign-in used
    sent_by = CharField(max_length=100)  # the checked session that carried it here
    made_ms = BigIntegerField()  # the tablet's clock
    received_ms = BigIntegerField()
    state = CharField(max_length=16, default="waiting")
    owner_id = CharField(max_length=100, null=True)  # the student it was given to
    decided_by = CharField(max_length=100, null=True)
    decided_ms = BigIntegerField(null=True)
    outcome = TextField(null=True)  # what the node said of it when given, if it refused it
