"""0019 peer version and academic sessions.

``peer.version``: the software version a peer's last signed hello claimed. The admin
app lists each enrolled node with its version and flags one older than the hub. Null
for a peer that never said one (a node from before this change): shown as unknown.

``academic_session``: the OneRoster academic sessions (school years, terms, grading
periods) a roster import brought, so the OneRoster results export refers its line
items to the district's own grading periods. Local, never replicated.

A frozen change: migrations never import server.models.
"""

import datetime

from peewee import CharField, DateTimeField, Model


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _tables(db):
    class AcademicSession(Model):
        sourced_id = CharField(max_length=255, unique=True)
        title = CharField(max_length=255)
        type = CharField(max_length=16)
        start_date = CharField(max_length=10)
        end_date = CharField(max_length=10)
        parent_sourced_id = CharField(max_length=255, default="")
        school_year = CharField(max_length=4, default="")
        imported_at = DateTimeField(default=utcnow)

        class Meta:
            database = db
            table_name = "academic_session"

    return [AcademicSession]


def up(migrator, db):
    migrator.migrate(migrator.add_column("peer", "version", CharField(max_length=40, null=True)))
    db.create_tables(_tables(db))


def down(migrator, db):
    db.drop_tables(_tables(db))
    migrator.migrate(migrator.drop_column("peer", "version"))
