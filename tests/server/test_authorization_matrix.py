"""Every API endpoint × every kind of caller: who is let in and who is not.

The table below must name every endpoint of the app; adding an endpoint
without deciding its rule here fails ``test_every_endpoint_is_in_the_matrix``.
Requests act on the student's own things (their class, their work), so
"another student" and "a teacher of another class" must be refused.

The things the paths name (a group, an assignment, a photo, ...) are made once per
module in a copy of the template school, and one app serves every row (building an
app costs more than a row). Rows write (they delete people, revoke their own
token), so after a row that changed any file of the app's data folder the folder
is put back to that school; and each row gets a fresh database object (no cache
outlives its row). Each row starts from the same school, as with the ``app``
fixture.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

from server import create_app
from server import db as database
from server.api.learning import WORK_SCHEMAS
from server.api.schemas.library import AuthoredActivitySchema
from server.models import Activity, Asset, Classroom, Peer, Person, Skill
from server.paths import SAMPLE_PACK_DIR
from server.services import authoring, groups, learning, people, photos, unclaimed
from tests.conftest import BASE_CONFIG, Api
from tests.helpers.images import png

PRINCIPALS = ("anonymous", "student", "other_student", "teacher", "other_teacher", "admin")
EVERYONE = set(PRINCIPALS)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = {"teacher", "other_teacher", "admin"}


def _id() -> str:
    return uuid.uuid4().hex


def _unclaimed(w) -> dict:
    """A reflection a tablet did under an unchecked sign-in in the student's name."""
    made = _id()
    body = {"id": made, "confidence": 2, "device_ms": 5}
    return {
        "id": made,
        "batch": "sitting-1",
        "kind": "reflection",
        "body": body,
        "named_id": w.student,
        "made_ms": 5,
    }


def _first_skill() -> str:
    """The first skill of the sample pack, by id (every test school holds it)."""
    manifest = json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text())
    return min(f"{manifest['id']}:{s['id']}" for s in manifest["skills"])


# Ids _fixtures makes that a body (not a path) names.
MADE: dict[str, str] = {}

