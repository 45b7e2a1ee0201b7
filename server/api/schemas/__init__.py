"""marshmallow schemas: the API's contract, and the source of its OpenAPI document.

Input schemas validate and shape; services create rows. Integers are strict
(``2.5e-42`` is not an integer) and text refuses NUL, which PostgreSQL cannot store.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from sync.ids import ID_PATTERN

from ...auth.passwords import PICTURE_PASSWORD_LENGTH, PICTURES
from ...models.content import ACTIVITY_KINDS
from ...models.learning import GOAL_KINDS, GOAL_STATUSES, GOAL_TERMS
from ...models.school import ENROLLMENT_ROLES, ROLES

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", error="Not a language tag.")


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Text may not contain NUL characters.")


def Text(max_length: int, min_length: int = 0, **kwargs: Any) -> fields.String:
    """A string field with a length range that refuses NUL."""
    return fields.String(
        validate=[validate.Length(min=min_length, max=max_length), _no_nul], **kwargs
    )


def Id(**kwargs: Any) -> fields.String:
    """A global id field."""
    return fields.String(validate=validate.Regexp(ID_PATTERN, error="Not an id."), **kwargs)


def Int(minimum: int, maximum: int, **kwargs: Any) -> fields.Integer:
    """A strict integer field within a range."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, maximum), **kwargs)


MS = 2**53  # times in ms since the epoch; JavaScript's safe integer range

# ---------------------------------------------------------------- errors


class ErrorBodySchema(Schema):
    """The inside of every error."""

    status = fields.Integer(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(allow_none=True)


class ErrorSchema(Schema):
    """The one error shape."""

    error = fields.Nested(ErrorBodySchema, required=True)


# ---------------------------------------------------------------- node and school


class HealthSchema(Schema):
    """What /healthz says."""

    status = fields.String()
    database = fields.String()
    version = fields.String()
    node_id = fields.String(allow_none=True)
    uptime_s = fields.Float()


class NodeSchema(Schema):
    """This node's identity and counters."""

    node_id = fields.String()
    school_id = fields.String(allow_none=True)
    version = fields.String()
    database = fields.String()
    counter = fields.Integer()


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


# ---------------------------------------------------------------- sign-in


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


# ---------------------------------------------------------------- people and classes


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


class MeSchema(Schema):
    """The signed-in person and the CSRF token their browser must echo."""

    person = fields.Nested(PersonSchema)
    csrf_token = fields.String(allow_none=True)
    auth = fields.String()


class PictureListField(fields.List):
    """Exactly three picture keys."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields.String(validate=validate.OneOf(PICTURES)),
            validate=validate.Length(equal=PICTURE_PASSWORD_LENGTH),
            **kwargs,
        )


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


class PersonQuery(Schema):
    """Filters of the people list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(1, 500))
    role = fields.String(validate=validate.OneOf(ROLES), load_default=None)
    classroom_id = Id(load_default=None)


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


PROFILE_LIST = fields.List(Text(60, 1), validate=validate.Length(max=20))
MODALITY_LIST = fields.List(
    fields.String(validate=validate.OneOf(("read", "watch", "listen", "do"))),
    validate=validate.Length(max=4),
)
ACCOMMODATION_LIST = fields.List(
    fields.String(validate=validate.OneOf(("read_aloud", "extra_time", "larger_text"))),
    validate=validate.Length(max=3),
)


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


# ---------------------------------------------------------------- content


class PackSchema(Schema):
    """An imported content pack."""

    id = fields.String()
    version = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    description = fields.Dict(keys=fields.String(), values=fields.String())
    license = fields.String()
    languages = fields.List(fields.String())


class PublishedPackSchema(Schema):
    """What publishing a pack did: rows created, updated, deleted and unchanged."""

    pack_id = fields.String()
    created = fields.Integer()
    updated = fields.Integer()
    deleted = fields.Integer()
    unchanged = fields.Integer()


