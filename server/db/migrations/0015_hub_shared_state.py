"""0015 hub shared state: what every app host of a hub must see alike lives in the database.

The hub's node key and cookie key, sign-in failures, and the syncs running with
their progress: on a node these are files of the data directory; several hub
hosts behind a proxy share only PostgreSQL. A frozen copy of the models as they
were: migrations never import server.models.
"""

from peewee import CharField, DoubleField, IntegerField, Model, TextField


def up(migrator, db):
    class SharedSecret(Model):
        name = CharField(max_length=32, primary_key=True)
        value = TextField()

        class Meta:
            database = db
            table_name = "shared_secret"

    class SignInFailure(Model):
        key = CharField(max_length=200, index=True)
        at = DoubleField()

        class Meta:
            database = db
            table_name = "sign_in_failure"

    class SyncRun(Model):
        peer_id = IntegerField(primary_key=True)
        token = CharField(max_length=16)
        host = CharField(max_length=200)
        state = TextField()
        beat_at = DoubleField()

        class Meta:
            database = db
            table_name = "sync_run"

    db.create_tables([SharedSecret, SignInFailure, SyncRun])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table("sync_run"),
        migrator.drop_table("sign_in_failure"),
        migrator.drop_table("shared_secret"),
    )
