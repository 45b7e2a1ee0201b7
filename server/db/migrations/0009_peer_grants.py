"""0009 peer grants: what a pairing lets a peer author here (invariant 10).

A pairing code carries the grants the admin who made it chose; the peer it made
keeps them. Peers paired before this migration were trusted with everything by
whoever made the code: they keep only ``events`` (students' work), and an admin
re-pairs the ones that need ``accounts``. A hub we enrolled with keeps the hub's
grants (it is the district's authority).
"""

from peewee import TextField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("peer", "grants", TextField(default="events")),
        migrator.add_column("pairing_code", "grants", TextField(default="events")),
    )
    db.execute_sql("UPDATE peer SET grants = 'events,accounts,hub' WHERE role = 'hub'")