class SkillSchema(Schema):
    """A skill of the graph with its prerequisites."""

    id = fields.String()
    pack_id = fields.String()
    slug = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    description = fields.Dict(keys=fields.String(), values=fields.String())
    standard = fields.String()
    case_uri = fields.String(allow_none=True)
    prerequisites = fields.List(fields.String())


class ActivitySchema(Schema):
    """An activity, without its items."""

    id = fields.String()
    pack_id = fields.String()
    kind = fields.String()
    language = fields.String()
    title = fields.String()
    difficulty = fields.Integer()
    minutes = fields.Integer()
    modality = fields.String()
    interests = fields.List(fields.String())
    culture = fields.List(fields.String())
    skills = fields.List(fields.String())


class ItemSchema(Schema):
    """An item; ``answer`` is shown to staff only."""

    id = fields.String()
    position = fields.Integer()
    type = fields.String()
    prompt = fields.String()
    choices = fields.List(fields.String(), allow_none=True)
    hints = fields.List(fields.String())
    answer = fields.Raw(allow_none=True)
    tolerance = fields.Float(allow_none=True)
    check = fields.Dict(allow_none=True)  # students: hashed keys to check offline


class ActivityDetailSchema(ActivitySchema):
    """An activity with its body and items."""

    body = fields.Dict()
    items = fields.List(fields.Nested(ItemSchema))


class ActivityQuery(Schema):
    """Filters of the activity list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(1, 500))
    skill_id = Id(load_default=None)
    language = fields.String(load_default=None, validate=LANGUAGE)
    kind = fields.String(load_default=None, validate=validate.OneOf(ACTIVITY_KINDS))


# ---------------------------------------------------------------- learning


class AssignmentSchema(Schema):
    """An assignment."""

    id = fields.String()
    classroom_id = fields.String()
    activity_id = fields.String()
    group_id = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    assigned_by = fields.String()
    due_on = fields.String(allow_none=True)
    pinned = fields.Boolean()
    note = fields.String()


class AssignmentCreateSchema(Schema):
    """Assign an activity to the class, one group or one student."""

    activity_id = Id(required=True)
    group_id = Id(load_default=None, allow_none=True)
    person_id = Id(load_default=None, allow_none=True)
    due_on = fields.Date(load_default=None, allow_none=True)
    pinned = fields.Boolean(load_default=False)
    note = Text(2000, load_default="")

    @validates_schema
    def _one_target(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("group_id") and data.get("person_id"):
            raise ValidationError("Assign to a group or to a student, not both.", "person_id")


class GoalProgressSchema(Schema):
    """A goal's progress, recomputed from mastery and attempts on every read."""

    value = fields.Float(required=True)
    target = fields.Float(required=True)
    fraction = fields.Float(required=True, metadata={"description": "0 to 1"})
    state = fields.String(
        required=True,
        validate=validate.OneOf(("on_track", "behind", "done", "needs_review")),
    )


class GoalSchema(Schema):
    """A goal."""

    id = fields.String()
    person_id = fields.String()
    set_by = fields.String()
    term = fields.String()
    kind = fields.String()
    skill_id = fields.String(allow_none=True)
    activity_ids = fields.List(fields.String())
    target = fields.Integer(allow_none=True)
    text = fields.String()
    due_on = fields.String(allow_none=True)
    status = fields.String()
    created_ms = fields.Integer(allow_none=True)
    progress = fields.Nested(GoalProgressSchema)


