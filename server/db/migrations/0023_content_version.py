"""0023 content version: one number that every change to the content tables raises.

A home screen checked whether its cached content was current with a checksum of six
tables (a scan of every skill, activity and item, per request); an answer read its
item each time. Triggers now raise ``content_version.changes`` in the transaction of
any insert, update or delete of those tables, whoever makes it, and caches compare
that one row (server.services.catalog). Local to the node, never replicated. A
frozen copy of the model as it was: migrations never import server.models.
"""

from peewee import BigIntegerField, IntegerField, Model, SqliteDatabase

#: The content tables whose changes the number follows (server.services.catalog._TABLES).
TABLES = ("skill", "skill_prerequisite", "skill_fit", "activity", "activity_skill", "item")
BUMP = 'UPDATE "content_version" SET "changes" = "changes" + 1'


def _model(db):
    class ContentVersion(Model):
        id = IntegerField(primary_key=True)
        changes = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "content_version"

    return ContentVersion


def up(migrator, db):
    model = _model(db)
    db.create_tables([model])
    if isinstance(db, SqliteDatabase):
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS "content_version_{table}_{event.lower()}" '
                    f'AFTER {event} ON "{table}" BEGIN {BUMP}; END'
                )
    else:
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION baobab_content_changed() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "content_version_{table}" ON "{table}"')
            db.execute_sql(
                f'CREATE TRIGGER "content_version_{table}" '
                f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE PROCEDURE baobab_content_changed()"
            )
    # Last: the row is the promise that the triggers exist (no row: the checksum is used).
    model.insert(id=1, changes=0).on_conflict_ignore().execute()


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                db.execute_sql(f'DROP TRIGGER IF EXISTS "content_version_{table}_{event}"')
    else:
        for table in TABLES:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "content_version_{table}" ON "{table}"')
        db.execute_sql("DROP FUNCTION IF EXISTS baobab_content_changed()")
    migrator.migrate(migrator.drop_table("content_version"))
