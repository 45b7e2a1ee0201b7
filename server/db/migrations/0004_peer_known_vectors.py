"""0004 peer known vectors: what each peer held at our last sync, so a USB bundle
for it carries only what it lacks."""

from peewee import TextField


def up(migrator, db):
    migrator.migrate(migrator.add_column("peer", "known_vectors", TextField(default="{}")))