class GoalCreateSchema(Schema):
    """A new goal; what it needs depends on its kind."""

    term = fields.String(required=True, validate=validate.OneOf(GOAL_TERMS))
    kind = fields.String(required=True, validate=validate.OneOf(GOAL_KINDS))
    skill_id = Id(load_default=None, allow_none=True)
    activity_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    target = Int(1, 100_000, load_default=None, allow_none=True)
    text = Text(2000, load_default="")
    due_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _needs(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data["kind"]
        if kind == "master_skill" and not data.get("skill_id"):
            raise ValidationError("A mastery goal names a skill.", "skill_id")
        if kind == "finish_activities" and not data.get("activity_ids"):
            raise ValidationError("Name the activities to finish.", "activity_ids")
        if kind == "practice_minutes" and not data.get("target"):
            raise ValidationError("Say how many minutes.", "target")
        if kind == "free_text" and not data.get("text", "").strip():
            raise ValidationError("Write the goal.", "text")


class GoalPatchSchema(Schema):
    """Editable fields of a goal."""

    status = fields.String(validate=validate.OneOf(GOAL_STATUSES))
    text = Text(2000)
    due_on = fields.Date(allow_none=True)
    target = Int(1, 100_000, allow_none=True)


class AttemptSchema(Schema):
    """An attempt."""

    id = fields.String()
    person_id = fields.String()
    activity_id = fields.String()
    started_ms = fields.Integer()
    ended_ms = fields.Integer()
    completed = fields.Boolean()
    received_ms = fields.Integer()


class AttemptCreateSchema(Schema):
    """An attempt, with the id the device made."""

    id = Id(required=True)
    activity_id = Id(required=True)
    started_ms = Int(0, MS, required=True)
    ended_ms = Int(0, MS, required=True)
    completed = fields.Boolean(load_default=False)


class AnswerSchema(Schema):
    """A stored answer."""

    id = fields.String()
    person_id = fields.String()
    attempt_id = fields.String(allow_none=True)
    activity_id = fields.String()
    item_id = fields.String()
    response = fields.Raw()
    correct = fields.Boolean()
    hints_used = fields.Integer()
    duration_ms = fields.Integer(allow_none=True)
    device_ms = fields.Integer()
    received_ms = fields.Integer()


class AnswerCreateSchema(Schema):
    """An answer, with the id the device made: posting it twice is one answer."""

    id = Id(required=True)
    item_id = Id(required=True)
    attempt_id = Id(load_default=None, allow_none=True)
    response = fields.Raw(required=True, allow_none=False)
    hints_used = Int(0, 100, load_default=0)
    duration_ms = Int(0, 86_400_000, load_default=None, allow_none=True)
    device_ms = Int(0, MS, required=True)


class AnswerResultSchema(Schema):
    """The immediate feedback on an answer."""

    id = fields.String()
    correct = fields.Boolean()
    hint = fields.String(allow_none=True)
    duplicate = fields.Boolean()


class ReflectionSchema(Schema):
    """A reflection."""

    id = fields.String()
    person_id = fields.String()
    activity_id = fields.String(allow_none=True)
    attempt_id = fields.String(allow_none=True)
    confidence = fields.Integer()
    text = fields.String()
    device_ms = fields.Integer()
    received_ms = fields.Integer()


class ReflectionCreateSchema(Schema):
    """A reflection, with the id the device made."""

    id = Id(required=True)
    activity_id = Id(load_default=None, allow_none=True)
    attempt_id = Id(load_default=None, allow_none=True)
    confidence = Int(1, 4, required=True)
    text = Text(2000, load_default="")
    device_ms = Int(0, MS, required=True)


class FeedbackSchema(Schema):
    """A teacher's comment."""

    id = fields.String()
    person_id = fields.String()
    author_id = fields.String()
    activity_id = fields.String(allow_none=True)
    attempt_id = fields.String(allow_none=True)
    text = fields.String()
    device_ms = fields.Integer()
    received_ms = fields.Integer()


class FeedbackCreateSchema(Schema):
    """A comment on a student's work."""

    id = Id(load_default=None)
    person_id = Id(required=True)
    activity_id = Id(load_default=None, allow_none=True)
    attempt_id = Id(load_default=None, allow_none=True)
    text = Text(4000, 1, required=True)
    device_ms = Int(0, MS, load_default=None, allow_none=True)


# ---------------------------------------------------------------- sync


class PairRequestSchema(Schema):
    """A node asking to join with a pairing code."""

    code = Text(20, 4, required=True)
    node_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,32}$"))
    public_key = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    proof = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    role = fields.String(load_default="node", validate=validate.OneOf(("node", "hub")))
    url = fields.Url(load_default=None, allow_none=True, require_tld=False)
    school_id = Id(load_default=None, allow_none=True)


