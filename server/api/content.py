"""Content: packs, the skill graph, activities with their items, and asset files."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, send_file

from ..auth.access import ADMIN, PUBLIC, SIGNED_IN, is_district_admin, require
from ..errors import Forbidden
from ..interop.pack_format import MEDIA_TYPES
from ..pages.headers import as_untrusted_file
from ..services import content
from .contract import endpoint
from .schemas.content import (
    ActivityDetailSchema,
    ActivityQuery,
    ActivitySchema,
    PackSchema,
    PublishedPackSchema,
    SkillSchema,
)

bp = Blueprint("content", __name__, url_prefix="/api/v1")


@bp.get("/packs")
@endpoint(SIGNED_IN, "Imported content packs", response=PackSchema, many=True)
def list_packs():
    return content.list_packs()


@bp.post("/packs")
@endpoint(
    ADMIN,
    "Publish a content pack (a zip) to every school: on the district hub only",
    raw_body="application/zip",
    response=PublishedPackSchema,
    errors=(403, 413),
)
def publish_pack():
    if current_app.config["ROLE"] != "hub":
        raise Forbidden(
            "Only the district hub publishes content packs; "
            "a node imports one with `baobab import-content`."
        )
    require(
        is_district_admin(g.user, current_app.config["DISTRICT_SCHOOL"]),
        "Only a district admin publishes content to every school "
        "(an admin of the hub's BAOBAB_DISTRICT_SCHOOL).",
    )
    limit = current_app.config["PACK_MAX_BYTES"]
    request.max_content_length = limit
    data = request.get_data(cache=False)
    return content.publish_pack(data, current_app.config["DATA_DIR"], limit)


@bp.get("/skills")
@endpoint(SIGNED_IN, "The skill graph", response=SkillSchema, many=True)
def list_skills():
    return content.list_skills()


@bp.get("/activities")
@endpoint(
    SIGNED_IN,
    "Activities, filtered by skill, language or kind",
    query=ActivityQuery,
    response=ActivitySchema,
    paginated=True,
)
def list_activities(query):
    select = content.activity_select(query["skill_id"], query["language"], query["kind"])
    per_page = query["per_page"] or current_app.config["PAGE_SIZE"]
    page = list(select.paginate(query["page"], per_page))
    return {
        "items": content.with_skills(page),
        "page": query["page"],
        "per_page": per_page,
        "total": select.count(),
    }


@bp.get("/activities/<activity_id>")
@endpoint(
    SIGNED_IN,
    "One activity with its items (answer keys for staff only)",
    response=ActivityDetailSchema,
)
def get_activity(activity_id):
    return content.activity_detail(activity_id, with_answers=g.user.role != "student")


@bp.get("/assets/<sha256>")
@endpoint(PUBLIC, "A content file by its SHA-256", raw_response="application/octet-stream")
def get_asset(sha256):
    path, media_type = content.asset_file(current_app.config["DATA_DIR"], sha256)
    if media_type not in MEDIA_TYPES:
        # A row that came by sync may name any type: never serve one as a page.
        media_type = "application/octet-stream"
    response = send_file(path, mimetype=media_type, max_age=365 * 24 * 3600, etag=sha256)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return as_untrusted_file(response)