# endpoint -> (method, path template, body factory or None, principals allowed)
MATRIX = {
    "auth.login": ("POST", "/api/v1/auth/login", lambda w: {"username": "teacher", "password": "baobab-teacher"}, EVERYONE),
    "auth.student_login": ("POST", "/api/v1/auth/student-login", lambda w: {"student_id": w.student, "pictures": ["sun", "goat", "drum"]}, EVERYONE),
    "auth.logout": ("POST", "/api/v1/auth/logout", None, SIGNED_IN),
    "auth.logout_everywhere": ("POST", "/api/v1/auth/logout-everywhere", None, SIGNED_IN),
    "auth.me": ("GET", "/api/v1/auth/me", None, SIGNED_IN),
    "auth.create_token": ("POST", "/api/v1/auth/tokens", lambda w: {"username": "teacher", "password": "baobab-teacher"}, EVERYONE),
    "auth.revoke_token": ("DELETE", "/api/v1/auth/tokens/current", None, SIGNED_IN),
    "auth.signin_classes": ("GET", "/api/v1/signin/classes", None, EVERYONE),
    "auth.signin_students": ("GET", "/api/v1/signin/classes/{class_a}/students", None, EVERYONE),
    "auth.signin_pictures": ("GET", "/api/v1/signin/pictures", None, EVERYONE),
    "school.get_school": ("GET", "/api/v1/school", None, SIGNED_IN),
    "school.patch_school": ("PATCH", "/api/v1/school", lambda w: {"name": "Renamed"}, {"admin"}),
    "school.list_classes": ("GET", "/api/v1/classes", None, SIGNED_IN),
    "school.create_class": ("POST", "/api/v1/classes", lambda w: {"name": "New class"}, {"admin"}),
    "school.get_class": ("GET", "/api/v1/classes/{class_a}", None, {"student", "other_student", "teacher", "admin"}),
    "school.patch_class": ("PATCH", "/api/v1/classes/{class_a}", lambda w: {"grade": "G1"}, {"teacher", "admin"}),
    "school.class_students": ("GET", "/api/v1/classes/{class_a}/students", None, {"teacher", "admin"}),
    "school.enrol": ("POST", "/api/v1/classes/{class_a}/enrollments", lambda w: {"person_id": w.student_c}, {"admin"}),  # not the teacher's student
    "school.sign_in_cards": ("POST", "/api/v1/classes/{class_a}/sign-in-cards", lambda w: {"renew": "missing"}, {"teacher", "admin"}),
    "school.unenrol": ("DELETE", "/api/v1/classes/{class_a}/enrollments/{other_student}", None, {"teacher", "admin"}),
    "school.list_groups": ("GET", "/api/v1/classes/{class_a}/groups", None, {"teacher", "admin"}),
    "school.create_group": ("POST", "/api/v1/classes/{class_a}/groups", lambda w: {"name": "Readers", "member_ids": [w.student]}, {"teacher", "admin"}),
    "school.patch_group": ("PATCH", "/api/v1/groups/{group}", lambda w: {"name": "Renamed", "member_ids": [w.student, w.other_student]}, {"teacher", "admin"}),
    "school.delete_group": ("DELETE", "/api/v1/groups/{group}", None, {"teacher", "admin"}),
    "school.list_people": ("GET", "/api/v1/people", None, STAFF),
    "school.create_person": ("POST", "/api/v1/people", lambda w: {"role": "student", "display_name": "New Kid", "classroom_id": w.class_a}, {"teacher", "admin"}),
    "school.get_person": ("GET", "/api/v1/people/{student}", None, {"student", "teacher", "admin"}),
    "school.patch_person": ("PATCH", "/api/v1/people/{student}", lambda w: {"display_name": "Amina B."}, {"teacher", "admin"}),
    "school.move_person": ("POST", "/api/v1/people/{student}/move", lambda w: {"classroom_id": w.class_a}, {"teacher", "admin"}),
    "school.unarchive_person": ("POST", "/api/v1/people/{archived}/unarchive", lambda w: {"classroom_id": w.class_a}, {"teacher", "admin"}),
    "school.sign_out_person": ("POST", "/api/v1/people/{student}/sign-out", None, {"admin"}),
    "school.delete_person": ("DELETE", "/api/v1/people/{student}", None, {"admin"}),
    "school.get_profile": ("GET", "/api/v1/people/{student}/profile", None, {"student", "teacher", "admin"}),
    "school.patch_profile": ("PATCH", "/api/v1/people/{student}/profile", lambda w: {"interests": ["football"]}, {"student", "teacher", "admin"}),
    "school.profile_history": ("GET", "/api/v1/people/{student}/profile/history", None, {"teacher", "admin"}),
    "personal.get_recommendations": ("GET", "/api/v1/people/{student}/recommendations?limit=3", None, {"student", "teacher", "admin"}),
    "personal.get_home": ("GET", "/api/v1/people/{student}/home?language=en", None, {"student", "teacher", "admin"}),
    "personal.get_plan": ("GET", "/api/v1/people/{student}/plan", None, {"student", "teacher", "admin"}),
    "personal.get_strengths": ("GET", "/api/v1/people/{student}/strengths", None, {"student", "teacher", "admin"}),
    "personal.get_struggles": ("GET", "/api/v1/classes/{class_a}/struggles", None, {"teacher", "admin"}),
    "personal.get_group_suggestions": ("GET", "/api/v1/classes/{class_a}/group-suggestions?skill_id={skill}&mode=mixed&size=2", None, {"teacher", "admin"}),
    "content.list_packs": ("GET", "/api/v1/packs", None, SIGNED_IN),
    "content.publish_pack": ("POST", "/api/v1/packs", None, {"admin"}, 403),  # on a node: hub only
    "content.list_skills": ("GET", "/api/v1/skills", None, SIGNED_IN),
    "content.list_activities": ("GET", "/api/v1/activities", None, SIGNED_IN),
    "content.get_activity": ("GET", "/api/v1/activities/{activity}", None, SIGNED_IN),
    "content.get_asset": ("GET", "/api/v1/assets/{asset}", None, EVERYONE),
    "learning.list_assignments": ("GET", "/api/v1/classes/{class_a}/assignments", None, {"student", "other_student", "teacher", "admin"}),
    "learning.create_assignment": ("POST", "/api/v1/classes/{class_a}/assignments", lambda w: {"activity_id": w.activity, "person_id": w.student}, {"teacher", "admin"}),
    "learning.patch_assignment": ("PATCH", "/api/v1/assignments/{assignment}", lambda w: {"pinned": True}, {"teacher", "admin"}),
    "teaching.get_heatmap": ("GET", "/api/v1/classes/{class_a}/heatmap", None, {"teacher", "admin"}),
    "teaching.get_heatmap_csv": ("GET", "/api/v1/classes/{class_a}/heatmap.csv", None, {"teacher", "admin"}),
    "teaching.get_class_skill": ("GET", "/api/v1/classes/{class_a}/skills/{skill}", None, {"teacher", "admin"}),
    "teaching.get_student_work": ("GET", "/api/v1/people/{student}/work", None, {"teacher", "admin"}),
    "teaching.get_open_work": ("GET", "/api/v1/classes/{class_a}/open-work", None, {"teacher", "admin"}),
    "teaching.mark_seen": ("POST", "/api/v1/work-seen", lambda w: {"work_kind": "reflection", "work_id": MADE["reflection"], "comment": "Seen"}, {"teacher", "admin"}),
    "teaching.unmark_seen": ("DELETE", "/api/v1/work-seen/reflection/{reflection}", None, {"teacher", "admin"}),
    "teaching.get_seen_work": ("GET", "/api/v1/classes/{class_a}/seen-work", None, {"teacher", "admin"}),
    "teaching.get_assignment_progress": ("GET", "/api/v1/classes/{class_a}/assignment-progress", None, {"teacher", "admin"}),
    "learning.delete_assignment": ("DELETE", "/api/v1/assignments/{assignment}", None, {"teacher", "admin"}),
    "learning.list_goals": ("GET", "/api/v1/people/{student}/goals", None, {"student", "teacher", "admin"}),
    "learning.create_goal": ("POST", "/api/v1/people/{student}/goals", lambda w: {"term": "short", "kind": "free_text", "text": "Read every day"}, {"student", "teacher", "admin"}),
    "learning.patch_goal": ("PATCH", "/api/v1/goals/{goal}", lambda w: {"status": "done"}, {"student", "teacher", "admin"}),
    "learning.delete_goal": ("DELETE", "/api/v1/goals/{goal}", None, {"student", "teacher", "admin"}),  # the student set it
    "learning.create_attempt": ("POST", "/api/v1/attempts", lambda w: {"id": _id(), "activity_id": w.activity, "started_ms": 1, "ended_ms": 2}, {"student", "other_student"}),
    "learning.create_answer": ("POST", "/api/v1/answers", lambda w: {"id": _id(), "item_id": w.item_choice, "response": 0, "device_ms": 5}, {"student", "other_student"}),
    "learning.create_reflection": ("POST", "/api/v1/reflections", lambda w: {"id": _id(), "confidence": 3, "device_ms": 5}, {"student", "other_student"}),
    "learning.create_feedback": ("POST", "/api/v1/feedback", lambda w: {"person_id": w.student, "text": "Well done"}, {"teacher", "admin"}),
    "learning.list_attempts": ("GET", "/api/v1/people/{student}/attempts", None, {"student", "teacher", "admin"}),
    "learning.hold_unclaimed": ("POST", "/api/v1/unclaimed-work", _unclaimed, {"student", "other_student"}),
    "learning.list_unclaimed": ("GET", "/api/v1/unclaimed-work", None, STAFF),
    "learning.give_unclaimed": ("POST", "/api/v1/unclaimed-work/{unclaimed}/give", lambda w: {"student_id": w.student}, {"teacher", "admin"}),
    "learning.discard_unclaimed": ("POST", "/api/v1/unclaimed-work/{unclaimed}/discard", None, {"teacher", "admin"}),
    "learning.list_answers": ("GET", "/api/v1/people/{student}/answers", None, {"student", "teacher", "admin"}),
    "learning.list_reflections": ("GET", "/api/v1/people/{student}/reflections", None, {"student", "teacher", "admin"}),
    "learning.get_mastery": ("GET", "/api/v1/people/{student}/mastery", None, {"student", "teacher", "admin"}),
    "learning.list_feedback": ("GET", "/api/v1/people/{student}/feedback", None, {"student", "teacher", "admin"}),
    "node.openapi": ("GET", "/api/v1/openapi.json", None, EVERYONE),
    "node.get_node": ("GET", "/api/v1/node", None, STAFF),
    "node.get_device": ("GET", "/api/v1/node/device", None, STAFF),
    "node.download_backup": ("GET", "/api/v1/node/backup", None, {"admin"}),
    "node.setup_state": ("GET", "/api/v1/setup", None, EVERYONE),
    "node.run_setup": ("POST", "/api/v1/setup", lambda w: {"code": "AAAAA-AAAAA", "school_name": "S", "admin": {"display_name": "A", "username": "a1", "password": "aaaaaaaa"}, "teacher": {"display_name": "T", "username": "t1", "password": "tttttttt"}}, EVERYONE, 409),  # set up already
    "node.restore_backup": ("POST", "/api/v1/setup/restore?code=AAAAA-AAAAA", lambda w: b"not a backup", EVERYONE, 409),  # set up already
    "sync.sync_message": ("POST", "/api/v1/sync", None, set()),
    "sync.sync_outcome": ("POST", "/api/v1/sync/outcome", None, set()),
    "sync.pair": ("POST", "/api/v1/sync/pair", lambda w: {"code": "AAAA-AAAA", "node_id": "matrix-node-001", "public_key": "ab" * 32, "proof": "cd" * 32}, set()),
    "sync.create_pairing_code": ("POST", "/api/v1/sync/pairing-codes", lambda w: {"grants": []}, {"admin"}),
    "sync.list_peers": ("GET", "/api/v1/sync/peers", None, STAFF),
    "sync.add_peer": ("POST", "/api/v1/sync/peers", lambda w: {"url": "http://127.0.0.1:9", "code": "AAAA-AAAA"}, {"admin"}, 409),  # nobody there
    "sync.nearby": ("GET", "/api/v1/sync/nearby", None, STAFF),
    "sync.sync_now": ("POST", "/api/v1/sync/peers/{peer}/sync", None, STAFF, 409),  # the peer is unreachable
    # District views: a school's admin sees their own school only (the whole district is
    # for the hub's DISTRICT_SCHOOL admins, tested in test_district.py).
    "district.dashboard": ("GET", "/api/v1/district/dashboard?school={school_id}", None, {"admin"}),
    "district.schools": ("GET", "/api/v1/district/schools", None, {"admin"}),
    "district.start_school": ("POST", "/api/v1/district/schools", lambda w: {"name": "River school"}, {"admin"}, 403),  # district admins only
    "district.add_school_admin": ("POST", "/api/v1/district/schools/{school_id}/admins", lambda w: {"display_name": "Ada", "username": "ada-river", "password": "river-pass-1"}, {"admin"}, 403),  # district admins only
    "district.nodes": ("GET", "/api/v1/district/nodes", None, {"admin"}),
    "district.revoke_node": ("POST", "/api/v1/district/nodes/{peer}/revoke", None, {"admin"}, 403),  # a peer of no school
    "district.enrolment_codes": ("GET", "/api/v1/district/enrolment-codes", None, {"admin"}),
    "district.new_enrolment_code": ("POST", "/api/v1/district/enrolment-codes", None, {"admin"}, 403),  # district admins only
    "district.audit": ("GET", "/api/v1/district/audit", None, {"admin"}),
    "district.export_xapi": ("GET", "/api/v1/district/exports/xapi", None, {"admin"}),
    "district.export_results": ("GET", "/api/v1/district/exports/results.zip", None, {"admin"}),
    "district.export_dashboard": ("GET", "/api/v1/district/exports/dashboard.csv", None, {"admin"}),
    "district.find_students": ("GET", "/api/v1/district/students?q=a", None, {"admin"}),
    "district.student_record": ("GET", "/api/v1/district/students/{student}", None, {"admin"}),
    "district.erase_student": ("POST", "/api/v1/district/students/{student}/erase", None, {"admin"}),
    "sync.revoke_peer": ("DELETE", "/api/v1/sync/peers/{peer}", None, {"admin"}),
    "photos.hold_unclaimed_photo": ("PUT", "/api/v1/unclaimed-work/photos/{new_id}?activity_id={activity}&device_ms=5&batch=b&named_id={student}&made_ms=5", lambda w: png(), {"student", "other_student"}),
    "photos.put_photo": ("PUT", "/api/v1/photos/{new_id}?activity_id={activity}&device_ms=5", lambda w: png(), {"student", "other_student"}),
    "photos.get_photo": ("GET", "/api/v1/photos/{photo}", None, {"student", "teacher", "admin"}),
    "photos.get_photo_image": ("GET", "/api/v1/photos/{photo}/image", None, {"student", "teacher", "admin"}),
    "photos.list_photos": ("GET", "/api/v1/people/{student}/photos", None, {"student", "teacher", "admin"}),
    "photos.sync_photos_missing": ("GET", "/api/v1/sync/photos/missing", None, set()),  # signed by a node
    "photos.sync_photo_get": ("GET", "/api/v1/sync/photos/{photo_sha}", None, set()),
    "live.get_live": ("GET", "/api/v1/classes/{class_a}/live", None, {"teacher", "admin"}),
    "roster.import_roster": ("POST", "/api/v1/roster/imports?dry_run=true&name=roster.csv", lambda w: b"class,given_name,family_name\nAcacia class,Ama,Owusu\n", {"admin"}),
    "library.put_pack_import": ("PUT", "/api/v1/pack-imports/{new_id}", lambda w: png(), {"admin"}, 422),  # not a zip
    "library.get_pack_import": ("GET", "/api/v1/pack-imports/{new_id}", None, {"admin"}, 404),  # no such job
    "library.post_authored_image": ("POST", "/api/v1/authored-images", lambda w: png(), STAFF),
    "library.post_authored_activity": ("POST", "/api/v1/authored-activities", lambda w: {"kind": "reading", "title": "Ours", "language": "en", "skill_id": _first_skill(), "text": "Read me."}, STAFF),
    "library.put_authored_activity": ("PUT", "/api/v1/authored-activities/{authored}", lambda w: {"kind": "reading", "title": "Ours, again", "language": "en", "skill_id": _first_skill(), "text": "Read me again."}, STAFF),
    "reports.get_class_report": ("GET", "/api/v1/classes/{class_a}/report", None, {"teacher", "admin"}),
    "reports.get_class_report_csv": ("GET", "/api/v1/classes/{class_a}/report.csv", None, {"teacher", "admin"}),
    "reports.get_class_progress_chart": ("GET", "/api/v1/classes/{class_a}/progress.svg", None, {"teacher", "admin"}),
    "reports.get_student_report": ("GET", "/api/v1/people/{student}/report", None, {"teacher", "admin"}),
    "reports.get_student_report_csv": ("GET", "/api/v1/people/{student}/report.csv", None, {"teacher", "admin"}),
    "reports.get_student_progress_chart": ("GET", "/api/v1/people/{student}/progress.svg", None, {"teacher", "admin"}),
    "photos.sync_photo_put": ("PUT", "/api/v1/sync/photos/{photo_sha}", lambda w: png(), set()),
}  # fmt: skip