class PairReplySchema(Schema):
    """This node's identity, proven with the same code."""

    node_id = fields.String()
    public_key = fields.String()
    school_id = fields.String()
    role = fields.String()
    proof = fields.String()


class PairingCodeRequestSchema(Schema):
    """What the node a code pairs may author here, besides students' work (always)."""

    grants = fields.List(
        fields.String(validate=validate.OneOf(("events", "accounts"))),
        load_default=list,
        validate=validate.Length(max=2),
        metadata={"description": "accounts: people, roles, passwords and classes too"},
    )


class PairingCodeSchema(Schema):
    """A one-time pairing code to show on screen."""

    code = fields.String()
    expires_at = fields.DateTime()
    grants = fields.List(fields.String())


class PeerSchema(Schema):
    """A paired peer and the truth about its last syncs."""

    id = fields.Integer()
    node_id = fields.String()
    role = fields.String()
    url = fields.String(allow_none=True)
    school_id = fields.String(allow_none=True)
    revoked = fields.Boolean()
    grants = fields.List(
        fields.String(), metadata={"description": "What it may author here (its pairing's)"}
    )
    last_attempt_at = fields.DateTime(allow_none=True)
    last_success_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_pulled = fields.Integer()
    last_pushed = fields.Integer()
    clock_offset_ms = fields.Integer()
    pending_out = fields.Integer(
        metadata={
            "description": "Versions it lacked at the last sync that we hold now (upper bound)"
        }
    )
    pending_in = fields.Integer(
        metadata={"description": "Versions it held at the last sync that we lack (upper bound)"}
    )
    running = fields.Nested(
        "SyncProgressSchema",
        allow_none=True,
        metadata={"description": "The sync with it running now, or null"},
    )


class SyncProgressSchema(Schema):
    """How far a running sync has got: the stage, and rows (files for content) done of total."""

    direction = fields.String(metadata={"description": "hello, pull, push or content"})
    rows_done = fields.Integer()
    rows_total = fields.Integer(metadata={"description": "An upper bound while it runs"})
    pulled = fields.Integer()
    pushed = fields.Integer()
    started_at = fields.DateTime()


class SyncRunSchema(Schema):
    """What one sync session did."""

    peer_node_id = fields.String()
    pulled = fields.Integer()
    pushed = fields.Integer()
    seconds = fields.Float()
    refused = fields.List(
        fields.String(), metadata={"description": "Rows refused, both ways, and why"}
    )


class PeerAddSchema(Schema):
    """Pair with a node by its address, for when multicast is blocked."""

    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    code = Text(20, 4, required=True)


class NearbySchema(Schema):
    """A node seen on the LAN by discovery."""

    node_id = fields.String()
    school_id = fields.String()
    role = fields.String()
    url = fields.String()
    alive = fields.Boolean()
    paired = fields.Boolean()


class SkillMasterySchema(Schema):
    """A learner's mastery of one skill, from knowledge tracing of their answers."""

    skill_id = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    p_known = fields.Float(metadata={"description": "P(known) after the last answer"})
    p_known_now = fields.Float(metadata={"description": "P(known) today, with forgetting"})
    attempts = fields.Integer()
    correct = fields.Integer()
    last_ms = fields.Integer(allow_none=True)
    mastered = fields.Boolean()
    needs_review = fields.Boolean(metadata={"description": "Was mastered, has decayed"})
    stars = fields.Integer(metadata={"description": "0 not started, 1 started, 2 near, 3 mastered"})
