"""0018 person erased: a student erased on request (the district hub's privacy duty).

The erased version replicates like any edit of the person; a node applying it blanks
nothing more itself (the row already carries blank fields) but purges the person's kept
versions from its history. A frozen change: migrations never import server.models.
"""

from peewee import BooleanField


def up(migrator, db):
    migrator.migrate(migrator.add_column("person", "erased", BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("person", "erased"))
