"""The hub's own tables for the district: dashboard rollups, the audit log, xAPI sends,
the academic sessions of imported rosters.

All local, never replicated: rollups are derived numbers (invariant 7), folded
from the events as they arrive (server.services.rollups), so a page view reads
a few hundred small rows instead of every event.
"""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    DoubleField,
    IntegerField,
    TextField,
)

from .base import BaseModel, utcnow


class RollupMark(BaseModel):
    """Per partition and origin, the highest counter folded into the rollups."""

    partition = CharField(max_length=100)
    origin = CharField(max_length=32)
    counter = BigIntegerField(default=0)

    class Meta:
        indexes = ((("partition", "origin"), True),)


class RollupDay(BaseModel):
    """A school's (``classroom_id`` empty) or a class's figures of one UTC day."""

    school_id = CharField(max_length=100)
    classroom_id = CharField(max_length=100, default="")
    day = CharField(max_length=10)
    students = IntegerField(default=0)  # distinct active students (RollupActive rows)
    answers = IntegerField(default=0)
    correct = IntegerField(default=0)
    attempts = IntegerField(default=0)
    completed = IntegerField(default=0)

    class Meta:
        indexes = (
            (("school_id", "classroom_id", "day"), True),
            (("classroom_id", "day"), False),  # the district level: every school's row
        )


class RollupActive(BaseModel):
    """A student active on a day in a school (and class): counted once in RollupDay."""

    school_id = CharField(max_length=100)
    classroom_id = CharField(max_length=100, default="")
    day = CharField(max_length=10)
    person_id = CharField(max_length=100)

    class Meta:
        indexes = ((("school_id", "classroom_id", "day", "person_id"), True),)


class RollupSkill(BaseModel):
    """Answers and students at mastery per skill, for a school or one of its classes."""

    school_id = CharField(max_length=100)
    classroom_id = CharField(max_length=100, default="")
    skill_id = CharField(max_length=100)
    answers = IntegerField(default=0)
    correct = IntegerField(default=0)
    mastered = IntegerField(default=0)

    class Meta:
        indexes = (
            (("school_id", "classroom_id", "skill_id"), True),
            (("classroom_id", "skill_id"), False),
        )


class RollupMastery(BaseModel):
    """One student's running knowledge-tracing estimate of one skill, in arrival order."""

    person_id = CharField(max_length=100)
    skill_id = CharField(max_length=100)
    p_known = DoubleField()  # double on PostgreSQL too: the fold carries it on (0022)
    answers = IntegerField(default=0)
    mastered = BooleanField(default=False)
    mastered_ms = BigIntegerField(null=True)  # when it was reached (received time)

    class Meta:
        indexes = ((("person_id", "skill_id"), True),)


class RollupContent(BaseModel):
    """Use of one activity in a school or class: attempts, completions, minutes."""

    school_id = CharField(max_length=100)
    classroom_id = CharField(max_length=100, default="")
    activity_id = CharField(max_length=100)
    attempts = IntegerField(default=0)
    completed = IntegerField(default=0)
    minutes = DoubleField(default=0)  # 0022

    class Meta:
        indexes = (
            (("school_id", "classroom_id", "activity_id"), True),
            (("classroom_id", "activity_id"), False),
        )


class AuditEntry(BaseModel):
    """One export or one view of a child's record by an admin: who, what, when."""

    at = DateTimeField(default=utcnow, index=True)
    actor_id = CharField(max_length=100)
    actor_name = CharField(max_length=200)
    action = CharField(max_length=40)
    school_id = CharField(max_length=100, null=True, index=True)
    subject_id = CharField(max_length=100, null=True)
    detail = TextField(default="")


class XapiSent(BaseModel):
    """A statement the LRS accepted (or the last failure to send it): never sent twice."""

    statement_id = CharField(max_length=36, unique=True)
    event_id = CharField(max_length=100)
    endpoint = CharField(max_length=300)
    sent_at = DateTimeField(null=True)
    tries = IntegerField(default=0)
    last_error = TextField(null=True)


class AcademicSession(BaseModel):
    """A OneRoster academic session a roster import brought (0019): a school year, a
    term, a semester or a grading period. The results export refers line items to
    the grading periods here (server.services.exports)."""

    sourced_id = CharField(max_length=255, unique=True)
    title = CharField(max_length=255)
    type = CharField(max_length=16)  # gradingPeriod, semester, schoolYear or term
    start_date = CharField(max_length=10)  # ISO dates, as OneRoster writes them
    end_date = CharField(max_length=10)
    parent_sourced_id = CharField(max_length=255, default="")
    school_year = CharField(max_length=4, default="")
    imported_at = DateTimeField(default=utcnow)
