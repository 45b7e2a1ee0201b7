"""Who may do what. Endpoints declare a role rule; services check objects.

Every API view carries a rule (``PUBLIC``, ``SIGNED_IN``, ``STAFF``, ``ADMIN``,
``STUDENT``); the app factory refuses to start if one lacks it. Object rules
(a teacher's own classes, a student's own work, an admin's own school) are
the ``can_*`` functions, called by the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.stamp import school_partition

from ..db import run_compiled
from ..errors import Forbidden, NotSignedIn
from ..models import Classroom, Enrollment, GroupMember, Person, School


@dataclass(frozen=True)
class Rule:
    """A role rule of an endpoint; ``roles`` empty with ``signed_in`` means any role."""

    name: str
    signed_in: bool
    roles: tuple[str, ...] = ()

    def check(self, user: Person | None) -> None:
        """Raise NotSignedIn or Forbidden unless ``user`` passes this rule."""
        if not self.signed_in:
            return
        if user is None:
            raise NotSignedIn("Sign in first.")
        if not in_own_school(user):
            raise Forbidden("This account's school does not agree with where it was written.")
        if self.roles and user.role not in self.roles:
            raise Forbidden(f"Only {' or '.join(self.roles)} accounts may do this.")


PUBLIC = Rule("public", signed_in=False)
SIGNED_IN = Rule("signed in", signed_in=True)
STAFF = Rule("teacher or admin", signed_in=True, roles=("teacher", "admin"))
ADMIN = Rule("admin", signed_in=True, roles=("admin",))
STUDENT = Rule("student", signed_in=True, roles=("student",))


def class_ids(person: Person, role: str) -> set[str]:
    """Ids of the live classes ``person`` is enrolled in with ``role``."""

    def build(person_id: str, role: str) -> Any:
        return Enrollment.live(Enrollment.classroom_id).where(
            (Enrollment.person_id == person_id) & (Enrollment.role == role)
        )

    return {r[0] for r in run_compiled("class-ids", build, person.id, role)}


def in_own_school(person: Person) -> bool:
    """Say whether a person's school agrees with its partition (invariant 10).

    A row's partition says which school's nodes wrote it; a ``school_id`` naming
    another school is a forgery (sync refuses it; this holds for rows from before).
    """
    return person.partition == school_partition(person.school_id)


def is_admin_of(user: Person, school_id: str) -> bool:
    """Say whether ``user`` is an admin of that school (and written in its partition)."""
    return user.role == "admin" and user.school_id == school_id and in_own_school(user)


def is_district_admin(user: Person, district_school: str) -> bool:
    """Say whether ``user`` is an admin of the district office's school (hub setting)."""
    if user.role != "admin" or not district_school:
        return False
    school = School.live().where(School.id == user.school_id).first()
    return school is not None and district_school in (school.id, school.code)


def can_manage_class(user: Person, classroom: Classroom) -> bool:
    """Admins of the school and the class's teachers manage a class."""
    if is_admin_of(user, classroom.school_id):
        return True
    return user.role == "teacher" and classroom.id in class_ids(user, "teacher")


def can_view_class(user: Person, classroom: Classroom) -> bool:
    """Those who manage a class, and its students, see it."""
    if can_manage_class(user, classroom):
        return True
    return user.role == "student" and classroom.id in class_ids(user, "student")


def can_view_person(user: Person, person: Person) -> bool:
    """Self, an admin of the school, or a teacher of one of the person's classes.

    A student of the school in no class (a deletion that lost to an edit made
    elsewhere leaves one so) is seen by every teacher of the school, who can
    enrol them again: never a live student no one can find.
    """
    if user.id == person.id or is_admin_of(user, person.school_id):
        return True
    if user.role != "teacher" or person.role != "student":
        return False
    classes = class_ids(person, "student")
    if not classes:
        return user.school_id == person.school_id
    return bool(class_ids(user, "teacher") & classes)


def can_teach(user: Person, person: Person) -> bool:
    """An admin of the school or a teacher of the student: may act on their learning."""
    if user.id == person.id:
        return False
    return user.role in ("teacher", "admin") and can_view_person(user, person)


def require(allowed: bool, message: str = "You may not do this.") -> None:
    """Raise Forbidden unless ``allowed``."""
    if not allowed:
        raise Forbidden(message)


def group_ids(person: Person) -> set[str]:
    """Ids of the groups a student belongs to."""

    def build(person_id: str) -> Any:
        return GroupMember.live(GroupMember.group_id).where(GroupMember.person_id == person_id)

    return {r[0] for r in run_compiled("group-ids", build, person.id)}
