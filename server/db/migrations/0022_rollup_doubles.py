"""0022 rollup doubles: the hub's running mastery estimate and minutes in double precision.

On PostgreSQL a ``FloatField`` is ``real`` (4 bytes, about 7 digits): each fold
carried a student's knowledge-tracing estimate on from a rounded value, so after
a few chunks it drifted from the estimate recomputed from the events, and a
crossing of the mastery threshold could be counted that the events never made
(``scripts/bench hub``'s rollup check found it). ``double precision`` keeps what
the fold computed. SQLite's REAL is already 8 bytes: nothing to do there.
Estimates folded before this migration keep their rounding.
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('ALTER TABLE "rollup_mastery" ALTER COLUMN "p_known" TYPE double precision')
        db.execute_sql('ALTER TABLE "rollup_content" ALTER COLUMN "minutes" TYPE double precision')


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('ALTER TABLE "rollup_mastery" ALTER COLUMN "p_known" TYPE real')
        db.execute_sql('ALTER TABLE "rollup_content" ALTER COLUMN "minutes" TYPE real')
