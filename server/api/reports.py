"""Reports: a class's and a student's, as JSON (the printable pages), CSV and SVG charts."""

from __future__ import annotations

from flask import Blueprint, Response, g

from ..auth.access import STAFF
from ..interop.spreadsheet import csv_response
from ..interop.svg_chart import line_chart
from ..services import reports
from .contract import endpoint
from .schemas.reports import ClassReportSchema, ReportQuery, StudentReportSchema

bp = Blueprint("reports", __name__, url_prefix="/api/v1")

#: The chart's words in the languages of the apps (the page says the rest).
_WORDS = {
    "en": ("Progress of {name}", "Right answers so far", "Activities finished so far"),
    "fr": ("Progrès de {name}", "Bonnes réponses (cumul)", "Activités terminées (cumul)"),
}


def _chart(name: str, progress: list[dict], language: str) -> Response:
    title, correct, completed = _WORDS.get(language, _WORDS["en"])
    svg = line_chart(
        title.format(name=name),
        [w["week"].isoformat() for w in progress],
        [
            (correct, [w["correct_so_far"] for w in progress]),
            (completed, [w["completed_so_far"] for w in progress]),
        ],
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/classes/<classroom_id>/report")
@endpoint(STAFF, "A class report: each student's work and skills mastered, progress by week",
          response=ClassReportSchema)  # fmt: skip
def get_class_report(classroom_id):
    return reports.class_report(g.user, classroom_id)


@bp.get("/classes/<classroom_id>/report.csv")
@endpoint(STAFF, "The class report as CSV (UTF-8 with BOM, numbers and ISO dates)",
          raw_response="text/csv")  # fmt: skip
def get_class_report_csv(classroom_id):
    report = reports.class_report(g.user, classroom_id)
    return csv_response(
        f"class-report-{report['made_on']}.csv",
        reports.CLASS_CSV_HEADER,
        reports.class_csv_rows(report),
    )


@bp.get("/classes/<classroom_id>/progress.svg")
@endpoint(STAFF, "The class's progress over time as an SVG chart (title and description)",
          query=ReportQuery, raw_response="image/svg+xml")  # fmt: skip
def get_class_progress_chart(classroom_id, query):
    report = reports.class_report(g.user, classroom_id)
    return _chart(report["name"], report["progress"], query["language"])


@bp.get("/people/<person_id>/report")
@endpoint(STAFF, "A student report: their work, skills practised, progress by week",
          response=StudentReportSchema)  # fmt: skip
def get_student_report(person_id):
    return reports.student_report(g.user, person_id)


@bp.get("/people/<person_id>/report.csv")
@endpoint(STAFF, "The student report as CSV, one row per skill practised",
          query=ReportQuery, raw_response="text/csv")  # fmt: skip
def get_student_report_csv(person_id, query):
    report = reports.student_report(g.user, person_id)
    return csv_response(
        f"student-report-{report['made_on']}.csv",
        reports.STUDENT_CSV_HEADER,
        reports.student_csv_rows(report, query["language"]),
    )


@bp.get("/people/<person_id>/progress.svg")
@endpoint(STAFF, "A student's progress over time as an SVG chart (title and description)",
          query=ReportQuery, raw_response="image/svg+xml")  # fmt: skip
def get_student_progress_chart(person_id, query):
    report = reports.student_report(g.user, person_id)
    return _chart(report["display_name"], report["progress"], query["language"])
