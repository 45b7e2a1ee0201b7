"""Schools, classes, people, enrolments, groups, profiles and sign-in."""

from __future__ import annotations

from typing import Any

from sync.stamp import school_partition

from ..access import can_manage_class, can_view_class, can_view_person, class_ids, require
from ..db import model_from_row, run_compiled, write_transaction
from ..errors import Conflict, InvalidInput, NotFound, NotSignedIn
from ..models import (
    ApiToken,
    Classroom,
    Enrollment,
    Group,
    GroupMember,
    LearnerProfile,
    Person,
    RowHistory,
    School,
)
from ..security import (
    SignInThrottle,
    hash_password,
    hash_picture_password,
    new_token,
    token_digest,
    verify_password,
    verify_picture_password,
)
from . import node

# ---------------------------------------------------------------- lookups


def row_by_id(model: Any, row_id: str, live: bool = True) -> Any:
    """The row of ``model`` with that id (live ones only, unless asked), or None.

    Every API request looks rows up by id (the signed-in person, the item
    answered, the class...): the query is compiled once per model (db.run_compiled).
    """

    def build(mark: str) -> Any:
        where = model.id == mark
        if live:
            where &= model.deleted == False  # noqa: E712
        return model.select().where(where)

    found = run_compiled(("by-id", model, live), build, row_id).fetchone()
    return None if found is None else model_from_row(model, found)


def live_by_id(model: Any, row_id: str) -> Any:
    """The live row of ``model`` with that id, or None (see row_by_id)."""
    return row_by_id(model, row_id)


def get_live(model: Any, row_id: str, what: str) -> Any:
    """Return the live row or raise NotFound naming ``what``."""
    row = row_by_id(model, row_id)
    if row is None:
        raise NotFound(f"No {what} with id {row_id}.")
    return row


def school_of(user: Person) -> School:
    """The school of a signed-in person."""
    return get_live(School, user.school_id, "school")


def create_school(name: str, code: str | None = None, languages: list[str] | None = None) -> School:
    """Create a school (its own partition) and make it this node's school."""
    with write_transaction():
        school = School(name=name, code=code, languages=languages or ["en"])
        school.partition = school_partition(school.id)
        school.save(force_insert=True)
        node.set_school(school.id)
    return school


def update_school(user: Person, changes: dict[str, Any]) -> School:
    """Edit the signed-in admin's school."""
    school = school_of(user)
    for key, value in changes.items():
        setattr(school, key, value)
    school.save()
    return school


# ---------------------------------------------------------------- classes


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
    """The live students of a class, by name."""
    ids = Enrollment.live(Enrollment.person_id).where(
        (Enrollment.classroom_id == classroom.id) & (Enrollment.role == "student")
    )
    return list(
        Person.live()
        .where(Person.id.in_(ids) & (Person.role == "student"))
        .order_by(Person.display_name)
    )


# ---------------------------------------------------------------- people


def get_person(user: Person, person_id: str) -> Person:
    """Return a person the user may see, else raise."""
    person = get_live(Person, person_id, "person")
    require(can_view_person(user, person), "You may not see this person.")
    return person


def list_people(user: Person, role: str | None, classroom_id: str | None):
    """People the user may see, as a select (admins: the school; teachers: their students)."""
    query = Person.live().where(Person.school_id == user.school_id)
    if user.role != "admin":
        student_ids = Enrollment.live(Enrollment.person_id).where(
            Enrollment.classroom_id.in_(list(class_ids(user, "teacher")))
            & (Enrollment.role == "student")
        )
        query = query.where(Person.id.in_(student_ids) | (Person.id == user.id))
    if role:
        query = query.where(Person.role == role)
    if classroom_id:
        in_class = Enrollment.live(Enrollment.person_id).where(
            Enrollment.classroom_id == classroom_id
        )
        query = query.where(Person.id.in_(in_class))
    return query.order_by(Person.display_name, Person.id)


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


def delete_person(person: Person) -> None:
    """Tombstone a person and their enrolments; their work stays."""
    with write_transaction():
        for enrollment in Enrollment.live().where(Enrollment.person_id == person.id):
            enrollment.delete_instance()
        person.delete_instance()


# ---------------------------------------------------------------- enrolments and groups


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


def group_view(group: Group) -> dict[str, Any]:
    """A group with its member ids."""
    members = GroupMember.live(GroupMember.person_id).where(GroupMember.group_id == group.id)
    return {**group.__data__, "member_ids": sorted(m.person_id for m in members)}


def list_groups(classroom: Classroom) -> list[dict[str, Any]]:
    """The groups of a class."""
    groups = Group.live().where(Group.classroom_id == classroom.id).order_by(Group.name)
    return [group_view(g) for g in groups]


def create_group(classroom: Classroom, data: dict[str, Any]) -> dict[str, Any]:
    """Form a group of students of the class."""
    students = {p.id for p in class_students(classroom)}
    strangers = [m for m in data["member_ids"] if m not in students]
    if strangers:
        raise InvalidInput(
            "Only students of this class can be in its groups.", {"member_ids": strangers}
        )
    with write_transaction():
        group = Group(
            classroom_id=classroom.id,
            partition=classroom.partition,
            name=data["name"],
            kind=data["kind"],
            skill_id=data.get("skill_id"),
        )
        group.save(force_insert=True)
        GroupMember.create_many(
            [
                {"group_id": group.id, "person_id": m, "partition": classroom.partition}
                for m in dict.fromkeys(data["member_ids"])
            ]
        )
    return group_view(group)


