"""0012 archived people: a student who left, kept with their work, out of every list.

``archived`` replicates with the person (an admin's or teacher's edit, like a name),
so every node of the school hides them from sign-in and class lists alike; taking it
back brings the child back with everything they did.

A frozen change: migrations never import server.models.
"""

from peewee import BooleanField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("person", "archived", BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("person", "archived"))
