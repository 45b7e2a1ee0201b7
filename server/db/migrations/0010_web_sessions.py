"""0010 web sessions: each signed-in browser, local to the node, so sign-out can end it.

A frozen copy of the model as it was: migrations never import server.models.
"""

import datetime

from peewee import BooleanField, CharField, DateTimeField, Model


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def up(migrator, db):
    class WebSession(Model):
        id_hash = CharField(max_length=64, primary_key=True)
        person_id = CharField(max_length=100, index=True)
        credential = CharField(max_length=64)
        https = BooleanField(default=False)
        created_at = DateTimeField(default=_now)
        seen_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "web_session"

    db.create_tables([WebSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("web_session"))
