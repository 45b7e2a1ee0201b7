"""The teacher's views of a class: the mastery heatmap (JSON and CSV), a skill, a
student's work, the feedback queue with its "seen" marks, and who finished what."""

from __future__ import annotations

from flask import Blueprint, current_app, g

from ..auth.access import STAFF, can_teach, require
from ..interop.spreadsheet import csv_response
from ..services import assigned, heatmap, learning, open_work, schools, student_work
from ..services.class_memo import tagged_body
from .contract import endpoint, kept_json
from .schemas.teaching import (
    AssignmentProgressSchema,
    CsvQuery,
    HeatmapSchema,
    OpenWorkSchema,
    SeenCreateSchema,
    SeenResultSchema,
    SkillViewSchema,
    StudentWorkSchema,
)

bp = Blueprint("teaching", __name__, url_prefix="/api/v1")


def _heatmap_json(view: dict) -> tuple[bytes, str]:
    """The heatmap as the response body and its ETag, made once per kept view (class_memo).

    The view's dict already has the schema's shape (``HeatmapSchema``; tests hold the
    two equal): a marshmallow dump of a students × skills grid was most of a poll's CPU.
    """
    return tagged_body(view, current_app.json.dumps)


@bp.get("/classes/<classroom_id>/heatmap")
@endpoint(
    STAFF,
    "Mastery of every student of the class on every skill they practised (cheap to poll; "
    "send If-None-Match with the last ETag, 304 when nothing changed)",
    response=HeatmapSchema,
)
def get_heatmap(classroom_id):
    classroom = schools.get_class(g.user, classroom_id, manage=True)  # before any kept bytes
    body, tag = heatmap.class_heatmap(classroom, shape=_heatmap_json)
    return kept_json(body, tag)


@bp.get("/classes/<classroom_id>/heatmap.csv")
@endpoint(
    STAFF,
    "The heatmap as a spreadsheet (UTF-8 with BOM; levels, P(known) and answers per skill)",
    query=CsvQuery,
    raw_response="text/csv",
)
def get_heatmap_csv(classroom_id, query):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    view = heatmap.class_heatmap(classroom, now_ms=heatmap.wall_ms())
    header, rows = heatmap.heatmap_csv_rows(view, query["language"])
    return csv_response(f"heatmap-{classroom.name}.csv", header, rows)


@bp.get("/classes/<classroom_id>/skills/<skill_id>")
@endpoint(
    STAFF,
    "One skill in a class: levels, who struggles, most-missed items, a suggested grouping",
    response=SkillViewSchema,
    errors=(404,),
)
def get_class_skill(classroom_id, skill_id):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    return heatmap.skill_view(classroom, skill_id)


@bp.get("/people/<person_id>/work")
@endpoint(
    STAFF,
    "A student's recent work: attempts with their answers, reflections, photos, comments",
    response=StudentWorkSchema,
)
def get_student_work(person_id):
    person = learning.get_student(g.user, person_id)
    require(can_teach(g.user, person), "You may see the work of your own students only.")
    return student_work.student_work(person)


@bp.get("/classes/<classroom_id>/open-work")
@endpoint(
    STAFF,
    "The feedback queue: projects, reflections and written answers no teacher has seen",
    response=OpenWorkSchema,
)
def get_open_work(classroom_id):
    return open_work.queue(schools.get_class(g.user, classroom_id, manage=True))


@bp.post("/work-seen")
@endpoint(
    STAFF,
    "Mark a piece of open work seen, with a comment and a free-text goal done if given",
    body=SeenCreateSchema,
    response=SeenResultSchema,
    errors=(404,),
)
def mark_seen(body):
    return open_work.mark_seen(g.user, body)


@bp.delete("/work-seen/<work_kind>/<work_id>")
@endpoint(
    STAFF,
    "Put a piece of work marked seen by mistake back in the feedback queue "
    "(the mark becomes a tombstone that syncs; a comment already sent stays)",
    errors=(404,),
)
def unmark_seen(work_kind, work_id):
    open_work.unmark_seen(g.user, work_kind, work_id)


@bp.get("/classes/<classroom_id>/seen-work")
@endpoint(
    STAFF,
    "Open work of the class a teacher marked seen, the latest mark first, to put back",
    response=OpenWorkSchema,
)
def get_seen_work(classroom_id):
    return open_work.recently_seen(schools.get_class(g.user, classroom_id, manage=True))


@bp.get("/classes/<classroom_id>/assignment-progress")
@endpoint(
    STAFF,
    "Who finished each assignment of the class (done, started or not yet)",
    response=AssignmentProgressSchema,
    many=True,
)
def get_assignment_progress(classroom_id):
    return assigned.progress(schools.get_class(g.user, classroom_id, manage=True))