def update_group(user: Person, group_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Rename a group or set its members (the whole list): the teacher's edit of a suggestion."""
    group = get_live(Group, group_id, "group")
    classroom = get_class(user, group.classroom_id, manage=True)
    wanted = list(dict.fromkeys(changes.get("member_ids", [])))
    if "member_ids" in changes:
        students = {p.id for p in class_students(classroom)}
        strangers = [m for m in wanted if m not in students]
        if strangers:
            raise InvalidInput(
                "Only students of this class can be in its groups.", {"member_ids": strangers}
            )
    with write_transaction():
        if changes.get("name") and changes["name"] != group.name:
            group.name = changes["name"]
            group.save()
        if "member_ids" in changes:
            current = list(GroupMember.live().where(GroupMember.group_id == group.id))
            for member in current:
                if member.person_id not in wanted:
                    member.delete_instance()
            have = {m.person_id for m in current}
            GroupMember.create_many(
                [
                    {"group_id": group.id, "person_id": m, "partition": group.partition}
                    for m in wanted
                    if m not in have
                ]
            )
    return group_view(group)


def delete_group(user: Person, group_id: str) -> None:
    """Dissolve a group."""
    group = get_live(Group, group_id, "group")
    get_class(user, group.classroom_id, manage=True)
    with write_transaction():
        for member in GroupMember.live().where(GroupMember.group_id == group.id):
            member.delete_instance()
        group.delete_instance()


# ---------------------------------------------------------------- profiles

STUDENT_PROFILE_FIELDS = {"interests", "motivations", "modalities", "languages"}


def profile_of(person: Person) -> LearnerProfile:
    """The person's profile (an empty one until first saved)."""
    profile = LearnerProfile.get_or_none(LearnerProfile.id == f"profile:{person.id}")
    if profile is None:
        profile = LearnerProfile(
            id=f"profile:{person.id}", person_id=person.id, partition=person.partition
        )
    return profile


def update_profile(user: Person, person: Person, changes: dict[str, Any]) -> LearnerProfile:
    """Edit a profile: students their own four fields, staff everything; history kept."""
    if user.id == person.id and user.role == "student":
        refused = set(changes) - STUDENT_PROFILE_FIELDS
        require(not refused, f"Ask your teacher to change: {', '.join(sorted(refused))}.")
    else:
        require(user.role in ("teacher", "admin"), "You may not change this profile.")
    profile = profile_of(person)
    exists = LearnerProfile.get_or_none(LearnerProfile.id == profile.id) is not None
    for key, value in changes.items():
        setattr(profile, key, value)
    profile.save(force_insert=not exists)
    return profile


PROFILE_FIELDS = ("interests", "motivations", "modalities", "languages", "accommodations", "notes")


def profile_history(person: Person) -> list[dict[str, Any]]:
    """Earlier versions of a person's profile, newest first (edits and lost conflicts)."""
    rows = (
        RowHistory.select()
        .where(
            (RowHistory.table_name == LearnerProfile._meta.table_name)
            & (RowHistory.row_id == f"profile:{person.id}")
        )
        .order_by(RowHistory.version_hlc.desc(), RowHistory.version_origin)
    )
    fields = {name: LearnerProfile._meta.fields[name] for name in PROFILE_FIELDS}
    return [
        {
            "version_hlc": row.version_hlc,
            "version_origin": row.version_origin,
            # History keeps database values (JSON as text): shown as the API shows them.
            "data": {n: f.python_value(row.data.get(f.column_name)) for n, f in fields.items()},
        }
        for row in rows
    ]


# ---------------------------------------------------------------- sign-in


def staff_sign_in(throttle: SignInThrottle, username: str, password: str, address: str) -> Person:
    """Check a teacher's or admin's credentials, rate limited per account and address."""
    account_key, address_key = f"user:{username.lower()}", f"addr:{address}"
    throttle.check(account_key, address_key, limit_factor=6)
    person = Person.live().where(Person.username == username).first()
    if (
        person is None
        or person.role == "student"
        or not verify_password(person.password_hash, password)
    ):
        throttle.fail(account_key, address_key)
        raise NotSignedIn("Wrong username or password.")
    throttle.succeed(account_key)
    return person


def student_sign_in(
    throttle: SignInThrottle, student_id: str, pictures: list[str], address: str
) -> Person:
    """Sign a child in by their picture password, or none when their class allows."""
    account_key, address_key = f"student:{student_id}", f"addr:{address}"
    throttle.check(account_key, address_key, limit_factor=6)
    student = live_by_id(Person, student_id)
    if student is None or student.role != "student":
        raise NotFound("No such student.")
    enrolled = Enrollment.live(Enrollment.classroom_id).where(
        (Enrollment.person_id == student.id) & (Enrollment.role == "student")
    )
    rows = Classroom.live(Classroom.picture_password).where(Classroom.id.in_(enrolled))
    asks = [c.picture_password for c in rows]
    if any(asks) or not asks:  # a child in no class at all needs their pictures too
        if not verify_picture_password(student.picture_password_hash, pictures):
            throttle.fail(account_key, address_key)
            raise NotSignedIn("Those are not your pictures. Try again.")
    throttle.succeed(account_key)
    return student


def issue_token(person: Person, name: str) -> str:
    """Make a bearer token for an API client of ``person``; only its hash is kept."""
    token, digest = new_token()
    ApiToken.create(token_hash=digest, person_id=person.id, name=name)
    return token


def person_for_token(token: str) -> Person | None:
    """The live person a bearer token belongs to, or None."""
    row = ApiToken.get_or_none(ApiToken.token_hash == token_digest(token))
    if row is None:
        return None
    return live_by_id(Person, row.person_id)


def revoke_token(token: str) -> None:
    """Forget a bearer token."""
    ApiToken.delete().where(ApiToken.token_hash == token_digest(token)).execute()
