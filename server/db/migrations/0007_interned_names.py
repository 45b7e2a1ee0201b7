"""0007 interned names: replicated rows store partition and origin as this database's codes.

A local table ``sync_name`` (never replicated) gives every partition name and node
id a small integer; every replicated table's ``partition`` and ``origin`` columns
become INTEGER holding that code (about 45 bytes less per row). Every row is kept.
Replicated tables are found by shape, not by importing models: those with
partition, origin, counter, hlc and deleted columns. History keeps its ``data``
as it was: names as text.

SQLite cannot change a column's type, so each table is rebuilt from its own
CREATE statement with the two columns typed INTEGER, its indexes made again.
PostgreSQL gets new columns filled by a join, the text ones dropped and renamed.
"""

import re

from peewee import CharField, Model, PostgresqlDatabase

STAMP_COLUMNS = {"partition", "origin", "counter", "hlc", "deleted"}
NAMED = ("partition", "origin")


def up(migrator, db):
    class SyncName(Model):
        name = CharField(max_length=100, unique=True)

        class Meta:
            database = db
            table_name = "sync_name"

    db.create_tables([SyncName])
    tables = [t for t in db.get_tables() if {c.name for c in db.get_columns(t)} >= STAMP_COLUMNS]
    for table in tables:
        # Sorted, so the codes follow the names' order (nothing depends on it; tests read easier).
        db.execute_sql(
            f'INSERT INTO sync_name (name) SELECT n FROM (SELECT partition AS n FROM "{table}" '
            f'UNION SELECT origin FROM "{table}") AS u '
            "WHERE n NOT IN (SELECT name FROM sync_name) ORDER BY n"
        )
    for table in tables:
        if isinstance(db, PostgresqlDatabase):
            _postgresql(db, table)
        else:
            _sqlite(db, table)


def _code_of(table, column):
    return f'(SELECT id FROM sync_name WHERE name = "{table}"."{column}")'


def _sqlite(db, table):
    create = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    indexes = [
        r[0]
        for r in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
    ]
    interim = f"{table}__0007"
    create = re.sub(r'("(?:partition|origin)") VARCHAR\(\d+\)', r"\1 INTEGER", create)
    create = create.replace(f'"{table}"', f'"{interim}"', 1)
    db.execute_sql(create)
    columns = [c.name for c in db.get_columns(table)]
    values = [_code_of(table, c) if c in NAMED else f'"{c}"' for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    db.execute_sql(f'INSERT INTO "{interim}" ({names}) SELECT {", ".join(values)} FROM "{table}"')
    db.execute_sql(f'DROP TABLE "{table}"')
    db.execute_sql(f'ALTER TABLE "{interim}" RENAME TO "{table}"')
    for sql in indexes:
        db.execute_sql(sql)


def _postgresql(db, table):
    # Indexes on the columns go with them: keep their definitions to make them again.
    rebuilt = [
        r[0]
        for r in db.execute_sql(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s",
            (table,),
        )
        if re.search(r'\((?:[^)]*[ ,(])?"?(?:partition|origin)"?[,)]', r[0])
    ]
    for column in NAMED:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}__0007" INTEGER')
    db.execute_sql(
        f'UPDATE "{table}" AS t SET "partition__0007" = p.id, "origin__0007" = o.id '
        "FROM sync_name AS p, sync_name AS o WHERE p.name = t.partition AND o.name = t.origin"
    )
    for column in NAMED:
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        db.execute_sql(f'ALTER TABLE "{table}" RENAME COLUMN "{column}__0007" TO "{column}"')
        db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET NOT NULL')
    for sql in rebuilt:
        db.execute_sql(sql)
