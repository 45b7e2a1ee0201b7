"""The district's views on the hub, on SQLite and PostgreSQL: who sees which school, the
rollups counting each event once, and the audit log of exports and of a child's record."""

from __future__ import annotations

import re
import uuid

import pytest

from server import create_app
from server import db as database
from server.auth import signin
from server.auth.passwords import verify_password
from server.cli import prepare
from server.models import Answer, AuditEntry, Item, Peer, Person, Reflection, RowHistory, School
from server.replication import peers
from server.services import demo, learning, rollups
from sync.auth import pairing_proof
from tests.conftest import BASE_CONFIG, Api
from tests.helpers import rollup_check
from tests.helpers.schools import hill_school_admin


def _answer(student: Person, item: Item) -> None:
    body = {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer, "device_ms": 1}
    learning.record_answer(student, body)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request, tmp_path):
    """A hub holding the demo school (the district office) and Hill school, with work."""
    config = {**BASE_CONFIG, "DATA_DIR": str(tmp_path), "ROLE": "hub"}
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres")
        config["DATABASE_URL"] = cluster.create_database(f"d{uuid.uuid4().hex[:8]}")
    app = create_app(config)
    prepare(app)
    with app.app_context(), database.db.connection_context():
        demo.seed_demo(str(tmp_path))
    hill = hill_school_admin(app)
    with app.app_context(), database.db.connection_context():
        office = Person.get(Person.username == "teacher").school_id
        app.config["DISTRICT_SCHOOL"] = office
        items = list(Item.live().where(Item.type == "choice").order_by(Item.id).limit(3))
        for student in Person.live().where(Person.role == "student").limit(4):
            for item in items:
                _answer(student, item)
        rollups.refresh()
        people = {
            "district": Person.get((Person.username == "admin") & (Person.school_id == office)),
            "hill": Person.get_by_id(hill.id),
            "teacher": Person.get(Person.username == "teacher"),
        }
        tokens = {k: signin.issue_token(p, "tests") for k, p in people.items()}
        peer = Peer.create(node_id="office-node-0001", public_key="ab" * 32, school_id=office)
        student = Person.live().where(Person.role == "student").first()
    yield app, office, hill.school_id, tokens, peer.id, student.id
    database.close_all()


def _as(app, tokens, who):
    return Api(app.test_client(), tokens[who])


def test_district_admin_sees_every_school_and_totals_match_the_events(hub):
    app, office, hill, tokens, _, _ = hub
    reply = _as(app, tokens, "district").get("/api/v1/district/dashboard")
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    with app.app_context(), database.db.connection_context():
        answers = Answer.select().count()
    assert body["level"] == "district" and body["totals"]["answers"] == answers == 12
    assert {c["id"] for c in body["children"]} == {office, hill}
    assert sum(c["answers"] for c in body["children"]) == answers
    assert sum(d["students"] for d in body["active_per_day"]) == 4
    school = _as(app, tokens, "district").get(f"/api/v1/district/dashboard?school={office}")
    classes = school.get_json()["children"]
    klass = _as(app, tokens, "district").get(f"/api/v1/district/dashboard?class={classes[0]['id']}")
    assert klass.get_json()["level"] == "class"


def test_refolding_counts_no_event_twice(hub):
    """The mark per origin stops a second fold (or a replayed chunk) counting again."""
    app, _, _, tokens, _, student_id = hub
    with app.app_context(), database.db.connection_context():
        assert rollups.refresh() == 0
        _answer(Person.get_by_id(student_id), Item.live().where(Item.type == "choice").first())
        assert rollups.refresh() == 1
    body = _as(app, tokens, "district").get("/api/v1/district/dashboard").get_json()
    assert body["totals"]["answers"] == 13


def test_rollups_written_in_batches_equal_the_rollups_recomputed_from_the_events(hub):
    """The fold writes each table in multi-row statements: every rollup row (students per
    day counted once, skills, mastery, content) is still the one the events imply."""
    app, _, _, _, _, student_id = hub
    with app.app_context(), database.db.connection_context():
        student = Person.get_by_id(student_id)
        for item in Item.live().where(Item.type == "choice").order_by(Item.id).limit(5):
            _answer(student, item)
        rollups.refresh()
        want, have = rollup_check.expected(), rollup_check.held()
    assert have["rollup_active"] and have["rollup_skill"] and have["rollup_mastery"]
    assert rollup_check.differences(want, have) == []


