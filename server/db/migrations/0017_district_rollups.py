"""0017 district rollups: the hub's dashboard figures, its audit log and its xAPI sends.

Local tables, never replicated (rollups are derived numbers, invariant 7). Rollups
start empty: the first fold after this migration reads every event once, from
counter 0 of each origin, and only new events after that.

A frozen copy of the models as they were: migrations never import server.models.
"""

import datetime

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    IntegerField,
    Model,
    TextField,
)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _tables(db):
    class RollupMark(Model):
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "rollup_mark"
            indexes = ((("partition", "origin"), True),)

    class RollupDay(Model):
        school_id = CharField(max_length=100)
        classroom_id = CharField(max_length=100, default="")
        day = CharField(max_length=10)
        students = IntegerField(default=0)  # distinct active students (RollupActive rows)
        answers = IntegerField(default=0)
        correct = IntegerField(default=0)
        attempts = IntegerField(default=0)
        completed = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "rollup_day"
            indexes = (
                (("school_id", "classroom_id", "day"), True),
                (("classroom_id", "day"), False),  # the district level: every school's row
            )

    class RollupActive(Model):
        school_id = CharField(max_length=100)
        classroom_id = CharField(max_length=100, default="")
        day = CharField(max_length=10)
        person_id = CharField(max_length=100)

        class Meta:
            database = db
            table_name = "rollup_active"
            indexes = ((("school_id", "classroom_id", "day", "person_id"), True),)

    class RollupSkill(Model):
        school_id = CharField(max_length=100)
        classroom_id = CharField(max_length=100, default="")
        skill_id = CharField(max_length=100)
        answers = IntegerField(default=0)
        correct = IntegerField(default=0)
        mastered = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "rollup_skill"
            indexes = (
                (("school_id", "classroom_id", "skill_id"), True),
                (("classroom_id", "skill_id"), False),
            )

    class RollupMastery(Model):
        person_id = CharField(max_length=100)
        skill_id = CharField(max_length=100)
        p_known = FloatField()
        answers = IntegerField(default=0)
        mastered = BooleanField(default=False)
        mastered_ms = BigIntegerField(null=True)

        class Meta:
            database = db
            table_name = "rollup_mastery"
            indexes = ((("person_id", "skill_id"), True),)

    class RollupContent(Model):
        school_id = CharField(max_length=100)
        classroom_id = CharField(max_length=100, default="")
        activity_id = CharField(max_length=100)
        attempts = IntegerField(default=0)
        completed = IntegerField(default=0)
        minutes = FloatField(default=0)

        class Meta:
            database = db
            table_name = "rollup_content"
            indexes = (
                (("school_id", "classroom_id", "activity_id"), True),
                (("classroom_id", "activity_id"), False),
            )

    class AuditEntry(Model):
        at = DateTimeField(default=utcnow, index=True)
        actor_id = CharField(max_length=100)
        actor_name = CharField(max_length=200)
        action = CharField(max_length=40)
        school_id = CharField(max_length=100, null=True, index=True)
        subject_id = CharField(max_length=100, null=True)
        detail = TextField(default="")

        class Meta:
            database = db
            table_name = "audit_entry"

    class XapiSent(Model):
        statement_id = CharField(max_length=36, unique=True)
        event_id = CharField(max_length=100)
        endpoint = CharField(max_length=300)
        sent_at = DateTimeField(null=True)
        tries = IntegerField(default=0)
        last_error = TextField(null=True)

        class Meta:
            database = db
            table_name = "xapi_sent"

    return [
        RollupMark,
        RollupDay,
        RollupActive,
        RollupSkill,
        RollupMastery,
        RollupContent,
        AuditEntry,
        XapiSent,
    ]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(_tables(db))
