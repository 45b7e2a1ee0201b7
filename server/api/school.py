"""The school, its classes, people, enrolments, groups and learner profiles."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, session

from ..auth import sessions
from ..auth.access import ADMIN, SIGNED_IN, STAFF, can_teach, is_admin_of, require
from ..models import Person
from ..services import groups, people, profiles, rows, schools
from .contract import endpoint, paginate
from .schemas.personal import GroupPatchSchema, ProfileVersionSchema
from .schemas.school import (
    ClassroomCreateSchema,
    ClassroomPatchSchema,
    ClassroomSchema,
    EnrollmentCreateSchema,
    EnrollmentSchema,
    GroupCreateSchema,
    GroupSchema,
    MoveSchema,
    PersonCreateSchema,
    PersonPatchSchema,
    PersonQuery,
    PersonSchema,
    ProfilePatchSchema,
    ProfileSchema,
    SchoolPatchSchema,
    SchoolSchema,
    SignInCardSchema,
    SignInCardsSchema,
)

bp = Blueprint("school", __name__, url_prefix="/api/v1")


@bp.get("/school")
@endpoint(SIGNED_IN, "The signed-in person's school", response=SchoolSchema)
def get_school():
    return schools.school_of(g.user)


@bp.patch("/school")
@endpoint(ADMIN, "Edit the school", body=SchoolPatchSchema, response=SchoolSchema)
def patch_school(body):
    return schools.update_school(g.user, body)


@bp.get("/classes")
@endpoint(SIGNED_IN, "Classes the signed-in person sees", response=ClassroomSchema, many=True)
def list_classes():
    return schools.list_classes(g.user)


@bp.post("/classes")
@endpoint(ADMIN, "Create a class", body=ClassroomCreateSchema, response=ClassroomSchema, status=201)
def create_class(body):
    return schools.create_class(g.user.school_id, **body)


@bp.get("/classes/<classroom_id>")
@endpoint(SIGNED_IN, "One class", response=ClassroomSchema)
def get_class(classroom_id):
    return schools.get_class(g.user, classroom_id)


@bp.patch("/classes/<classroom_id>")
@endpoint(STAFF, "Edit a class", body=ClassroomPatchSchema, response=ClassroomSchema)
def patch_class(classroom_id, body):
    return schools.update_class(schools.get_class(g.user, classroom_id, manage=True), body)


@bp.get("/classes/<classroom_id>/students")
@endpoint(STAFF, "Students of a class", response=PersonSchema, many=True)
def class_students(classroom_id):
    return schools.class_students(schools.get_class(g.user, classroom_id, manage=True))


@bp.post("/classes/<classroom_id>/sign-in-cards")
@endpoint(
    STAFF,
    "Sign-in cards of the class, with new picture passwords (renew: missing or all) "
    "to print: the pictures are shown this once",
    body=SignInCardsSchema,
    response=SignInCardSchema,
    many=True,
)
def sign_in_cards(classroom_id, body):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    return people.sign_in_cards(classroom, body["renew"])


@bp.post("/classes/<classroom_id>/enrollments")
@endpoint(
    STAFF,
    "Enrol a person of the school in the class",
    body=EnrollmentCreateSchema,
    response=EnrollmentSchema,
    status=201,
)
def enrol(classroom_id, body):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    person = rows.get_live(Person, body["person_id"], "person")
    if body["role"] == "teacher":
        require(g.user.role == "admin", "Only admins add teachers to a class.")
    if g.user.role != "admin":  # else a teacher could pull any child of the school in
        require(
            can_teach(g.user, person),
            "Only an admin enrols a student a teacher does not already teach; "
            "create new students in your class instead.",
        )
    return schools.enrol(classroom, person, body["role"])


@bp.delete("/classes/<classroom_id>/enrollments/<person_id>")
@endpoint(STAFF, "Take a person out of the class")
def unenrol(classroom_id, person_id):
    schools.unenrol(schools.get_class(g.user, classroom_id, manage=True), person_id)


@bp.get("/classes/<classroom_id>/groups")
@endpoint(STAFF, "Groups of a class", response=GroupSchema, many=True)
def list_groups(classroom_id):
    return groups.list_groups(schools.get_class(g.user, classroom_id, manage=True))


@bp.post("/classes/<classroom_id>/groups")
@endpoint(STAFF, "Form a group", body=GroupCreateSchema, response=GroupSchema, status=201)
def create_group(classroom_id, body):
    return groups.create_group(schools.get_class(g.user, classroom_id, manage=True), body)


@bp.patch("/groups/<group_id>")
@endpoint(STAFF, "Rename a group or set its members", body=GroupPatchSchema, response=GroupSchema)
def patch_group(group_id, body):
    return groups.update_group(g.user, group_id, body)


@bp.delete("/groups/<group_id>")
@endpoint(STAFF, "Dissolve a group")
def delete_group(group_id):
    groups.delete_group(g.user, group_id)


@bp.get("/people")
@endpoint(
    STAFF,
    "People the signed-in teacher or admin sees",
    query=PersonQuery,
    response=PersonSchema,
    paginated=True,
)
def list_people(query):
    select = people.list_people(g.user, query["role"], query["classroom_id"], query["archived"])
    return paginate(select, query, current_app.config["PAGE_SIZE"])


@bp.post("/people")
@endpoint(
    STAFF,
    "Create a person (teachers: students of their classes)",
    body=PersonCreateSchema,
    response=PersonSchema,
    status=201,
    errors=(409,),
)
def create_person(body):
    return people.create_person_as(g.user, body)


@bp.get("/people/<person_id>")
@endpoint(SIGNED_IN, "One person", response=PersonSchema)
def get_person(person_id):
    return people.get_person(g.user, person_id)


@bp.patch("/people/<person_id>")
@endpoint(STAFF, "Edit a person", body=PersonPatchSchema, response=PersonSchema)
def patch_person(person_id, body):
    person = people.get_person(g.user, person_id)
    require(can_teach(g.user, person) or g.user.id == person.id, "You may not edit this person.")
    if "archived" in body:
        require(person.role == "student", "Only students are archived; remove staff instead.")
    new_password = "password" in body or "pictures" in body or body.get("archived") is True
    person = people.update_person(person, body)
    # A copied cookie or token dies with the old password; an archived child's everywhere.
    if new_password:
        own = g.user.id == person.id
        sessions.end_all(person.id, keep_token=g.get("token") if own else None)
        if own and g.auth == "session":  # this browser stays signed in, on a new session
            sessions.start(
                session, person, request.scheme == "https", current_app.config["SESSION_DAYS"]
            )
    return person


@bp.post("/people/<person_id>/move")
@endpoint(
    STAFF,
    "Move a student to another class (out of the classes the caller manages)",
    body=MoveSchema,
    response=PersonSchema,
)
def move_person(person_id, body):
    person = people.get_person(g.user, person_id)
    target = schools.get_class(g.user, body["classroom_id"], manage=True)
    return people.move_student(g.user, person, target)


@bp.post("/people/<person_id>/unarchive")
@endpoint(
    STAFF,
    "Bring an archived student back, into a class the caller manages (work kept)",
    body=MoveSchema,
    response=PersonSchema,
    errors=(404, 409),
)
def unarchive_person(person_id, body):
    person = people.get_person(g.user, person_id)
    target = schools.get_class(g.user, body["classroom_id"], manage=True)
    return people.unarchive(g.user, person, target)


@bp.post("/people/<person_id>/sign-out")
@endpoint(ADMIN, "Sign a person out of every browser and revoke their bearer tokens")
def sign_out_person(person_id):
    person = people.get_person(g.user, person_id)
    require(is_admin_of(g.user, person.school_id), "You may not sign this person out.")
    sessions.end_all(person.id)


@bp.delete("/people/<person_id>")
@endpoint(ADMIN, "Remove a person (their work is kept)")
def delete_person(person_id):
    person = people.get_person(g.user, person_id)
    people.delete_person(person)
    sessions.end_all(person.id)


@bp.get("/people/<person_id>/profile")
@endpoint(SIGNED_IN, "A learner's profile", response=ProfileSchema)
def get_profile(person_id):
    return profiles.profile_of(people.get_person(g.user, person_id))


@bp.patch("/people/<person_id>/profile")
@endpoint(SIGNED_IN, "Edit a learner's profile", body=ProfilePatchSchema, response=ProfileSchema)
def patch_profile(person_id, body):
    person = people.get_person(g.user, person_id)
    return profiles.update_profile(g.user, person, body)


@bp.get("/people/<person_id>/profile/history")
@endpoint(
    STAFF,
    "Earlier versions of a learner's profile, newest first",
    response=ProfileVersionSchema,
    many=True,
)
def profile_history(person_id):
    person = people.get_person(g.user, person_id)
    require(can_teach(g.user, person), "Only the learner's teachers see the profile's history.")
    return profiles.profile_history(person)
