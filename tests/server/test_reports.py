"""Reports: class and student, as JSON, CSV that a spreadsheet reads right, and SVG charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest

from server.interop.svg_chart import line_chart
from sync.ids import new_id


def _answer(api, world):
    student = api(world.tokens["student"])
    reply = student.post("/api/v1/answers", json={
        "id": new_id(), "item_id": world.item_choice, "response": 0, "device_ms": 1})  # fmt: skip
    assert reply.status_code in (200, 201), reply.get_json()


def _parsed(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _utc_today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def test_the_class_report_counts_each_students_work_by_week(app, api, world):
    before = _utc_today()  # reports give days in UTC; the test may cross a midnight
    _answer(api, world)
    report = api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/report")
    assert report.status_code == 200
    body = report.get_json()
    me = next(s for s in body["students"] if s["person_id"] == world.student)
    assert me["answers"] >= 1 and me["last_active"] in {before, _utc_today()}
    assert body["progress"][-1]["correct_so_far"] >= 0


def test_the_class_csv_reads_back_as_numbers_and_dates(app, api, world):
    _answer(api, world)
    response = api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _parsed(response.data)
    active = [r for r in rows if r["last active"]]
    assert active
    for row in active:
        assert int(row["answers"]) >= 1
        float(row["correct share"])
        dt.date.fromisoformat(row["last active"])


def test_the_student_csv_has_one_row_per_skill_practised(app, api, world):
    _answer(api, world)
    response = api(world.tokens["teacher"]).get(
        f"/api/v1/people/{world.student}/report.csv?language=fr"
    )
    rows = _parsed(response.data)
    assert rows and 0 <= float(rows[0]["mastery"]) <= 1
    dt.date.fromisoformat(rows[0]["last practised"])


def test_a_progress_chart_is_an_accessible_svg_without_script(app, api, world):
    _answer(api, world)
    for path in (f"/api/v1/classes/{world.class_a}/progress.svg",
                 f"/api/v1/people/{world.student}/progress.svg?language=fr"):  # fmt: skip
        response = api(world.tokens["teacher"]).get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        root = ET.fromstring(response.data)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img"
        assert root.find(f"{ns}title").text and root.find(f"{ns}desc").text
        assert b"<script" not in response.data


def test_a_name_that_is_a_formula_stays_text_in_the_csv(app, api, world):
    teacher = api(world.tokens["teacher"])
    teacher.patch(f"/api/v1/people/{world.student}", json={"display_name": "=HYPERLINK(1)"})
    rows = _parsed(teacher.get(f"/api/v1/classes/{world.class_a}/report.csv").data)
    assert "'=HYPERLINK(1)" in [r["student"] for r in rows]


def test_a_teacher_of_another_class_gets_no_report(app, api, world):
    other = api(world.tokens["other_teacher"])
    assert other.get(f"/api/v1/classes/{world.class_a}/report").status_code in (403, 404)
    assert other.get(f"/api/v1/people/{world.student}/report.csv").status_code in (403, 404)
    assert (
        api(world.tokens["student"]).get(f"/api/v1/people/{world.student}/report").status_code
        == 403
    )


@pytest.mark.parametrize("highest", [0, 1, 3, 6, 10, 30, 33, 99, 101, 1_234_567])
def test_a_charts_value_axis_marks_whole_counts_up_to_the_highest_value(highest):
    svg = ET.fromstring(line_chart("t", ["2026-11-30", "2026-12-07"], [("answers", [0, highest])]))
    ns = "{http://www.w3.org/2000/svg}"
    marks = [t.text for t in svg.iter(f"{ns}text") if t.get("text-anchor") == "end"]
    values = [int(m) for m in marks]  # whole numbers, never "7.5" or "1e+06"
    gaps = {b - a for a, b in zip(values, values[1:])}
    assert values[0] == 0 and len(gaps) == 1 and 2 <= len(values) <= 5
    assert values[-1] >= highest and values[-2] < max(highest, 1)


def test_a_students_report_gives_each_skill_the_heatmaps_level(app, api, world):
    for _ in range(4):  # a few answers, right or wrong: some level other than "not started"
        _answer(api, world)
    teacher = api(world.tokens["teacher"])
    report = teacher.get(f"/api/v1/people/{world.student}/report").get_json()
    heatmap = teacher.get(f"/api/v1/classes/{world.class_a}/heatmap").get_json()
    row = next(s for s in heatmap["students"] if s["id"] == world.student)
    levels = {c["skill_id"]: c["level"] for c in row["cells"]}
    assert report["skills"]
    for skill in report["skills"]:
        assert skill["level"] == levels[skill["skill_id"]] != "not_started", skill
