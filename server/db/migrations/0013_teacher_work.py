"""0013 teacher work: skill assignments, hidden assignments, and "seen by the teacher".

An assignment now names an activity or a skill (``activity_id`` may be empty,
``skill_id`` says which skill), and a teacher may hide one from the students without
withdrawing it. ``work_seen`` holds one mutable row per piece of open work (a
project, a written answer, a reflection) a teacher has looked at, under an id made
from the work's own, so two nodes marking the same work seen make one row.

A frozen change: migrations never import server.models.
(0012 is another branch's number; the runner applies files by name, gaps are fine.)
"""

from peewee import BigIntegerField, BooleanField, CharField, IntegerField, Model


def up(migrator, db):
    class WorkSeen(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = IntegerField()  # a code of sync_name (0007 interned names)
        origin = IntegerField()
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        work_kind = CharField(max_length=16)
        work_id = CharField(max_length=100)
        seen_by = CharField(max_length=100)
        seen_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "work_seen"
            indexes = ((("origin", "counter"), False),)

    db.create_tables([WorkSeen])
    migrator.migrate(
        migrator.drop_not_null("assignment", "activity_id"),
        migrator.add_column("assignment", "skill_id", CharField(max_length=100, null=True)),
        migrator.add_column("assignment", "hidden", BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("assignment", "hidden"),
        migrator.drop_column("assignment", "skill_id"),
    )
    migrator.migrate(migrator.drop_table("work_seen"))
