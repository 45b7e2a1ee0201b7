"""Sign-in, sign-out, the signed-in person, bearer tokens, and the sign-in screen."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, session

from ..auth import sessions, signin
from ..auth.access import PUBLIC, SIGNED_IN, is_district_admin
from ..auth.passwords import PICTURES
from ..errors import InvalidInput
from ..models import Classroom
from ..services import profiles, rows, schools
from .contract import endpoint
from .schemas.auth import (
    LoginSchema,
    MeSchema,
    PictureSchema,
    SignInClassSchema,
    SignInStudentSchema,
    StudentLoginSchema,
    TokenRequestSchema,
    TokenSchema,
)

bp = Blueprint("auth", __name__, url_prefix="/api/v1")


def _start_session(person) -> None:
    sessions.start(session, person, request.scheme == "https", current_app.config["SESSION_DAYS"])


def _me() -> dict:
    return {
        "person": g.user,
        "csrf_token": session.get("csrf") if g.get("auth") == "session" else None,
        "auth": g.get("auth", "session"),
        "accommodations": profiles.accommodations_of(g.user),
        "district_admin": is_district_admin(g.user, current_app.config["DISTRICT_SCHOOL"]),
    }


@bp.post("/auth/login")
@endpoint(
    PUBLIC,
    "Sign a teacher or admin in (session cookie)",
    body=LoginSchema,
    response=MeSchema,
    errors=(429,),
)
def login(body):
    person = signin.staff_sign_in(
        current_app.extensions["baobab.throttle"],
        body["username"],
        body["password"],
        request.remote_addr or "?",
        body.get("school"),
    )
    _start_session(person)
    g.user, g.auth = person, "session"
    return _me()


@bp.post("/auth/student-login")
@endpoint(
    PUBLIC,
    "Sign a student in with their picture password (or none if allowed)",
    body=StudentLoginSchema,
    response=MeSchema,
    errors=(404, 429),
)
def student_login(body):
    person = signin.student_sign_in(
        current_app.extensions["baobab.throttle"],
        body["student_id"],
        body["pictures"],
        request.remote_addr or "?",
    )
    _start_session(person)
    g.user, g.auth = person, "session"
    return _me()


@bp.post("/auth/logout")
@endpoint(SIGNED_IN, "Sign out of this browser (the session ends on the server too)")
def logout():
    sessions.end(session)


@bp.post("/auth/logout-everywhere")
@endpoint(SIGNED_IN, "Sign out of every browser and revoke every bearer token of the caller")
def logout_everywhere():
    sessions.end_all(g.user.id)
    session.clear()


@bp.get("/auth/me")
@endpoint(SIGNED_IN, "The signed-in person", response=MeSchema)
def me():
    return _me()


@bp.post("/auth/tokens")
@endpoint(
    PUBLIC,
    "Get a bearer token for an API client with staff credentials",
    body=TokenRequestSchema,
    response=TokenSchema,
    status=201,
    errors=(429,),
)
def create_token(body):
    person = signin.staff_sign_in(
        current_app.extensions["baobab.throttle"],
        body["username"],
        body["password"],
        request.remote_addr or "?",
        body.get("school"),
    )
    return {"token": signin.issue_token(person, body["name"]), "name": body["name"]}


@bp.delete("/auth/tokens/current")
@endpoint(SIGNED_IN, "Revoke the bearer token this request carries", errors=(422,))
def revoke_token():
    if g.get("auth") != "token":
        raise InvalidInput("This request carries no bearer token.")
    signin.revoke_token(g.token)


@bp.get("/signin/classes")
@endpoint(PUBLIC, "Classes shown on the sign-in screen", response=SignInClassSchema, many=True)
def signin_classes():
    return schools.sign_in_classes()


@bp.get("/signin/classes/<classroom_id>/students")
@endpoint(
    PUBLIC,
    "Students of a class, by name and picture, for the sign-in screen",
    response=SignInStudentSchema,
    many=True,
)
def signin_students(classroom_id):
    classroom = rows.get_live(Classroom, classroom_id, "class")
    # As dicts of the three fields shown: the dump plan copies those, where a model row
    # goes through marshmallow field by field (every tablet of a class asks at sign-in).
    return [
        {"id": p.id, "display_name": p.display_name, "picture": p.picture}
        for p in schools.class_students(classroom)
    ]


@bp.get("/signin/pictures")
@endpoint(PUBLIC, "The twelve pictures of picture passwords", response=PictureSchema, many=True)
def signin_pictures():
    return [{"key": key, "label": key} for key in PICTURES]
