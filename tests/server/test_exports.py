"""Exports for the district's systems: xAPI statements checked by a maintained validator of
the xAPI specification, pushed to an LRS that fails at first, and OneRoster 1.1 results."""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from server import db as database
from server.cli import main, opened
from server.interop import xapi
from server.models import AcademicSession, AuditEntry, Item, Person, XapiSent
from server.services import exports, learning, rollups

HOME = "https://hub.example.org"
_VALIDATE = """
const validate = require('@learninglocker/xapi-validation').default;
const statements = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const found = statements.map((s, i) => validate(s).map(w => ({i, path: w.path, name: w.name})));
process.stdout.write(JSON.stringify([].concat(...found)));
"""


def _validator() -> Path:
    folder = os.environ.get("BAOBAB_XAPI_VALIDATION")
    if not folder:
        pytest.fail("BAOBAB_XAPI_VALIDATION is not set: run the tests with scripts/test")
    return Path(folder)


def spec_warnings(statements: list[dict]) -> list[dict]:
    """What Learning Locker's xAPI validator says against each statement (empty: valid)."""
    done = subprocess.run(
        ["node", "-e", _VALIDATE], input=json.dumps(statements), capture_output=True,
        text=True, check=True, timeout=120, cwd=_validator(),
    )  # fmt: skip
    return json.loads(done.stdout)


def _work(db) -> list[Person]:
    students = list(Person.live().where(Person.role == "student").order_by(Person.id).limit(3))
    items = list(Item.live().where(Item.type == "choice").order_by(Item.id).limit(8))
    for student in students:
        for item in items:
            learning.record_answer(
                student, {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer,
                          "device_ms": 1_760_000_000_000},
            )  # fmt: skip
        learning.record_attempt(
            student, {"id": uuid.uuid4().hex, "activity_id": items[0].activity_id,
                      "started_ms": 1_760_000_000_000, "ended_ms": 1_760_000_060_000,
                      "completed": True},
        )  # fmt: skip
    rollups.refresh()
    return students


def test_validator_catches_a_statement_that_breaks_the_spec():
    """The validator is real: an actor with no identifier and a bad id are refused."""
    assert spec_warnings([{"id": "not-a-uuid", "actor": {}, "verb": {}, "object": {}}])


def test_xapi_statements_pass_the_spec_validator(db):
    _work(db)
    found = list(exports.statements(HOME))
    verbs = {s["verb"]["id"] for s in found}
    assert verbs == {xapi.VERBS["answered"], xapi.VERBS["completed"], xapi.VERBS["mastered"]}
    assert spec_warnings(found) == []
    answered = next(s for s in found if s["verb"]["id"] == xapi.VERBS["answered"])
    assert answered["result"]["success"] is True and answered["result"]["score"]["scaled"] == 1.0
    assert answered["context"]["contextActivities"]["grouping"]
    assert answered["actor"]["account"]["homePage"] == HOME


def test_xapi_never_names_a_child(db):
    """A statement carries an opaque id: never a child's name or username."""
    students = _work(db)
    found = list(exports.statements(HOME))
    # Content may name anyone ("Ama has 3 mangoes"): look at who and where, not at the item.
    about = json.dumps([[s["actor"], s["context"], s.get("result")] for s in found])
    assert {s["actor"]["account"]["name"] for s in found} == {p.id for p in students}
    for student in students:
        # A short name ("Nia") can sit inside a random id: look for it as a word of its own.
        name = re.escape(json.dumps(student.display_name)[1:-1])
        assert not re.search(rf"(?<![A-Za-z0-9_-]){name}(?![A-Za-z0-9_-])", about)
        if student.username:
            assert f'"{student.username}"' not in about
    assert all(set(s["actor"]) == {"objectType", "account"} for s in found)  # no name, no mbox


