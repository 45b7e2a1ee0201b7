"""Roster import: a simple CSV and OneRoster 1.1 bundles, previewed, reported row by
row when bad (and then nothing changes), and imported again without duplicates."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server import db as database
from server.auth.passwords import verify_picture_password
from server.cli import main
from server.models import AcademicSession, Classroom, Enrollment, Person
from tests.helpers.roster_bundles import (
    CLASSES,
    ENROLLMENTS,
    MANIFEST,
    SESSIONS,
    SIMPLE,
    USERS,
    bundle,
    folder,
    zipped,
)

URL = "/api/v1/roster/imports"


def post(caller, data: bytes, dry_run: bool = False, name: str = "roster.zip"):
    query = f"?dry_run={'true' if dry_run else 'false'}&name={name}"
    return caller.post(URL + query, data=data, headers={"Content-Type": "application/octet-stream"})


def counts(app) -> dict[str, int]:
    """Live rows of each kind the import writes, and every row (tombstones too)."""
    with app.app_context(), database.db.connection_context():
        return {
            "classes": Classroom.select().count(),
            "people": Person.select().count(),
            "enrollments": Enrollment.select().count(),
            "live_enrollments": Enrollment.live().count(),
        }


def test_simple_csv_preview_then_import(app, world, api):
    admin = api(world.tokens["admin"])
    before = counts(app)
    preview = post(admin, SIMPLE.encode(), dry_run=True, name="roster.csv")
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["kind"] == "csv" and body["dry_run"] is True
    assert body["counts"]["classes"] == {
        "create": 1,
        "update": 0,
        "unchanged": 1,
        "add": 0,
        "remove": 0,
    }
    assert body["counts"]["students"]["create"] == 3
    assert body["counts"]["enrollments"]["add"] == 3
    assert counts(app) == before  # a preview changes nothing

    done = post(admin, SIMPLE.encode(), name="roster.csv")
    assert done.status_code == 200 and done.get_json()["dry_run"] is False
    with app.app_context(), database.db.connection_context():
        papaya = Classroom.get(Classroom.name == "Papaya class")
        acacia = Classroom.get_by_id(world.class_a)
        assert acacia.source_id == "csv:acacia class"  # the existing class, adopted
        yusuf = Person.get(Person.display_name == "Yusuf Bello")
        assert verify_picture_password(yusuf.picture_password_hash, ["sun", "goat", "drum"])
        assert (
            Enrollment.live()
            .where((Enrollment.person_id == yusuf.id) & (Enrollment.classroom_id == acacia.id))
            .exists()
        )
        kwame = Person.get(Person.display_name == "Kwame Asante")
        assert (
            Enrollment.live().where(Enrollment.person_id == kwame.id).get().classroom_id
            == papaya.id
        )
    # Again: nothing new.
    again = post(admin, SIMPLE.encode(), name="roster.csv").get_json()
    assert again["changes"] == []
    assert counts(app)["people"] == before["people"] + 3


def test_oneroster_zip_imports_classes_people_and_enrolments(app, world, api):
    admin = api(world.tokens["admin"])
    response = post(admin, zipped(bundle()))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["kind"] == "oneroster"
    assert body["counts"]["students"]["create"] == 3
    assert body["counts"]["teachers"]["create"] == 1
    assert body["ignored"] == {"users.csv: parent": 1, "demographics.csv": 1}
    with app.app_context(), database.db.connection_context():
        mango = Classroom.get(Classroom.source_id == "class-1")
        assert (mango.name, mango.grade) == ("Mango class", "01")
        teacher = Person.get(Person.source_id == "user-t1")
        assert (teacher.role, teacher.username, teacher.display_name) == (
            "teacher",
            "mbeki",
            "Thandi Mbeki",
        )
        assert (
            Enrollment.live()
            .where((Enrollment.person_id == teacher.id) & (Enrollment.role == "teacher"))
            .get()
            .classroom_id
            == mango.id
        )
        ada = Person.get(Person.source_id == "user-s1")
        assert verify_picture_password(ada.picture_password_hash, ["sun", "moon", "star"])
        assert Enrollment.live().where(Enrollment.classroom_id == mango.id).count() == 4


def test_reimport_updates_by_sourced_id_and_never_duplicates(app, world, api):
    admin = api(world.tokens["admin"])
    assert post(admin, zipped(bundle())).status_code == 200
    first = counts(app)
    with app.app_context(), database.db.connection_context():
        ids = {p.source_id: p.id for p in Person.select().where(Person.source_id.is_null(False))}
    renamed = bundle(
        users=USERS.replace("Bela,Tesfaye", "Bella,Tesfaye"),
        classes=CLASSES.replace("Mango class", "Mango class 2"),
    )
    preview = post(admin, zipped(renamed), dry_run=True).get_json()
    assert preview["counts"]["students"] == {
        "create": 0,
        "update": 1,
        "unchanged": 2,
        "add": 0,
        "remove": 0,
    }
    assert preview["counts"]["classes"]["update"] == 1
    assert post(admin, zipped(renamed)).status_code == 200
    assert counts(app) == first  # same rows, updated in place
    with app.app_context(), database.db.connection_context():
        assert Person.get_by_id(ids["user-s2"]).display_name == "Bella Tesfaye"
        assert Classroom.get(Classroom.source_id == "class-1").name == "Mango class 2"
    # A bundle that drops an enrolment (tobedeleted) takes the student out of the class.
    dropped = bundle(enrollments=ENROLLMENTS.replace("enr-4,,", "enr-4,tobedeleted,"))
    result = post(admin, zipped(dropped)).get_json()
    assert result["counts"]["enrollments"]["remove"] == 1
    assert counts(app)["live_enrollments"] == first["live_enrollments"] - 1


BAD_BUNDLES = {
    "no manifest": ({"manifest": None}, ("manifest.csv", 0, "")),
    "version 1.0": (
        {"manifest": MANIFEST.replace("oneroster.version,1.1", "oneroster.version,1.0")},
        ("manifest.csv", 3, "oneroster.version"),
    ),
    "missing column": (
        {"users": USERS.replace(",givenName,", ",firstName,")},
        ("users.csv", 1, "givenName"),
    ),
    "duplicate sourcedId": (
        {"users": USERS + "user-s1,,,true,org-1,student,,,Dup,Licate,,,,,,,01,\n"},
        ("users.csv", 7, "sourcedId"),
    ),
    "unknown course": (
        {"classes": CLASSES.replace("course-1", "course-9")},
        ("classes.csv", 2, "courseSourcedId"),
    ),
    "unknown user": (
        {"enrollments": ENROLLMENTS.replace("org-1,user-s3", "org-1,user-s9")},
        ("enrollments.csv", 5, "userSourcedId"),
    ),
    "bad role": ({"users": USERS.replace("org-1,parent", "org-1,pupil")}, ("users.csv", 6, "role")),
    "empty given name": (
        {"users": USERS.replace("Chike,Nwosu", ",Nwosu")},
        ("users.csv", 5, "givenName"),
    ),
    "enabledUser": (
        {"users": USERS.replace("user-s2,,,true", "user-s2,,,yes")},
        ("users.csv", 4, "enabledUser"),
    ),
    "role mismatch": (
        {"enrollments": ENROLLMENTS.replace("user-s3,student", "user-s3,teacher")},
        ("enrollments.csv", 5, "role"),
    ),
    "teacher username twice": (
        {"users": USERS + "user-t2,,,true,org-1,teacher,MBEKI,,Tom,Other,,,,,,,,\n"},
        ("users.csv", 7, "username"),
    ),
    "bad status": (
        {"classes": CLASSES.replace("class-1,,", "class-1,deleted,")},
        ("classes.csv", 2, "status"),
    ),
    "session of no OneRoster type": (
        {"academicSessions": SESSIONS.replace(",term,", ",quarter,")},
        ("academicSessions.csv", 2, "type"),
    ),
    "session date that is no date": (
        {"academicSessions": SESSIONS.replace("2026-04-01", "1 April 2026")},
        ("academicSessions.csv", 2, "endDate"),
    ),
    "session ending before it starts": (
        {"academicSessions": SESSIONS.replace("2026-04-01", "2025-04-01")},
        ("academicSessions.csv", 2, "endDate"),
    ),
}

GRADING = SESSIONS + "gp-1,,,Term 1 marks,gradingPeriod,2026-01-10,2026-04-01,term-1,2026\n"


def test_oneroster_import_keeps_its_academic_sessions_for_the_results_export(app, world, api):
    """Regression: the sessions were checked and dropped, so the results export could not
    refer line items to the district's own grading periods."""
    admin = api(world.tokens["admin"])
    assert post(admin, zipped(bundle(academicSessions=GRADING)), dry_run=True).status_code == 200
    with app.app_context(), database.db.connection_context():
        assert AcademicSession.select().count() == 0  # a dry run keeps nothing
    assert post(admin, zipped(bundle(academicSessions=GRADING))).status_code == 200
    assert post(admin, zipped(bundle(academicSessions=GRADING))).status_code == 200  # again
    with app.app_context(), database.db.connection_context():
        kept = {s.sourced_id: s for s in AcademicSession.select()}
        assert sorted(kept) == ["gp-1", "term-1"]
        assert (kept["gp-1"].type, kept["gp-1"].parent_sourced_id) == ("gradingPeriod", "term-1")
    gone = GRADING.replace("gp-1,,", "gp-1,tobedeleted,")
    assert post(admin, zipped(bundle(academicSessions=gone))).status_code == 200
    with app.app_context(), database.db.connection_context():
        assert [s.sourced_id for s in AcademicSession.select()] == ["term-1"]


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_bad_oneroster_row_is_reported_and_nothing_imported(app, world, api, case):
    changes, (file, line, field) = BAD_BUNDLES[case]
    files = {k: v for k, v in bundle(**{k: v for k, v in changes.items() if v}).items()}
    for name, text in changes.items():
        if text is None:
            files.pop(f"{name}.csv")
    admin = api(world.tokens["admin"])
    before = counts(app)
    for dry_run in (True, False):
        response = post(admin, zipped(files), dry_run=dry_run)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and "nothing was imported" in error["message"]
        problems = error["details"]["problems"]
        assert any(
            (p["file"], p["line"], p["field"]) == (file, line, field) and p["problem"]
            for p in problems
        ), problems
    assert counts(app) == before


