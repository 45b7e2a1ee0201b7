"""Schemas of sign-in: pictures, classes and students on the sign-in screen, logins, tokens."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...auth.passwords import PICTURE_PASSWORD_LENGTH, PICTURES
from .common import Id, Text
from .school import PersonSchema


class PictureSchema(Schema):
    """One of the twelve sign-in pictures."""

    key = fields.String()
    label = fields.String()


class SignInClassSchema(Schema):
    """A class on the sign-in screen."""

    id = fields.String()
    name = fields.String()
    picture_password = fields.Boolean()


class SignInStudentSchema(Schema):
    """A student on the sign-in screen: name and picture only."""

    id = fields.String()
    display_name = fields.String()
    picture = fields.String(allow_none=True)


class LoginSchema(Schema):
    """Staff sign-in."""

    username = Text(100, 1, required=True)
    password = Text(200, 1, required=True)
    school = Text(100, 1, load_default=None)  # id or code: needed on a hub where names collide


class StudentLoginSchema(Schema):
    """Student sign-in: who, and the pictures picked (none when the class allows)."""

    student_id = Id(required=True)
    pictures = fields.List(
        fields.String(validate=validate.OneOf(PICTURES)),
        load_default=list,
        validate=validate.Length(max=PICTURE_PASSWORD_LENGTH),
    )


class TokenRequestSchema(LoginSchema):
    """Ask for a bearer token with staff credentials."""

    name = Text(100, 1, load_default="api client")


class TokenSchema(Schema):
    """A new bearer token: shown once."""

    token = fields.String()
    name = fields.String()


class MeSchema(Schema):
    """The signed-in person and the CSRF token their browser must echo."""

    person = fields.Nested(PersonSchema)
    csrf_token = fields.String(allow_none=True)
    auth = fields.String()
    district_admin = fields.Boolean(
        metadata={"description": "An admin of the hub's BAOBAB_DISTRICT_SCHOOL: every school"}
    )
    accommodations = fields.Dict(
        keys=fields.String(),
        values=fields.Boolean(),
        metadata={
            "description": "A student's accommodations from their learner profile, each "
            "true or false: read_aloud, extra_time, larger_text, fewer_choices, high_contrast"
        },
    )
