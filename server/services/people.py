"""People of a school: students, teachers and admins, their accounts."""

from __future__ import annotations

import secrets
from typing import Any

from sync.stamp import school_partition

from ..auth.access import can_manage_class, can_teach, can_view_person, class_ids, require
from ..auth.passwords import (
    PICTURES,
    hash_password,
    hash_picture_password,
    verify_picture_password,
)
from ..db import write_transaction
from ..errors import Conflict, InvalidInput
from ..models import (
    Classroom,
    Enrollment,
    Person,
)
from .rows import get_live
from .schools import class_students, enrol, get_class

_RANDOM = secrets.SystemRandom()  # picture passwords a child gets are not guessable


def new_pictures(replacing: str | None) -> list[str]:
    """Three pictures, in order, for a child's new picture password, never the ones it
    replaces: a teacher renews a card because its pictures were seen (1 draw in 1,320 would
    otherwise give them back)."""
    while True:
        pictures = _RANDOM.sample(PICTURES, 3)
        if not verify_picture_password(replacing, pictures):
            return pictures


def get_person(user: Person, person_id: str) -> Person:
    """Return a person the user may see, else raise."""
    person = get_live(Person, person_id, "person")
    require(can_view_person(user, person), "You may not see this person.")
    return person


def list_people(user: Person, role: str | None, classroom_id: str | None, archived: bool = False):
    """People the user may see, as a select (admins: the school; teachers: their students).

    Archived people are listed apart (``archived``), never among the others.
    """
    query = Person.live().where(
        (Person.school_id == user.school_id) & (Person.archived == archived)
    )
    if user.role != "admin":
        student_ids = Enrollment.live(Enrollment.person_id).where(
            Enrollment.classroom_id.in_(list(class_ids(user, "teacher")))
            & (Enrollment.role == "student")
        )
        placed = Enrollment.live(Enrollment.person_id).where(Enrollment.role == "student")
        without_class = (Person.role == "student") & Person.id.not_in(placed)
        query = query.where(Person.id.in_(student_ids) | (Person.id == user.id) | without_class)
    if role:
        query = query.where(Person.role == role)
    if classroom_id:
        in_class = Enrollment.live(Enrollment.person_id).where(
            Enrollment.classroom_id == classroom_id
        )
        query = query.where(Person.id.in_(in_class))
    return query.order_by(Person.display_name, Person.id)


def students_without_class(school_id: str) -> list[Person]:
    """Live students of the school in no class, to be enrolled again (see can_view_person)."""
    placed = Enrollment.live(Enrollment.person_id).where(Enrollment.role == "student")
    return list(
        Person.live()
        .where(
            (Person.school_id == school_id) & (Person.role == "student") & Person.id.not_in(placed)
        )
        .order_by(Person.display_name, Person.id)
    )


def _username_taken(username: str, except_id: str | None = None) -> bool:
    query = Person.live().where(Person.username == username)
    if except_id:
        query = query.where(Person.id != except_id)
    return query.exists()


def create_person(
    school_id: str,
    role: str,
    display_name: str,
    username: str | None = None,
    password: str | None = None,
    picture: str | None = None,
    pictures: list[str] | None = None,
    language: str = "en",
    classroom_id: str | None = None,
) -> Person:
    """Create a person (and enrol them in ``classroom_id`` when given)."""
    if username and _username_taken(username):
        raise Conflict(f"The username {username!r} is taken.")
    with write_transaction():
        person = Person(
            school_id=school_id,
            partition=school_partition(school_id),
            role=role,
            display_name=display_name,
            username=username if role != "student" else None,
            password_hash=hash_password(password) if password else None,
            picture=picture,
            picture_password_hash=hash_picture_password(pictures) if pictures else None,
            language=language,
        )
        person.save(force_insert=True)
        if classroom_id:
            enrol(get_live(Classroom, classroom_id, "class"), person, role)
    return person


def create_person_as(user: Person, data: dict[str, Any]) -> Person:
    """Create a person as ``user``: admins anyone, teachers students of their classes."""
    if user.role == "teacher":
        require(data["role"] == "student", "Teachers create student accounts only.")
        if not data.get("classroom_id"):
            raise InvalidInput(
                "Say which class the student joins.", {"classroom_id": ["Required."]}
            )
        get_class(user, data["classroom_id"], manage=True)
    elif data.get("classroom_id"):
        get_class(user, data["classroom_id"], manage=True)
    return create_person(user.school_id, **data)


def update_person(person: Person, changes: dict[str, Any]) -> Person:
    """Edit a person; passwords are hashed here."""
    if "password" in changes:
        person.password_hash = hash_password(changes.pop("password"))
    if "pictures" in changes:
        pictures = changes.pop("pictures")
        person.picture_password_hash = hash_picture_password(pictures) if pictures else None
    for key, value in changes.items():
        setattr(person, key, value)
    person.save()
    return person


def move_student(user: Person, person: Person, target: Classroom) -> Person:
    """Move a student into ``target``, out of the classes ``user`` manages (all, for admins).

    A teacher moves a child between their own classes; an admin anywhere in the school.
    """
    require(person.role == "student", "Only students move between classes.")
    require(can_manage_class(user, target), "Only that class's teachers and admins may.")
    require(can_teach(user, person), "You may not move this student.")
    with write_transaction():
        held = Enrollment.live().where(
            (Enrollment.person_id == person.id) & (Enrollment.role == "student")
        )
        for enrollment in held:
            if enrollment.classroom_id == target.id:
                continue
            source = get_live(Classroom, enrollment.classroom_id, "class")
            if user.role == "admin" or can_manage_class(user, source):
                enrollment.delete_instance()
        enrol(target, person, "student")
    return person


def unarchive(user: Person, person: Person, target: Classroom) -> Person:
    """Bring an archived student back, into ``target`` (see move_student): nothing is lost.

    Archiving only set a flag, so the child's work, profile, goals and enrolments are
    all still there; bringing them back clears it, and puts them in the class the
    teacher chose (out of the caller's other classes, as a move does).
    """
    require(person.role == "student", "Only students are archived.")
    if not person.archived:
        raise Conflict(f"{person.display_name} is not archived.")
    with write_transaction():
        person.archived = False
        person.save()
        move_student(user, person, target)
    return person


def sign_in_cards(classroom: Classroom, renew: str) -> list[dict[str, Any]]:
    """The class's sign-in cards, giving children new picture passwords to print on them.

    A picture password is kept only as a hash, so a card can show a child's pictures
    only when they are made now: ``renew`` "missing" gives pictures to the children
    without any (the others' cards say theirs are unchanged), "all" to every child.
    A class that signs in by name alone needs no pictures: none are made.
    """
    cards = []
    with write_transaction():
        for student in class_students(classroom):
            pictures = None
            wanted = renew == "all" or not student.picture_password_hash
            if classroom.picture_password and wanted:
                pictures = new_pictures(student.picture_password_hash)
                student.picture_password_hash = hash_picture_password(pictures)
                student.save()
            cards.append(
                {
                    "person_id": student.id,
                    "display_name": student.display_name,
                    "pictures": pictures,
                    "has_picture_password": bool(student.picture_password_hash),
                }
            )
    return cards


def delete_person(person: Person) -> None:
    """Tombstone a person and their enrolments; their work stays."""
    with write_transaction():
        for enrollment in Enrollment.live().where(Enrollment.person_id == person.id):
            enrollment.delete_instance()
        person.delete_instance()