_EVENT_TABLES = re.compile(r'(FROM|JOIN|UPDATE|INTO)\s+"?(answer|attempt)"?(\s|$)', re.I)


def test_no_dashboard_page_reads_the_event_tables(hub, monkeypatch):
    """Every page of the admin app's dashboard (each level, sync health, schools, audit,
    codes) is fed from the rollups and small tables: a statement reading the answers or
    attempts would grow with the events (minutes per view at 100 million)."""
    app, office, hill, tokens, _, _ = hub
    seen: list[str] = []
    target = database.db.obj
    original = target.execute_sql

    def traced(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(target, "execute_sql", traced)
    api = _as(app, tokens, "district")
    classes = api.get(f"/api/v1/district/dashboard?school={office}").get_json()["children"]
    assert classes
    pages = [
        "/api/v1/district/dashboard",
        f"/api/v1/district/dashboard?school={office}",
        f"/api/v1/district/dashboard?school={hill}",
        *(f"/api/v1/district/dashboard?class={c['id']}" for c in classes),
        "/api/v1/district/nodes",
        "/api/v1/district/schools",
        "/api/v1/district/audit?per_page=100",
        "/api/v1/district/enrolment-codes",
    ]
    for url in pages:
        seen.clear()
        reply = api.get(url)
        assert reply.status_code == 200, (url, reply.get_json())
        assert seen, url  # the trace sees this page's statements
        assert [sql for sql in seen if _EVENT_TABLES.search(sql)] == [], url


def test_sync_health_reads_each_vector_once_not_once_per_node(hub, monkeypatch):
    """The sync-health page (``/district/nodes``) read the hub's vectors again for every
    node (seven statements a node): a district of many nodes waited on hundreds of
    statements. Nodes of one school share its vector and every node the district's."""
    app, office, _, tokens, _, _ = hub
    seen: list[str] = []
    target = database.db.obj
    original = target.execute_sql

    def traced(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    def listed() -> int:
        seen.clear()
        reply = _as(app, tokens, "district").get("/api/v1/district/nodes")
        assert reply.status_code == 200, reply.get_json()
        return len([sql for sql in seen if "sync_vector" in sql])

    monkeypatch.setattr(target, "execute_sql", traced)
    one = listed()
    with app.app_context(), database.db.connection_context():
        for n in range(5):
            Peer.create(node_id=f"office-node-100{n}", public_key="cd" * 32, school_id=office)
    assert listed() == one  # the office's and the district's vectors, read once each


def test_school_admin_cannot_see_another_schools_data(hub):
    app, office, hill, tokens, peer_id, student_id = hub
    caller = _as(app, tokens, "hill")
    assert caller.get("/api/v1/district/dashboard").status_code == 403
    assert caller.get(f"/api/v1/district/dashboard?school={office}").status_code == 403
    own = caller.get(f"/api/v1/district/dashboard?school={hill}").get_json()
    assert own["totals"]["answers"] == 0
    assert [s["id"] for s in caller.get("/api/v1/district/schools").get_json()] == [hill]
    assert caller.get("/api/v1/district/nodes").get_json() == []
    assert caller.get(f"/api/v1/district/students/{student_id}").status_code == 403
    assert caller.post(f"/api/v1/district/students/{student_id}/erase").status_code == 403
    statements = caller.get("/api/v1/district/exports/xapi").get_json()
    assert statements == []  # only their own school's, which has no work
    assert caller.get(f"/api/v1/district/exports/xapi?school={office}").status_code == 403


def test_school_admin_cannot_revoke_another_schools_node(hub):
    app, _, _, tokens, peer_id, _ = hub
    assert (
        _as(app, tokens, "hill").post(f"/api/v1/district/nodes/{peer_id}/revoke").status_code == 403
    )
    with app.app_context(), database.db.connection_context():
        assert Peer.get_by_id(peer_id).revoked is False
    done = _as(app, tokens, "district").post(f"/api/v1/district/nodes/{peer_id}/revoke")
    assert done.status_code == 200 and done.get_json()["revoked"] is True


def test_teacher_sees_no_district_view(hub):
    app, office, _, tokens, _, _ = hub
    caller = _as(app, tokens, "teacher")
    assert caller.get(f"/api/v1/district/dashboard?school={office}").status_code == 403
    assert caller.get("/api/v1/district/exports/xapi").status_code == 403


def test_every_export_and_every_view_of_a_child_is_audited(hub):
    app, office, _, tokens, _, student_id = hub
    caller = _as(app, tokens, "district")
    assert caller.get(f"/api/v1/district/students/{student_id}").status_code == 200
    assert caller.get("/api/v1/district/exports/xapi").status_code == 200
    zipped = caller.get("/api/v1/district/exports/results.zip")
    assert zipped.status_code == 200 and zipped.data[:2] == b"PK"
    csv = caller.get("/api/v1/district/exports/dashboard.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    log = caller.get("/api/v1/district/audit").get_json()
    actions = [e["action"] for e in log["items"]]
    assert actions == ["export-dashboard", "export-results", "export-xapi", "view-student"]
    assert log["items"][-1]["subject_id"] == student_id
    # A school's admin reads only their school's entries.
    assert _as(app, tokens, "hill").get("/api/v1/district/audit").get_json()["items"] == []
    with app.app_context(), database.db.connection_context():
        assert AuditEntry.select().count() == 4


def test_a_node_enrolling_at_the_hub_is_in_the_audit_log(hub):
    """A district admin sees which node enrolled, for which school, with whose code."""
    app, office, hill_school, tokens, _, _ = hub
    district, hill = _as(app, tokens, "district"), _as(app, tokens, "hill")
    code = district.post("/api/v1/district/enrolment-codes").get_json()["code"]
    key = "cd" * 32
    with app.app_context(), database.db.connection_context():
        peers.accept_pairing(
            {"code": code, "public_key": key, "node_id": "hill-node-0001", "role": "node",
             "school_id": hill_school, "proof": pairing_proof(code, key, "hill-node-0001")},
            app.config["DATA_DIR"], role="hub",
        )  # fmt: skip
    entries = district.get("/api/v1/district/audit").get_json()["items"]
    assert [e["action"] for e in entries] == ["node-enrolled", "enrolment-code"]
    enrolled = entries[0]
    assert (enrolled["school_id"], enrolled["subject_id"]) == (hill_school, "hill-node-0001")
    assert enrolled["actor_id"] == entries[1]["actor_id"]  # whoever made the code
    assert "Hill" in enrolled["detail"] and "accounts" in enrolled["detail"]
    # The school's own admin sees their node's enrolment, not the district's code.
    assert [e["action"] for e in hill.get("/api/v1/district/audit").get_json()["items"]] == [
        "node-enrolled"
    ]


def test_erasing_a_student_blanks_them_and_keeps_their_work_anonymous(hub):
    app, _, _, tokens, _, student_id = hub
    words = "My grandmother is in hospital"
    with app.app_context(), database.db.connection_context():
        student = Person.get_by_id(student_id)
        before = student.display_name
        answers = Answer.select().where(Answer.person_id == student_id).count()
        learning.record_reflection(
            student, {"id": uuid.uuid4().hex, "confidence": 2, "text": words, "device_ms": 1}
        )
    done = _as(app, tokens, "district").post(f"/api/v1/district/students/{student_id}/erase")
    assert done.status_code == 200
    record = done.get_json()
    assert record["erased"] and record["display_name"] != before and record["username"] is None
    assert record["answers"] == answers
    with app.app_context(), database.db.connection_context():
        kept = [r.data for r in RowHistory.select().where(RowHistory.row_id == student_id)]
        # What they wrote goes too, on PostgreSQL as on SQLite; the reflection row stays.
        texts = [r.text for r in Reflection.select().where(Reflection.person_id == student_id)]
    assert kept == []
    assert texts == [""]


def test_a_district_admin_starts_a_school_with_its_admin_and_an_enrolment_code(hub):
    """The hub's part of starting a school, from the admin app: the school, its first
    admin, a code its node enrols with; each in the audit log, each refused to others."""
    app, _, _, tokens, _, _ = hub
    district = _as(app, tokens, "district")
    # The admin app offers it to district admins only: /auth/me says who is one.
    assert district.get("/api/v1/auth/me").get_json()["district_admin"] is True
    assert _as(app, tokens, "hill").get("/api/v1/auth/me").get_json()["district_admin"] is False
    started = district.post(
        "/api/v1/district/schools",
        json={"name": "River School", "code": "RIVER", "languages": ["fr"]},
    )
    assert started.status_code == 201, started.get_json()
    river = started.get_json()
    assert (river["name"], river["code"], river["languages"]) == ("River School", "RIVER", ["fr"])
    assert (river["students"], river["classes"], river["nodes"], river["admins"]) == (0, 0, 0, [])
    assert river["id"] in {s["id"] for s in district.get("/api/v1/district/schools").get_json()}
    # Its first admin: they belong to the new school, and sign in with the password given.
    made = district.post(
        f"/api/v1/district/schools/{river['id']}/admins",
        json={"display_name": "Ada Admin", "username": "ada", "password": "river-pass-1"},
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["school_id"] == river["id"]
    with app.app_context(), database.db.connection_context():
        ada = Person.get_by_id(made.get_json()["id"])
        assert (ada.role, ada.school_id, ada.language) == ("admin", river["id"], "fr")
        assert verify_password(ada.password_hash, "river-pass-1")
    [row] = [
        s for s in district.get("/api/v1/district/schools").get_json() if s["id"] == river["id"]
    ]
    assert row["admins"] == [{"display_name": "Ada Admin", "username": "ada"}]
    # A code for that school: the node that enrols with it joins River School.
    code = district.post("/api/v1/district/enrolment-codes", json={"school_id": river["id"]})
    assert code.status_code == 201 and code.get_json()["school_id"] == river["id"]
    entries = district.get("/api/v1/district/audit").get_json()["items"]
    assert [e["action"] for e in entries[:3]] == ["enrolment-code", "create-admin", "create-school"]
    assert all(e["school_id"] == river["id"] for e in entries[:3])
    assert "River School" in entries[0]["detail"]
    with app.app_context(), database.db.connection_context():
        key = "ef" * 32
        peers.accept_pairing(
            {"code": code.get_json()["code"], "public_key": key, "node_id": "river-node-0001",
             "role": "node", "proof": pairing_proof(code.get_json()["code"], key, "river-node-0001")},
            app.config["DATA_DIR"], role="hub",
        )  # fmt: skip
        assert Peer.get(Peer.node_id == "river-node-0001").school_id == river["id"]


def test_starting_a_school_refuses_what_it_cannot_do_and_changes_nothing(hub):
    app, _, hill, tokens, _, _ = hub
    district, school_admin = _as(app, tokens, "district"), _as(app, tokens, "hill")
    before = district.get("/api/v1/district/schools").get_json()

    def refused(api, path, body, status, words):
        reply = api.post(path, json=body)
        assert reply.status_code == status, (path, body, reply.get_json())
        assert words in reply.get_json()["error"]["message"], reply.get_json()

    refused(
        district,
        "/api/v1/district/schools",
        {"name": "Hill two", "code": "hill"},
        409,
        "already held",
    )
    refused(district, "/api/v1/district/schools", {"name": ""}, 422, "")
    refused(
        district,
        "/api/v1/district/schools",
        {"name": "X", "languages": ["not a language"]},
        422,
        "",
    )
    refused(school_admin, "/api/v1/district/schools", {"name": "Mine"}, 403, "district admins")
    refused(
        district,
        "/api/v1/district/schools/nowhere/admins",
        {"display_name": "A", "username": "a-nowhere", "password": "long-enough-1"},
        404,
        "no such school",
    )
    refused(
        district,
        f"/api/v1/district/schools/{hill}/admins",
        {"display_name": "A", "username": "admin", "password": "long-enough-1"},
        409,
        "taken",
    )
    refused(
        district,
        f"/api/v1/district/schools/{hill}/admins",
        {"display_name": "A", "username": "a-short", "password": "short"},
        422,
        "",
    )
    refused(
        school_admin,
        f"/api/v1/district/schools/{hill}/admins",
        {"display_name": "A", "username": "a-hill", "password": "long-enough-1"},
        403,
        "district admins",
    )
    refused(
        district,
        "/api/v1/district/enrolment-codes",
        {"school_id": "nowhere"},
        404,
        "no such school",
    )
    refused(district, "/api/v1/district/enrolment-codes", {"school_id": 7}, 422, "")
    # The body may be left out (a code for any school), not sent as something else.
    odd = district.post(
        "/api/v1/district/enrolment-codes", data="school", content_type="text/plain"
    )
    assert odd.status_code == 415, odd.get_json()
    # A node is not a hub: it serves its own school and holds no other.
    app.config["ROLE"] = "node"
    try:
        refused(
            district,
            "/api/v1/district/schools",
            {"name": "On a node"},
            409,
            "Only the district hub",
        )
    finally:
        app.config["ROLE"] = "hub"
    assert district.get("/api/v1/district/schools").get_json() == before
    assert district.get("/api/v1/district/enrolment-codes").get_json() == []
    assert [e["action"] for e in district.get("/api/v1/district/audit").get_json()["items"]] == []


def test_finding_a_student_by_name_sees_only_the_schools_the_admin_sees(hub):
    app, office, hill, tokens, _, _ = hub
    district, hill_admin = _as(app, tokens, "district"), _as(app, tokens, "hill")
    with app.app_context(), database.db.connection_context():
        students = list(Person.live().where(Person.role == "student").order_by(Person.display_name))
        someone = students[0]
        Person.update(display_name="Zoë 100%_done\\").where(Person.id == students[1].id).execute()
    part = someone.display_name[1:4].upper()  # any case, inside the name
    found = district.get(f"/api/v1/district/students?q={part}")
    assert found.status_code == 200, found.get_json()
    assert someone.id in [f["id"] for f in found.get_json()]
    row = next(f for f in found.get_json() if f["id"] == someone.id)
    with app.app_context(), database.db.connection_context():
        office_name = School.get_by_id(office).name
    assert (row["school_id"], row["school_name"]) == (office, office_name)
    assert row["classes"] and all(isinstance(c, str) for c in row["classes"])
    # Wildcards are letters: "%" finds the one name holding it, not every name.
    assert [
        f["display_name"] for f in district.get("/api/v1/district/students?q=%25_").get_json()
    ] == ["Zoë 100%_done\\"]
    assert (
        district.get("/api/v1/district/students?q=_d")
        .get_json()[0]["display_name"]
        .startswith("Zoë")
    )
    assert [f["id"] for f in district.get("/api/v1/district/students?q=done%5C").get_json()] == [
        students[1].id
    ]
    # Hill's admin sees no office student, and may not ask for the office's.
    assert hill_admin.get(f"/api/v1/district/students?q={part}").get_json() == []
    assert hill_admin.get(f"/api/v1/district/students?q=a&school={office}").status_code == 403
    assert district.get("/api/v1/district/students?q=").status_code == 422
    assert len(district.get("/api/v1/district/students?q=a").get_json()) <= 50
    # An erased student has no name left to find.
    erased = district.post(f"/api/v1/district/students/{someone.id}/erase")
    assert erased.status_code == 200, erased.get_json()
    assert someone.id not in [
        f["id"] for f in district.get(f"/api/v1/district/students?q={part}").get_json()
    ]


def test_a_students_record_names_their_school_classes_and_skills(hub):
    app, office, _, tokens, _, _ = hub
    district = _as(app, tokens, "district")
    with app.app_context(), database.db.connection_context():
        student = Person.get_by_id(Answer.select(Answer.person_id).first().person_id)
    record = district.get(f"/api/v1/district/students/{student.id}").get_json()
    assert record["school_id"] == office and record["school_name"]
    assert len(record["class_names"]) == len(record["classes"]) >= 1
    assert record["skills"] and all(
        s["title"] and s["title"] != s["skill_id"] for s in record["skills"]
    )
