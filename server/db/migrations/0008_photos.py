"""0008 photos: students' photos of project work, linked to content-addressed bytes.

A frozen copy of the model as it was: migrations never import server.models.
Partition and origin are codes of the local `sync_name` table, as 0007 made them.
"""

from peewee import BigIntegerField, BooleanField, CharField, IntegerField, Model


def up(migrator, db):
    class Photo(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = IntegerField()  # a code of sync_name (0007 interned names)
        origin = IntegerField()
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        activity_id = CharField(max_length=100)
        attempt_id = CharField(max_length=100, null=True)
        reflection_id = CharField(max_length=100, null=True)
        sha256 = CharField(index=True, max_length=64)
        media_type = CharField(max_length=32)
        size = IntegerField()
        device_ms = BigIntegerField()
        received_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "photo"
            indexes = ((("origin", "counter"), False),)

    db.create_tables([Photo])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("photo"))
