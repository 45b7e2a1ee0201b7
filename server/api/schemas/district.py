"""Schemas of the district endpoints: schools, nodes, the dashboard, the audit log, exports."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .common import LANGUAGE, Id, Text
from .sync import PeerSchema


class DashboardQuery(Schema):
    """Which level of the dashboard: the district, a school (``school``) or a class (``class``)."""

    class Meta:
        unknown = EXCLUDE

    school = fields.String(load_default=None, validate=validate.Length(1, 100))
    classroom = fields.String(data_key="class", load_default=None, validate=validate.Length(1, 100))
    days = fields.Integer(load_default=30, validate=validate.Range(1, 366))


class DayFiguresSchema(Schema):
    """Distinct active students on one UTC day."""

    day = fields.String()
    students = fields.Integer()


class TotalsSchema(Schema):
    """All-time figures of the level: students enrolled, events folded."""

    students = fields.Integer()
    answers = fields.Integer()
    correct = fields.Integer()
    attempts = fields.Integer()
    completed = fields.Integer()


class SkillFiguresSchema(Schema):
    """One skill: answers, right answers, students at mastery."""

    skill_id = fields.String()
    title = fields.String()
    answers = fields.Integer()
    correct = fields.Integer()
    mastered = fields.Integer()


class ContentFiguresSchema(Schema):
    """One activity's use: attempts, completions, minutes spent."""

    activity_id = fields.String()
    title = fields.String()
    attempts = fields.Integer()
    completed = fields.Integer()
    minutes = fields.Float()


class GoalFiguresSchema(Schema):
    """Goals by status."""

    active = fields.Integer()
    done = fields.Integer()
    dropped = fields.Integer()


class SyncHealthSchema(Schema):
    """Enrolled nodes by the outcome of their last sync."""

    nodes = fields.Integer()
    ok = fields.Integer()
    failing = fields.Integer()
    revoked = fields.Integer()
    never = fields.Integer()
    oldest_success_at = fields.DateTime(allow_none=True)


class ChildFiguresSchema(Schema):
    """A school of the district, or a class of a school: the next level down."""

    id = fields.String()
    name = fields.String()
    answers = fields.Integer()
    correct = fields.Integer()
    attempts = fields.Integer()
    student_days = fields.Integer(
        metadata={"description": "Sum over the window's days of the students active that day"}
    )


class DashboardSchema(Schema):
    """The district dashboard at one level, read from rollups kept up to date on ingest."""

    level = fields.String(validate=validate.OneOf(("district", "school", "class")))
    school_id = fields.String(allow_none=True)
    school_name = fields.String(allow_none=True)
    classroom_id = fields.String(allow_none=True)
    classroom_name = fields.String(allow_none=True)
    totals = fields.Nested(TotalsSchema)
    active_per_day = fields.List(fields.Nested(DayFiguresSchema))
    skills = fields.List(fields.Nested(SkillFiguresSchema))
    content = fields.List(fields.Nested(ContentFiguresSchema))
    goals = fields.Nested(GoalFiguresSchema)
    sync = fields.Nested(SyncHealthSchema)
    children = fields.List(fields.Nested(ChildFiguresSchema))


class DistrictSchoolSchema(Schema):
    """A school the hub holds."""

    id = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)
    students = fields.Integer()
    classes = fields.Integer()
    nodes = fields.Integer(metadata={"description": "Enrolled nodes not revoked"})
    languages = fields.List(fields.String())
    admins = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "The school's admins: display_name and username"},
    )


class NewSchoolSchema(Schema):
    """A school the hub starts, for its first node to enrol in."""

    name = Text(200, 1, required=True)
    code = Text(40, 1, load_default=None, allow_none=True)
    languages = fields.List(
        fields.String(validate=LANGUAGE), validate=validate.Length(1, 20), load_default=["en"]
    )


class NewSchoolAdminSchema(Schema):
    """A school's admin, made at the hub: they sign in on the school's node once it enrols."""

    display_name = Text(200, 1, required=True)
    username = Text(100, 1, required=True)
    password = Text(200, 8, required=True)


class SchoolAdminSchema(Schema):
    """An admin of a school, as the district sees them."""

    id = fields.String()
    school_id = fields.String()
    display_name = fields.String()
    username = fields.String()


class EnrolmentCodeRequestSchema(Schema):
    """Which school's node the code enrols; none: a node of any school, bringing its own."""

    school_id = Id(load_default=None, allow_none=True)


class DistrictNodeSchema(PeerSchema):
    """A node enrolled at the hub and its sync health."""

    school_name = fields.String(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)
    lag_s = fields.Integer(
        allow_none=True, metadata={"description": "Seconds since its last good sync"}
    )
    hub_version = fields.String(metadata={"description": "The hub's own software version"})
    older_than_hub = fields.Boolean(
        allow_none=True,
        metadata={"description": "Its claimed version is older than the hub's; null: unknown"},
    )


class EnrolmentCodeSchema(Schema):
    """An enrolment code: the code itself only when it is made (it is kept hashed)."""

    code = fields.String()
    school_id = fields.String()
    expires_at = fields.DateTime()
    grants = fields.List(fields.String())


class AuditEntrySchema(Schema):
    """One export, one view of a child's record, one revocation, by an admin."""

    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.String()
    actor_name = fields.String()
    action = fields.String()
    school_id = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    detail = fields.String()


class ExportQuery(Schema):
    """Which school an export covers (default: every school the caller sees), and from when."""

    class Meta:
        unknown = EXCLUDE

    school = fields.String(load_default=None, validate=validate.Length(1, 100))
    since = fields.Integer(
        load_default=None,
        validate=validate.Range(0),
        metadata={"description": "Only events received from then on (ms since 1970, UTC)"},
    )


class StudentSkillSchema(Schema):
    """The hub's running estimate of one skill of the student."""

    skill_id = fields.String()
    title = fields.String(metadata={"description": "The skill's title (English, else its first)"})
    p_known = fields.Float()
    answers = fields.Integer()
    mastered = fields.Boolean()


class StudentQuery(Schema):
    """Which students to find: a part of the name, maybe one school."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(required=True, validate=validate.Length(1, 100))
    school = fields.String(load_default=None, validate=validate.Length(1, 100))


class FoundStudentSchema(Schema):
    """A student a search found: enough to tell them apart and open their record."""

    id = fields.String()
    display_name = fields.String()
    school_id = fields.String()
    school_name = fields.String()
    classes = fields.List(fields.String(), metadata={"description": "Names of their classes"})


class StudentRecordSchema(Schema):
    """One student's record on the hub (erased students keep only their opaque id)."""

    id = fields.String()
    school_id = fields.String()
    school_name = fields.String()
    display_name = fields.String()
    username = fields.String(allow_none=True)
    erased = fields.Boolean()
    classes = fields.List(fields.String(), metadata={"description": "Ids of their classes"})
    class_names = fields.List(fields.String())
    answers = fields.Integer()
    attempts = fields.Integer()
    skills = fields.List(fields.Nested(StudentSkillSchema))
