"""Schools, their classes, and who is enrolled in which class."""

from __future__ import annotations

from typing import Any

from sync.stamp import school_partition

from ..auth.access import can_manage_class, can_view_class, class_ids, require
from ..db import model_from_row, run_compiled, write_transaction
from ..errors import InvalidInput, NotFound
from ..models import (
    Classroom,
    Enrollment,
    Person,
    School,
)
from ..node import identity
from .rows import get_live


def school_of(user: Person) -> School:
    """The school of a signed-in person."""
    return get_live(School, user.school_id, "school")


def create_school(
    name: str, code: str | None = None, languages: list[str] | None = None, own: bool = True
) -> School:
    """Create a school (its own partition); ``own``: make it this node's school (a hub
    holds the schools it creates for the nodes it will enrol, and serves none)."""
    with write_transaction():
        school = School(name=name, code=code, languages=languages or ["en"])
        school.partition = school_partition(school.id)
        school.save(force_insert=True)
        if own:
            identity.set_school(school.id)
    return school


def update_school(user: Person, changes: dict[str, Any]) -> School:
    """Edit the signed-in admin's school."""
    school = school_of(user)
    for key, value in changes.items():
        setattr(school, key, value)
    school.save()
    return school


def get_class(user: Person, classroom_id: str, manage: bool = False) -> Classroom:
    """Return a class the user may see (or manage), else raise."""
    classroom = get_live(Classroom, classroom_id, "class")
    if manage:
        require(can_manage_class(user, classroom), "Only this class's teachers and admins may.")
    else:
        require(can_view_class(user, classroom), "This is not one of your classes.")
    return classroom


def list_classes(user: Person) -> list[Classroom]:
    """Classes the user sees: all of the school for admins, their own otherwise."""
    query = Classroom.live().where(Classroom.school_id == user.school_id)
    if user.role != "admin":
        role = "teacher" if user.role == "teacher" else "student"
        query = query.where(Classroom.id.in_(list(class_ids(user, role))))
    return list(query.order_by(Classroom.name))


def create_class(school_id: str, **fields: Any) -> Classroom:
    """Create a class in a school."""
    classroom = Classroom(school_id=school_id, partition=school_partition(school_id), **fields)
    classroom.save(force_insert=True)
    return classroom


def update_class(classroom: Classroom, changes: dict[str, Any]) -> Classroom:
    """Edit a class."""
    for key, value in changes.items():
        setattr(classroom, key, value)
    classroom.save()
    return classroom


def sign_in_classes() -> list[Classroom]:
    """The classes on the sign-in screen."""
    return list(Classroom.live().order_by(Classroom.name))


def class_students(classroom: Classroom) -> list[Person]:
    """The live students of a class, by name (compiled once: every sign-in shows them)."""

    def build(mark: str) -> Any:
        ids = Enrollment.live(Enrollment.person_id).where(
            (Enrollment.classroom_id == mark) & (Enrollment.role == "student")
        )
        return (
            Person.live()
            .where(
                Person.id.in_(ids) & (Person.role == "student") & (Person.archived == False)  # noqa: E712
            )
            .order_by(Person.display_name)
        )

    rows = run_compiled("class-students", build, classroom.id)
    return [model_from_row(Person, row) for row in rows]


def enrol(classroom: Classroom, person: Person, role: str = "student") -> Enrollment:
    """Put a person in a class (idempotent)."""
    if person.school_id != classroom.school_id:
        raise InvalidInput("That person belongs to another school.")
    if role == "student" and person.role != "student":
        raise InvalidInput("Only students enrol as students.")
    if role == "teacher" and person.role == "student":
        raise InvalidInput("A student cannot teach a class.")
    existing = (
        Enrollment.live()
        .where((Enrollment.classroom_id == classroom.id) & (Enrollment.person_id == person.id))
        .first()
    )
    if existing is not None:
        if existing.role != role:
            existing.role = role
            existing.save()
        return existing
    enrollment = Enrollment(
        classroom_id=classroom.id, person_id=person.id, role=role, partition=classroom.partition
    )
    enrollment.save(force_insert=True)
    return enrollment


def unenrol(classroom: Classroom, person_id: str) -> None:
    """Take a person out of a class."""
    rows = list(
        Enrollment.live().where(
            (Enrollment.classroom_id == classroom.id) & (Enrollment.person_id == person_id)
        )
    )
    if not rows:
        raise NotFound("That person is not in this class.")
    with write_transaction():
        for row in rows:
            row.delete_instance()