def test_one_bad_row_among_good_ones_imports_nothing(app, world, api):
    """A bundle with one bad user must not import the good ones (all or nothing)."""
    files = bundle(users=USERS.replace("Chike,Nwosu", ",Nwosu"))
    before = counts(app)
    response = post(api(world.tokens["admin"]), zipped(files))
    assert response.status_code == 422
    assert counts(app) == before


BAD_CSV = {
    "no class column": ("given_name,family_name\nA,B\n", ("roster.csv", 1, "class")),
    "empty family name": (
        "class,given_name,family_name\nAcacia class,Ama,\n",
        ("roster.csv", 2, "family_name"),
    ),
    "bad pictures": (
        "class,given_name,family_name,picture_password\nAcacia class,Ama,Owusu,sun sun car\n",
        ("roster.csv", 2, "picture_password"),
    ),
    "duplicate username": (
        "class,given_name,family_name,username\nA,Ama,Owusu,ama\nA,Ama,Other,AMA\n",
        ("roster.csv", 3, "username"),
    ),
    "extra values": ("class,given_name,family_name\nA,Ama,Owusu,extra\n", ("roster.csv", 2, "")),
    "same student twice": (
        "class,given_name,family_name\nA,Ama,Owusu\nA,Ama,Owusu\n",
        ("roster.csv", 3, "given_name"),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_bad_csv_row_is_reported_and_nothing_imported(app, world, api, case):
    text, (file, line, field) = BAD_CSV[case]
    before = counts(app)
    response = post(api(world.tokens["admin"]), text.encode(), name="roster.csv")
    assert response.status_code == 422
    problems = response.get_json()["error"]["details"]["problems"]
    assert any((p["file"], p["line"], p["field"]) == (file, line, field) for p in problems), (
        problems
    )
    assert counts(app) == before


def test_not_utf8_or_not_a_zip_is_a_422_not_a_500(app, world, api):
    admin = api(world.tokens["admin"])
    assert post(admin, b"\xff\xfe\x00bad", name="roster.csv").status_code == 422
    assert post(admin, b"PK\x03\x04broken").status_code == 422


def test_teacher_cannot_import_a_roster(app, world, api):
    """Only an admin changes the school's roster; a teacher's import is refused."""
    before = counts(app)
    response = post(api(world.tokens["teacher"]), zipped(bundle()))
    assert response.status_code == 403
    assert counts(app) == before


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    database.close_all()
    return result


def test_cli_import_roster_dry_run_then_import_then_bad(tmp_path):
    data = str(tmp_path / "node")
    assert run("demo", "--data-dir", data).exit_code == 0
    source = folder(bundle(), tmp_path / "bundle")
    preview = run("import-roster", str(source), "--dry-run", "--data-dir", data)
    assert preview.exit_code == 0, preview.output
    assert "preview (nothing changed)" in preview.output
    assert "students: 3 to create" in preview.output
    done = run("import-roster", str(source), "--data-dir", data)
    assert done.exit_code == 0 and "students: 3 created" in done.output
    again = run("import-roster", str(source), "--data-dir", data)
    assert "students: 3 unchanged" in again.output
    bad = folder(bundle(users=USERS.replace("Chike,Nwosu", ",Nwosu")), tmp_path / "bad")
    refused = run("import-roster", str(bad), "--data-dir", data)
    assert refused.exit_code == 1
    assert "nothing was imported" in refused.output
    assert "users.csv:5 givenName: Empty" in refused.output


def test_the_example_file_the_import_screen_offers_reads_without_a_problem(app, client, world, api):
    with client.get("/static/roster-example.csv") as served:
        assert served.status_code == 200 and served.mimetype == "text/csv"
        example = served.data
    preview = post(api(world.tokens["admin"]), example, dry_run=True, name="roster-example.csv")
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["kind"] == "csv" and sum(body["counts"]["students"].values()) == 4
