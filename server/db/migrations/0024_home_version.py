"""0024 home version: one number that every change to a home's slow tables raises.

A student's home read their classes, groups, assignments, profile, goals and
teachers' words on every request, although a student's own answers and attempts
change none of them. Triggers now raise ``home_version.changes`` in the transaction
of any insert, update or delete of those tables, whoever makes it (an edit, a roster
import, a sync, an erasure), and the home keeps what it read until that number moves
(server.services.home_reads). Local to the node, never replicated; SQLite only. A frozen copy of
the model as it was: migrations never import server.models.
"""

from peewee import BigIntegerField, IntegerField, Model, SqliteDatabase

#: The tables whose changes the number follows (server.services.home_reads.TABLES).
TABLES = (
    "person",
    "enrollment",
    "group_member",
    "assignment",
    "learner_profile",
    "goal",
    "feedback",
)
BUMP = 'UPDATE "home_version" SET "changes" = "changes" + 1'


def _model(db):
    class HomeVersion(Model):
        id = IntegerField(primary_key=True)
        changes = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "home_version"

    return HomeVersion


def up(migrator, db):
    model = _model(db)
    db.create_tables([model])
    if not isinstance(db, SqliteDatabase):
        # The hub (PostgreSQL, several processes) serves no class: no triggers, no row,
        # so nothing is kept there and its ingest of goals and feedback locks no row.
        return
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "home_version_{table}_{event.lower()}" '
                f'AFTER {event} ON "{table}" BEGIN {BUMP}; END'
            )
    # Last: the row is the promise that the triggers exist (no row: nothing is kept).
    model.insert(id=1, changes=0).on_conflict_ignore().execute()


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "home_version_{table}_{event}"')
    migrator.migrate(migrator.drop_table("home_version"))
