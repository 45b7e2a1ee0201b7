"""The district on the hub: schools, enrolled nodes, the dashboard, the audit log.

District admins (admins of the hub's ``DISTRICT_SCHOOL``) see every school; a
school's admins see their own school only (server.services.district).
"""

from __future__ import annotations

import io
import json
import zipfile

from flask import Blueprint, Response, current_app, g

from ..auth.access import ADMIN
from ..interop.spreadsheet import csv_response
from ..services import district, exports
from .contract import endpoint, paginate
from .schemas.district import (
    AuditEntrySchema,
    DashboardQuery,
    DashboardSchema,
    DistrictNodeSchema,
    DistrictSchoolSchema,
    EnrolmentCodeRequestSchema,
    EnrolmentCodeSchema,
    ExportQuery,
    FoundStudentSchema,
    NewSchoolAdminSchema,
    NewSchoolSchema,
    SchoolAdminSchema,
    StudentQuery,
    StudentRecordSchema,
)

bp = Blueprint("district", __name__, url_prefix="/api/v1/district")


def _office() -> str:
    return current_app.config["DISTRICT_SCHOOL"]


@bp.get("/dashboard")
@endpoint(
    ADMIN,
    "The district dashboard: the district, a school (?school=) or a class (?class=)",
    query=DashboardQuery,
    response=DashboardSchema,
    errors=(404,),
)
def dashboard(query):
    return district.dashboard(
        g.user, _office(), query["school"], query["classroom"], days=query["days"]
    )


@bp.get("/schools")
@endpoint(ADMIN, "Schools the hub holds", response=DistrictSchoolSchema, many=True)
def schools():
    return district.list_schools(g.user, _office())


@bp.post("/schools")
@endpoint(
    ADMIN,
    "Start a school at the hub (district admins): its node enrols with a code for it",
    body=NewSchoolSchema,
    response=DistrictSchoolSchema,
    status=201,
    errors=(409,),
)
def start_school(body):
    return district.start_school(g.user, _office(), current_app.config["ROLE"], body)


@bp.post("/schools/<school_id>/admins")
@endpoint(
    ADMIN,
    "Make an admin of a school the hub holds (district admins)",
    body=NewSchoolAdminSchema,
    response=SchoolAdminSchema,
    status=201,
    errors=(404, 409),
)
def add_school_admin(body, school_id):
    return district.add_school_admin(g.user, _office(), current_app.config["ROLE"], school_id, body)


@bp.get("/nodes")
@endpoint(
    ADMIN,
    "Nodes enrolled at the hub, with their sync health",
    response=DistrictNodeSchema,
    many=True,
)
def nodes():
    return district.list_nodes(g.user, _office(), current_app.config["DATA_DIR"])


@bp.post("/nodes/<int:peer_id>/revoke")
@endpoint(
    ADMIN,
    "Revoke an enrolled node: its next request is refused",
    response=DistrictNodeSchema,
    errors=(404,),
)
def revoke_node(peer_id):
    peer = district.revoke_node(g.user, _office(), peer_id)
    nodes = district.list_nodes(g.user, _office(), current_app.config["DATA_DIR"])
    return next(n for n in nodes if n["id"] == peer.id)


@bp.get("/enrolment-codes")
@endpoint(ADMIN, "Enrolment codes still open", response=EnrolmentCodeSchema, many=True)
def enrolment_codes():
    return district.enrolment_codes(g.user, _office())


@bp.post("/enrolment-codes")
@endpoint(
    ADMIN,
    "A one-time enrolment code (15 minutes) for a node of the school given, or of any school",
    body=EnrolmentCodeRequestSchema,
    body_optional=True,  # as before school_id: a code for a node of any school
    response=EnrolmentCodeSchema,
    status=201,
    errors=(404,),
)
def new_enrolment_code(body):
    return district.new_enrolment_code(g.user, _office(), body["school_id"])


@bp.get("/audit")
@endpoint(
    ADMIN,
    "The audit log: exports and views of a child's record",
    response=AuditEntrySchema,
    paginated=True,
)
def audit(query):
    return paginate(
        district.audit_entries(g.user, _office()), query, current_app.config["PAGE_SIZE"]
    )


def _export_scope(query) -> list[str] | None:
    """The schools an export covers: the one asked for, else every school the caller sees."""
    if query["school"]:
        district.require_school(g.user, _office(), query["school"])
        return [query["school"]]
    return district.schools_visible(g.user, _office())


def _download(data: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/exports/xapi")
@endpoint(
    ADMIN,
    "xAPI 1.0.3 statements (a JSON array) of the schools the caller sees; audited",
    query=ExportQuery,
    raw_response="application/json",
)
def export_xapi(query):
    scope = _export_scope(query)
    found = list(exports.statements(current_app.config["HOME_PAGE"], query["since"], scope))
    district.audit(g.user, "export-xapi", query["school"], None, f"{len(found)} statements")
    return _download(json.dumps(found), "application/json", "statements.json")


@bp.get("/exports/results.zip")
@endpoint(
    ADMIN,
    "OneRoster 1.1 results (manifest, academicSessions, categories, lineItems and results "
    "CSV) in a zip; audited",
    query=ExportQuery,
    raw_response="application/zip",
)
def export_results(query):
    files = exports.oneroster_results(_export_scope(query))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in sorted(files.items()):
            bundle.writestr(name, text)
    district.audit(g.user, "export-results", query["school"], None, "OneRoster 1.1 results")
    return _download(out.getvalue(), "application/zip", "results.zip")


@bp.get("/exports/dashboard.csv")
@endpoint(
    ADMIN,
    "The dashboard's next level down (schools, or a school's classes) as CSV; audited",
    query=ExportQuery,
    raw_response="text/csv",
)
def export_dashboard(query):
    visible = district.schools_visible(g.user, _office())
    school = query["school"] or (visible[0] if visible else None)  # a school admin: theirs
    data = district.dashboard(g.user, _office(), school)
    district.audit(g.user, "export-dashboard", query["school"], None, "dashboard CSV")
    header = ("id", "name", "answers", "correct", "attempts", "student_days")
    rows = [[c[k] for k in header] for c in data["children"]]
    return csv_response("dashboard.csv", header, rows)


@bp.get("/students")
@endpoint(
    ADMIN,
    "Students whose name holds ?q= (any case), of the schools the caller sees or ?school=; "
    "at most 50, by name",
    query=StudentQuery,
    response=FoundStudentSchema,
    many=True,
)
def find_students(query):
    return district.find_students(g.user, _office(), query["q"], query["school"])


@bp.get("/students/<person_id>")
@endpoint(
    ADMIN,
    "One student's record as the hub holds it; every view is written to the audit log",
    response=StudentRecordSchema,
    errors=(404,),
)
def student_record(person_id):
    return district.student_record(g.user, _office(), person_id)


@bp.post("/students/<person_id>/erase")
@endpoint(
    ADMIN,
    "Erase a student on request: personal fields blanked on every node sync reaches; audited",
    response=StudentRecordSchema,
    errors=(404,),
)
def erase_student(person_id):
    return district.erase_student(g.user, _office(), person_id, current_app.config["DATA_DIR"])
