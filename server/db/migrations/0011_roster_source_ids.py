"""0011 roster source ids: the roster system's id of a class or a person.

``source_id`` is the ``sourcedId`` of a OneRoster import (or ``csv:`` and a key of a
simple CSV roster), so importing the same roster again updates its rows and never
duplicates them. It replicates with the row, so every node of the school knows it.

A frozen change: migrations never import server.models.
(0009-0012 are other branches' numbers; the runner applies files by name, gaps are fine.)
"""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("classroom", "source_id", CharField(max_length=200, null=True)),
        migrator.add_column("person", "source_id", CharField(max_length=200, null=True)),
        migrator.add_index("classroom", ("source_id",), False),
        migrator.add_index("person", ("source_id",), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("person", "person_source_id"),
        migrator.drop_index("classroom", "classroom_source_id"),
        migrator.drop_column("person", "source_id"),
        migrator.drop_column("classroom", "source_id"),
    )
