"""0019 peer version: the software version a peer's last signed hello claimed.

The admin app lists each enrolled node with its version and flags one older than the
hub. Null for a peer that never said one (a node from before this change): shown as
unknown. A frozen change: migrations never import server.models.
"""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(migrator.add_column("peer", "version", CharField(max_length=40, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("peer", "version"))
