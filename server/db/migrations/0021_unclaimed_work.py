"""0021 unclaimed work: a tablet's work done under a sign-in the node never checked.

Local to the node, never replicated; a teacher gives it to the right student or
discards it. A frozen copy of the model as it was: migrations never import server.models.
(0019 and 0020 are other branches' numbers; the runner applies files by name.)
"""

from peewee import BigIntegerField, CharField, Model, TextField


def up(migrator, db):
    class UnclaimedWork(Model):
        id = CharField(primary_key=True, max_length=100)
        batch = CharField(max_length=100, index=True)
        kind = CharField(max_length=16)
        body = TextField()
        named_id = CharField(max_length=100, index=True)
        sent_by = CharField(max_length=100)
        made_ms = BigIntegerField()
        received_ms = BigIntegerField()
        state = CharField(max_length=16, default="waiting")
        owner_id = CharField(max_length=100, null=True)
        decided_by = CharField(max_length=100, null=True)
        decided_ms = BigIntegerField(null=True)
        outcome = TextField(null=True)

        class Meta:
            database = db
            table_name = "unclaimed_work"

    db.create_tables([UnclaimedWork])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("unclaimed_work"))