def test_resending_makes_no_duplicate_statement_ids(db):
    """Statement ids are UUIDv5 of the event, and a statement sent again is the same statement
    (an LRS answers 409 to one id with two contents): the same export twice is identical."""
    _work(db)
    assert list(exports.statements(HOME)) == list(exports.statements(HOME))
    first = [s["id"] for s in exports.statements(HOME)]
    assert len(set(first)) == len(first)
    assert all(uuid.UUID(i).version == 5 for i in first)


class _FakeLrs(BaseHTTPRequestHandler):
    failures = 0
    received: list[dict] = []
    auth: list[str] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).auth.append(self.headers.get("Authorization", ""))
        if type(self).failures > 0:
            type(self).failures -= 1
            self.send_response(503)
            self.end_headers()
            return
        assert self.headers["X-Experience-API-Version"] == "1.0.3"
        batch = json.loads(body)
        type(self).received.extend(batch)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps([s["id"] for s in batch]).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_lrs():
    _FakeLrs.failures, _FakeLrs.received, _FakeLrs.auth = 2, [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLrs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/xapi", _FakeLrs
    server.shutdown()
    server.server_close()
    thread.join()


def test_lrs_push_retries_and_never_sends_twice(db, fake_lrs):
    """An LRS failing at first still gets every statement once; a second push sends none."""
    endpoint, lrs = fake_lrs
    _work(db)
    waits = []
    done = exports.push_xapi(HOME, endpoint, "key", "secret", batch_size=1000, sleep=waits.append)
    expected = list(exports.statements(HOME))
    assert done == {"sent": len(expected), "skipped": 0}
    assert len(waits) == 2  # two failures, two waits, then it went through
    assert sorted(s["id"] for s in lrs.received) == sorted(s["id"] for s in expected)
    assert lrs.auth[-1].startswith("Basic ")
    assert XapiSent.select().where(XapiSent.sent_at.is_null(False)).count() == len(expected)
    again = exports.push_xapi(HOME, endpoint, "key", "secret", sleep=waits.append)
    assert again == {"sent": 0, "skipped": len(expected)}
    assert len(lrs.received) == len(expected)


def test_lrs_push_that_never_succeeds_is_recorded(db, fake_lrs):
    endpoint, lrs = fake_lrs
    lrs.failures = 100
    _work(db)
    with pytest.raises(exports.LrsError):
        exports.push_xapi(HOME, endpoint, "key", "secret", tries=3, sleep=lambda s: None)
    failed = XapiSent.select().where(XapiSent.sent_at.is_null(True))
    assert failed.count() > 0 and all(r.tries == 3 and r.last_error for r in failed)


def test_oneroster_results_have_the_spec_columns(db):
    students = _work(db)
    files = exports.oneroster_results()
    line_items = list(csv.reader(io.StringIO(files["lineItems.csv"])))
    results = list(csv.reader(io.StringIO(files["results.csv"])))
    # OneRoster 1.1 CSV binding, lineItems.csv and results.csv, in the spec's order.
    assert line_items[0] == [
        "sourcedId", "status", "dateLastModified", "title", "description", "assignDate",
        "dueDate", "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId",
        "resultValueMin", "resultValueMax",
    ]  # fmt: skip
    assert results[0] == [
        "sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId",
        "scoreStatus", "score", "scoreDate", "comment",
    ]  # fmt: skip
    assert len(results) - 1 >= len(students)
    line_ids = {row[0] for row in line_items[1:]}
    assert all(row[3] in line_ids and row[5] == "fully graded" for row in results[1:])
    assert all(float(row[6]) == 100.0 for row in results[1:])
    sessions = list(csv.reader(io.StringIO(files["academicSessions.csv"])))
    assert sessions[0] == [
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
        "parentSourcedId", "schoolYear",
    ]  # fmt: skip
    # Each line item names a grading period: an academic session of that type, holding
    # the days of its results, under a school year the file holds too.
    by_id = {row[0]: row for row in sessions[1:]}
    days = {row[3]: row[7] for row in results[1:]}
    for item in line_items[1:]:
        period = by_id[item[9]]
        assert period[4] == "gradingPeriod" and period[5] <= days[item[0]] <= period[6]
        assert by_id[period[7]][4] == "schoolYear" and len(period[8]) == 4
    assert all(row[1] == "active" and row[2].endswith("Z") for row in sessions[1:])
    manifest = dict(list(csv.reader(io.StringIO(files["manifest.csv"])))[1:])
    assert manifest["oneroster.version"] == "1.1"
    bulk = {k[len("file.") :] for k, v in manifest.items() if v == "bulk"}
    assert bulk == {"academicSessions", "categories", "lineItems", "results"}
    assert {f"{name}.csv" for name in bulk} | {"manifest.csv"} == set(files)


def test_line_items_prefer_the_imported_grading_periods(db):
    """Regression: gradingPeriodSourcedId was empty. A grading period the roster import
    brought is named by its own sourcedId; a day it does not hold gets one made."""
    _work(db)
    today = datetime.date.today()
    AcademicSession.create(
        sourced_id="sis-year", title="This year", type="schoolYear",
        start_date=(today - datetime.timedelta(300)).isoformat(),
        end_date=(today + datetime.timedelta(300)).isoformat(), school_year=str(today.year),
    )  # fmt: skip
    AcademicSession.create(
        sourced_id="sis-gp-old", title="Long ago", type="gradingPeriod",
        start_date="2001-01-01", end_date="2001-06-30", parent_sourced_id="sis-year",
    )  # fmt: skip
    files = exports.oneroster_results()
    line_items = list(csv.reader(io.StringIO(files["lineItems.csv"])))[1:]
    sessions = {r[0]: r for r in list(csv.reader(io.StringIO(files["academicSessions.csv"])))[1:]}
    made = {item[9] for item in line_items}
    assert len(made) == 1 and made != {"sis-gp-old"}  # it does not hold today: one is made
    assert sessions[made.pop()][7] == "sis-year"  # under the imported school year
    assert {"sis-year", "sis-gp-old"} <= set(sessions)
    AcademicSession.create(
        sourced_id="sis-gp-now", title="This term", type="gradingPeriod",
        start_date=(today - datetime.timedelta(30)).isoformat(),
        end_date=(today + datetime.timedelta(30)).isoformat(), parent_sourced_id="sis-year",
    )  # fmt: skip
    files = exports.oneroster_results()
    line_items = list(csv.reader(io.StringIO(files["lineItems.csv"])))[1:]
    assert {item[9] for item in line_items} == {"sis-gp-now"}
    sessions = list(csv.reader(io.StringIO(files["academicSessions.csv"])))[1:]
    assert sorted(r[0] for r in sessions) == ["sis-gp-now", "sis-gp-old", "sis-year"]


def test_cli_exports_write_files_and_the_audit_log(tmp_path):
    """`baobab export-xapi FILE --since` and `baobab export-results DIR`, each audited."""
    data = str(tmp_path / "data")

    def run(*args):
        result = CliRunner().invoke(main, [*args, "--data-dir", data], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("demo")
    with opened(data):
        _work(None)
    database.close_all()
    out = tmp_path / "statements.json"
    assert "statements" in run("export-xapi", str(out), "--since", "2000-01-01")
    statements = json.loads(out.read_text())
    assert statements and spec_warnings(statements) == []
    run("export-xapi", str(out), "--since", "2999-01-01")  # no event since: mastery only
    assert all(s["verb"]["id"] == xapi.VERBS["mastered"] for s in json.loads(out.read_text()))
    run("export-results", str(tmp_path / "sis"))
    assert (tmp_path / "sis" / "results.csv").read_text().startswith('"sourcedId"')
    assert "folded 0 events" in run("refresh-rollups")
    with opened(data):
        assert [e.action for e in AuditEntry.select().order_by(AuditEntry.id)] == [
            "export-xapi", "export-xapi", "export-results",
        ]  # fmt: skip
    database.close_all()
