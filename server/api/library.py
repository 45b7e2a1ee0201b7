"""The content library: packs imported from the browser, and a school's own activities."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from ..auth.access import ADMIN, STAFF, is_district_admin, require
from ..services import authoring, pack_imports
from .contract import endpoint
from .schemas.content import ActivityDetailSchema
from .schemas.library import (
    AuthoredActivityEditSchema,
    AuthoredActivitySchema,
    AuthoredImageSchema,
    PackImportQuery,
    PackImportSchema,
)

bp = Blueprint("library", __name__, url_prefix="/api/v1")


@bp.put("/pack-imports/<job_id>")
@endpoint(
    ADMIN,
    "Import a content pack (a zip) under an id the page made, validating it first; "
    "GET the same id meanwhile for its progress. On the hub: a district admin, and it "
    "is published to every school. A refused pack: 422 with every problem in details, "
    "nothing imported",
    query=PackImportQuery,
    raw_body="application/zip",
    response=PackImportSchema,
    errors=(404, 409, 413),
)
def put_pack_import(job_id, query):
    if current_app.config["ROLE"] == "hub":
        require(
            is_district_admin(g.user, current_app.config["DISTRICT_SCHOOL"]),
            "Only a district admin publishes content to every school "
            "(an admin of the hub's BAOBAB_DISTRICT_SCHOOL).",
        )
    limit = current_app.config["PACK_MAX_BYTES"]
    request.max_content_length = limit  # larger: 413 before reading it
    data = request.get_data(cache=False)
    return pack_imports.run_import(
        g.user, job_id, data, query["name"], current_app.config["DATA_DIR"], limit
    )


@bp.get("/pack-imports/<job_id>")
@endpoint(
    ADMIN,
    "How far a pack import is: its stage, and the validator's report at the end",
    response=PackImportSchema,
)
def get_pack_import(job_id):
    return pack_imports.get_job(g.user, job_id, current_app.config["DATA_DIR"])


@bp.post("/authored-images")
@endpoint(
    STAFF,
    "Keep a picture (PNG, JPEG, WebP or a script-free SVG) for the school's own activities",
    raw_body="image/*",
    response=AuthoredImageSchema,
    status=201,
    errors=(413,),
)
def post_authored_image():
    request.max_content_length = authoring.IMAGE_MAX_BYTES  # larger: 413 before reading it
    data = request.get_data(cache=False)
    return authoring.store_image(g.user, data, request.mimetype, current_app.config["DATA_DIR"])


@bp.post("/authored-activities")
@endpoint(
    STAFF,
    "Author an activity of the school (a reading or a quiz, tied to a skill); "
    "it syncs to the school's other nodes",
    body=AuthoredActivitySchema,
    response=ActivityDetailSchema,
    status=201,
    errors=(404,),
)
def post_authored_activity(body):
    return authoring.create_activity(g.user, body)


@bp.put("/authored-activities/<activity_id>")
@endpoint(
    STAFF,
    "Save a new version of one of the school's own activities: unchanged questions keep "
    "their ids, changed ones get new ids, none is deleted (answers to them still count)",
    body=AuthoredActivityEditSchema,
    response=ActivityDetailSchema,
    errors=(404,),
)
def put_authored_activity(activity_id, body):
    return authoring.update_activity(g.user, activity_id, body)
