"""0025 home version groups: a group renamed or dissolved raises the home's number too.

A student's home now names the groups they are in (and who else is in each). 0024's
triggers follow the memberships (``group_member``) but not the groups' own table, so a
group renamed would have kept its old name on the home until something else changed.
The same triggers on ``learning_group``; SQLite only, as 0024. Migrations never import
server.models.
"""

from peewee import SqliteDatabase

TABLES = ("learning_group",)
BUMP = 'UPDATE "home_version" SET "changes" = "changes" + 1'


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return  # the hub keeps no home (0024)
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "home_version_{table}_{event.lower()}" '
                f'AFTER {event} ON "{table}" BEGIN {BUMP}; END'
            )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "home_version_{table}_{event}"')
