"""0002 sync vector: per partition and origin, the highest counter this node holds.

A frozen copy of the model as it was: migrations never import server.models.
"""

from peewee import BigIntegerField, CharField, Model


def up(migrator, db):
    class SyncVector(Model):
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()

        class Meta:
            database = db
            table_name = "sync_vector"
            indexes = ((("partition", "origin"), True),)

    db.create_tables([SyncVector])