def _fixtures(app, world) -> dict[str, str]:
    """Things some paths need that the template does not hold."""
    with app.app_context(), database.db.connection_context():
        class_a = Classroom.get_by_id(world.class_a)
        teacher = Person.get_by_id(world.teacher)
        student = Person.get_by_id(world.student)
        group = groups.create_group(
            class_a, {"name": "G", "kind": "custom", "member_ids": [world.student]}
        )
        assignment = learning.create_assignment(
            teacher, class_a,
            {"activity_id": world.activity, "person_id": world.student, "pinned": False, "note": ""},
        )  # fmt: skip
        goal = learning.create_goal(
            student, student, {"term": "short", "kind": "free_text", "text": "Count to 10"}
        )
        asset = Asset.live().first()
        skill = Skill.live().order_by(Skill.id).first()
        peer = Peer.create(
            node_id="matrix-peer-0001", public_key="ab" * 32, url="http://127.0.0.1:9"
        )
        project = Activity.live().where(Activity.kind == "project").first()
        photo, _new = photos.record_photo(
            student, _id(), {"activity_id": project.id, "device_ms": 1}, png(), "image/png",
            app.config["DATA_DIR"],
        )  # fmt: skip
        reflection = learning.record_reflection(
            student, {"id": _id(), "activity_id": project.id, "confidence": 3, "text": "We did it", "device_ms": 1},
        )  # fmt: skip
        MADE["reflection"] = reflection.id
        other = Person.get_by_id(world.other_student)
        sitting = _unclaimed(world) | {"batch": "sitting-0"}
        unclaimed.hold(other, sitting, WORK_SCHEMAS)
        archived = people.create_person(
            world.school_id, "student", "Gone Kid", classroom_id=world.class_a
        )
        archived.archived = True
        archived.save()
        authored = authoring.create_activity(teacher, AuthoredActivitySchema().load(
            {"kind": "reading", "title": "Ours", "language": "en", "skill_id": skill.id, "text": "Read me."}
        ))  # fmt: skip
    return {
        **{k: v for k, v in vars(world).items() if isinstance(v, str)},
        "group": group["id"], "assignment": assignment.id, "goal": goal.id, "asset": asset.id, "skill": skill.id,
        "peer": str(peer.id), "photo": photo.id, "photo_sha": photo.sha256, "reflection": reflection.id,
        "unclaimed": "sitting-0",
        "archived": archived.id, "authored": authored["id"],
    }  # fmt: skip


