"""Schemas of the school, its classes, people, enrolments, groups and learner profiles."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...auth.passwords import PICTURES
from ...models.school import ENROLLMENT_ROLES, ROLES
from .common import ACCOMMODATION_LIST, LANGUAGE, MODALITY_LIST, Id, PictureListField, Text


class SchoolSchema(Schema):
    """A school."""

    id = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)
    languages = fields.List(fields.String())


class SchoolPatchSchema(Schema):
    """Editable fields of a school."""

    name = Text(200, 1)
    code = Text(40, allow_none=True)
    languages = fields.List(fields.String(validate=LANGUAGE), validate=validate.Length(1, 20))


class PersonSchema(Schema):
    """A person as others see them."""

    id = fields.String()
    school_id = fields.String()
    role = fields.String()
    display_name = fields.String()
    username = fields.String(allow_none=True)
    picture = fields.String(allow_none=True)
    language = fields.String()
    has_picture_password = fields.Function(lambda p: bool(p.picture_password_hash))
    archived = fields.Boolean()


class PersonCreateSchema(Schema):
    """A new person. Staff need username and password; students may get pictures."""

    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = Text(200, 1, required=True)
    username = Text(100, 1, load_default=None, allow_none=True)
    password = Text(200, 8, load_default=None, allow_none=True)
    picture = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PICTURES))
    pictures = PictureListField(load_default=None, allow_none=True)
    language = fields.String(load_default="en", validate=LANGUAGE)
    classroom_id = Id(load_default=None, allow_none=True)

    @validates_schema
    def _staff_need_credentials(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["role"] != "student":
            if not data.get("username"):
                raise ValidationError("Staff accounts need a username.", "username")
            if not data.get("password"):
                raise ValidationError("Staff accounts need a password.", "password")


class PersonPatchSchema(Schema):
    """Editable fields of a person."""

    display_name = Text(200, 1)
    picture = fields.String(allow_none=True, validate=validate.OneOf(PICTURES))
    pictures = PictureListField(allow_none=True)
    password = Text(200, 8)
    language = fields.String(validate=LANGUAGE)
    archived = fields.Boolean(
        metadata={"description": "A student who left: out of sign-in and lists, work kept"}
    )


class SignInCardsSchema(Schema):
    """Which children get new picture passwords printed on their cards."""

    renew = fields.String(load_default="missing", validate=validate.OneOf(("missing", "all")))


class SignInCardSchema(Schema):
    """One child's sign-in card; ``pictures`` only when made now (kept as a hash after)."""

    person_id = fields.String()
    display_name = fields.String()
    pictures = fields.List(fields.String(), allow_none=True)
    has_picture_password = fields.Boolean()


class MoveSchema(Schema):
    """Where a student moves: out of their classes (those the caller manages), into this one."""

    classroom_id = Id(required=True)


class PersonQuery(Schema):
    """Filters of the people list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(1, 500))
    role = fields.String(validate=validate.OneOf(ROLES), load_default=None)
    classroom_id = Id(load_default=None)
    archived = fields.Boolean(load_default=False, metadata={"description": "Only those archived"})


class ClassroomSchema(Schema):
    """A class."""

    id = fields.String()
    school_id = fields.String()
    name = fields.String()
    grade = fields.String(allow_none=True)
    language = fields.String()
    picture_password = fields.Boolean()


class ClassroomCreateSchema(Schema):
    """A new class."""

    name = Text(200, 1, required=True)
    grade = Text(40, load_default=None, allow_none=True)
    language = fields.String(load_default="en", validate=LANGUAGE)
    picture_password = fields.Boolean(load_default=True)


class ClassroomPatchSchema(Schema):
    """Editable fields of a class."""

    name = Text(200, 1)
    grade = Text(40, allow_none=True)
    language = fields.String(validate=LANGUAGE)
    picture_password = fields.Boolean()


class EnrollmentSchema(Schema):
    """A person in a class."""

    id = fields.String()
    classroom_id = fields.String()
    person_id = fields.String()
    role = fields.String()


class EnrollmentCreateSchema(Schema):
    """Enrol a person of the school in a class."""

    person_id = Id(required=True)
    role = fields.String(load_default="student", validate=validate.OneOf(ENROLLMENT_ROLES))


class GroupSchema(Schema):
    """A group of students."""

    id = fields.String()
    classroom_id = fields.String()
    name = fields.String()
    kind = fields.String()
    skill_id = fields.String(allow_none=True)
    member_ids = fields.List(fields.String())


class GroupCreateSchema(Schema):
    """A new group."""

    name = Text(200, 1, required=True)
    kind = fields.String(
        load_default="custom", validate=validate.OneOf(("level", "mixed", "custom"))
    )
    skill_id = Id(load_default=None, allow_none=True)
    member_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=200))


class ProfileSchema(Schema):
    """A learner profile."""

    person_id = fields.String()
    interests = fields.List(fields.String())
    motivations = fields.List(fields.String())
    modalities = fields.List(fields.String())
    languages = fields.List(fields.String())
    accommodations = fields.List(fields.String())
    notes = fields.String()


class ProfilePatchSchema(Schema):
    """Profile fields; students may set the first four, staff all."""

    interests = fields.List(Text(60, 1), validate=validate.Length(max=20))
    motivations = fields.List(Text(60, 1), validate=validate.Length(max=20))
    modalities = MODALITY_LIST
    languages = fields.List(fields.String(validate=LANGUAGE), validate=validate.Length(max=10))
    accommodations = ACCOMMODATION_LIST
    notes = Text(4000)
