"""A second school on the same database, as a hub holds it: its admin is also called ``admin``."""

from __future__ import annotations

from server import db as database
from server.auth.passwords import hash_password
from server.models import Person, School
from sync.ids import new_id
from sync.stamp import school_partition

HILL_CODE = "HILL"
HILL_PASSWORD = "hill-admin-pw"


def hill_school_admin(app) -> Person:
    """Add Hill school (code HILL) and its admin ``admin``, as sync would bring them."""
    with app.app_context(), database.db.connection_context():
        school_id = new_id()
        school = School(name="Hill school", code=HILL_CODE, partition=school_partition(school_id))
        school.id = school_id
        school.save(force_insert=True)
        admin = Person(
            school_id=school_id, partition=school.partition, role="admin",
            display_name="Hill admin", username="admin", password_hash=hash_password(HILL_PASSWORD),
        )  # fmt: skip
        admin.save(force_insert=True)
        return admin