@pytest.fixture(scope="module")
def matrix_school(template, tmp_path_factory):
    """The template school with the things of ``_fixtures`` made in it, once per module."""
    source, world = template
    root = tmp_path_factory.mktemp("matrix") / "data"
    shutil.copytree(source, root)
    values = _fixtures(create_app({**BASE_CONFIG, "DATA_DIR": str(root)}), world)
    database.close_all()  # checkpoints the WAL so the files alone are the school
    return root, values


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` with its size and modification time: a write changes one."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*") if p.is_file()
    }  # fmt: skip


@pytest.fixture(scope="module")
def matrix_server(matrix_school, tmp_path_factory):
    """One app for every row, on a data folder ``matrix_app`` restores; its files as copied."""
    source, _ = matrix_school
    data_dir = tmp_path_factory.mktemp("matrix-rows") / "data"
    shutil.copytree(source, data_dir)
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(data_dir)})
    database.close_all()
    state = {"files": _files(data_dir)}
    yield app, state
    database.close_all()


@pytest.fixture
def matrix_app(matrix_school, matrix_server):
    """The shared app on the matrix school as ``_fixtures`` left it: what a row does stays in it."""
    source, values = matrix_school
    app, state = matrix_server
    data_dir = Path(app.config["DATA_DIR"])
    database.close_all()  # the previous test's database, whichever it was
    if _files(data_dir) != state["files"]:  # the previous row wrote: restore
        shutil.rmtree(data_dir)
        shutil.copytree(source, data_dir)
        state["files"] = _files(data_dir)
    database.bind(database.database_for(app.config))
    yield app, {**values, "new_id": _id()}
    database.close_all()


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
    }
    assert endpoints - set(MATRIX) == set(), "endpoints without a row in MATRIX"
    assert set(MATRIX) - endpoints == set(), "MATRIX rows for endpoints that are gone"


def test_every_api_view_declares_a_rule(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            assert app.view_functions[rule.endpoint].contract.rule is not None


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_matrix(matrix_app, world, endpoint, principal):
    app, values = matrix_app
    method, template, body, allowed, *expected = MATRIX[endpoint]
    path = template.format(**values)
    caller = Api(app.test_client(), None if principal == "anonymous" else world.tokens[principal])
    payload = body(world) if body else None
    if isinstance(payload, bytes):  # a raw upload (a photo, a backup)
        kind = "image/png" if payload.startswith(b"\x89PNG") else "application/octet-stream"
        kwargs = {"data": payload, "headers": {"Content-Type": kind}}
    else:
        kwargs = {"json": payload} if body else {}
    response = caller.request(method, path, **kwargs)
    if principal in allowed:
        ok = set(expected) or set(range(200, 300))
        assert response.status_code in ok, (principal, endpoint, response.get_json())
    else:
        assert response.status_code in (401, 403, 404), (principal, endpoint, response.status_code)
        assert set(response.get_json()) == {"error"}
