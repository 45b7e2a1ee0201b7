"""First-run setup, the device page's facts, and backup and restore through the API."""

from __future__ import annotations

import io
import itertools
import json
import tarfile

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.errors import Conflict
from server.models import LocalNode, Person, School, SyncVector
from server.replication import backup
from server.services import setup
from tests.conftest import BASE_CONFIG, Api

WIZARD = {
    "school_name": "École du Baobab",
    "language": "fr",
    "admin": {"display_name": "Mme Directrice", "username": "direction", "password": "un-long-mot"},
    "teacher": {"display_name": "M. Maître", "username": "maitre", "password": "un-autre-mot"},
    "class_name": "CE1",
}


def _fresh(tmp_path, name="fresh"):
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path / name)})
    prepare(app)
    return app


def _code(app) -> str:
    with app.app_context(), database.db.connection_context():
        return setup.issue_code(app.config["DATA_DIR"])


def test_wizard_sets_up_a_new_node_and_signs_the_admin_in(tmp_path):
    app = _fresh(tmp_path)
    client = app.test_client()
    assert client.get("/api/v1/setup").get_json() == {"needed": True}
    done = client.post("/api/v1/setup", json={**WIZARD, "code": _code(app)})
    assert done.status_code == 201, done.get_json()
    body = done.get_json()
    assert body["school"]["name"] == "École du Baobab" and body["classroom"]["name"] == "CE1"
    me = client.get("/api/v1/auth/me").get_json()
    assert me["person"]["username"] == "direction" and me["person"]["role"] == "admin"
    assert client.get("/api/v1/setup").get_json() == {"needed": False}
    teacher = Api(app.test_client())
    assert teacher.login("maitre", "un-autre-mot").status_code == 200
    classes = teacher.get("/api/v1/classes").get_json()
    assert [c["name"] for c in classes] == ["CE1"]
    database.close_all()


def test_wizard_refuses_anyone_on_the_lan_without_the_console_code(tmp_path):
    """Whoever runs the wizard becomes admin: a LAN neighbour without the code must not."""
    app = _fresh(tmp_path)
    client = app.test_client()
    no_code_yet = client.post("/api/v1/setup", json={**WIZARD, "code": "AAAAA-AAAAA"})
    assert no_code_yet.status_code == 403 and set(no_code_yet.get_json()) == {"error"}
    _code(app)
    wrong = client.post("/api/v1/setup", json={**WIZARD, "code": "AAAAA-AAAAA"})
    assert wrong.status_code == 403
    assert "setup code" in wrong.get_json()["error"]["message"]
    with app.app_context(), database.db.connection_context():
        assert not School.select().exists() and not Person.select().exists()
    database.close_all()


def test_wizard_cannot_take_over_a_node_that_is_set_up(app, world):
    """Once a school and an admin exist, the wizard (even with a fresh code) is closed."""
    code = _code(app)  # say the console code leaked
    response = app.test_client().post("/api/v1/setup", json={**WIZARD, "code": code})
    assert response.status_code == 409
    with app.app_context(), database.db.connection_context():
        assert not Person.live().where(Person.username == "direction").exists()


def test_wizard_code_is_single_use(tmp_path):
    app = _fresh(tmp_path)
    code = _code(app)
    client = app.test_client()
    assert client.post("/api/v1/setup", json={**WIZARD, "code": code}).status_code == 201
    again = app.test_client().post("/api/v1/setup", json={**WIZARD, "code": code})
    assert again.status_code == 409
    database.close_all()


def test_wizard_refuses_one_username_for_both_accounts(tmp_path):
    app = _fresh(tmp_path)
    same = {**WIZARD, "teacher": {**WIZARD["teacher"], "username": "direction"}}
    response = app.test_client().post("/api/v1/setup", json={**same, "code": _code(app)})
    assert response.status_code == 422 and "teacher" in response.get_json()["error"]["details"]
    database.close_all()


def test_device_facts_address_qr_storage_version(app, world):
    staff = Api(app.test_client(), world.tokens["teacher"])
    facts = staff.get("/api/v1/node/device", base_url="http://192.168.7.20:8080").get_json()
    assert facts["addresses"][0]["url"] == "http://192.168.7.20:8080/student/"
    assert facts["storage"]["database_bytes"] > 0 and facts["storage"]["content_bytes"] > 0
    assert facts["version"]
    qr = app.test_client().get(facts["addresses"][0]["qr"], base_url="http://192.168.7.20:8080")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and b"http://192.168.7.20:8080/student/" in qr.data  # its title


def test_qr_route_is_not_a_qr_maker_for_any_text(app):
    """Someone could print a node-branded QR of a phishing link: only our addresses."""
    response = app.test_client().get("/qr.svg?url=http://evil.example/student/")
    assert response.status_code == 404 and set(response.get_json()) == {"error"}


def test_backup_download_is_for_admins_and_holds_the_whole_device(app, world):
    teacher = Api(app.test_client(), world.tokens["teacher"])
    assert teacher.get("/api/v1/node/backup").status_code == 403
    admin = Api(app.test_client(), world.tokens["admin"])
    response = admin.get("/api/v1/node/backup")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.data), mode="r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("baobab-backup.json"))
    assert "baobab.db" in names and "keys/node_key" in names
    assert any(n.startswith("blobs/") for n in names)
    assert manifest["school_id"] == world.school_id


def test_restore_through_the_api_makes_a_new_identity(app, world, tmp_path):
    admin = Api(app.test_client(), world.tokens["admin"])
    archive = admin.get("/api/v1/node/backup").data
    with app.app_context(), database.db.connection_context():
        old = LocalNode.get()
        old_id, old_counter = old.node_id, old.counter
    database.close_all()
    fresh = _fresh(tmp_path, "new-box")
    client = fresh.test_client()
    refused = client.post(
        "/api/v1/setup/restore?code=AAAAA-AAAAA",
        data=archive,
        headers={"Content-Type": "application/gzip"},
    )
    assert refused.status_code == 403
    response = client.post(
        f"/api/v1/setup/restore?code={_code(fresh)}",
        data=archive,
        headers={"Content-Type": "application/gzip"},
    )
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["old_node_id"] == old_id and result["node_id"] != old_id
    with fresh.app_context(), database.db.connection_context():
        node = LocalNode.get()
        assert node.node_id != old_id and node.school_id == world.school_id
        held = SyncVector.get(
            (SyncVector.origin == old_id) & (SyncVector.partition == f"school:{world.school_id}")
        )
        assert held.counter == old_counter
        assert Person.live().where(Person.username == "teacher").exists()
    # The admin's password came along: they sign in on the new box.
    assert Api(fresh.test_client()).login("admin", "baobab-admin").status_code == 200
    database.close_all()


def test_restore_never_replaces_a_node_that_holds_a_school(app, world, tmp_path):
    """A restore over a working node would lose what it wrote since: refused, nothing changed."""
    admin = Api(app.test_client(), world.tokens["admin"])
    archive = admin.get("/api/v1/node/backup").data
    path = tmp_path / "b.tar.gz"
    path.write_bytes(archive)
    with app.app_context(), database.db.connection_context(), pytest.raises(Conflict):
        backup.restore_backup(path, app.config["DATA_DIR"])


@pytest.mark.parametrize(
    "member", ["../../etc/evil", "blobs/aa/" + "a" * 64, "notes.txt", "tls/../node_key"]
)
def test_restore_refuses_an_archive_with_foreign_or_forged_members(tmp_path, member):
    """A crafted archive must not write outside the data dir, nor plant a blob under a false name."""
    fresh = _fresh(tmp_path)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (
            ("baobab-backup.json", b'{"format": 1, "node_id": "x"}'),
            (member, b"not what the name says"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    response = fresh.test_client().post(
        f"/api/v1/setup/restore?code={_code(fresh)}",
        data=buf.getvalue(),
        headers={"Content-Type": "application/gzip"},
    )
    assert response.status_code == 422 and set(response.get_json()) == {"error"}
    assert not (tmp_path / "etc").exists()
    assert not list((tmp_path / "fresh").rglob("a" * 64))
    with fresh.app_context(), database.db.connection_context():
        assert LocalNode.get().school_id is None
    database.close_all()


# ---------------------------------------------------------------- edit, move, archive


def test_teacher_edits_class_and_moves_a_student_between_own_classes(app, world):
    admin = Api(app.test_client(), world.tokens["admin"])
    created = admin.post("/api/v1/classes", json={"name": "Baobab class"}).get_json()
    admin.post(
        f"/api/v1/classes/{created['id']}/enrollments",
        json={"person_id": world.teacher, "role": "teacher"},
    )
    teacher = Api(app.test_client(), world.tokens["teacher"])
    renamed = teacher.patch(f"/api/v1/classes/{world.class_a}", json={"name": "Acacia 2"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Acacia 2"
    moved = teacher.post(
        f"/api/v1/people/{world.student}/move", json={"classroom_id": created["id"]}
    )
    assert moved.status_code == 200, moved.get_json()
    ids = lambda c: {p["id"] for p in teacher.get(f"/api/v1/classes/{c}/students").get_json()}  # noqa: E731
    assert world.student in ids(created["id"]) and world.student not in ids(world.class_a)


def test_teacher_cannot_move_a_child_into_a_class_not_theirs(app, world):
    """A teacher must not push children into (or pull them out of) another teacher's class."""
    teacher = Api(app.test_client(), world.tokens["teacher"])
    refused = teacher.post(
        f"/api/v1/people/{world.student}/move", json={"classroom_id": world.class_c}
    )
    assert refused.status_code == 403
    pulled = teacher.post(
        f"/api/v1/people/{world.student_c}/move", json={"classroom_id": world.class_a}
    )
    assert pulled.status_code in (403, 404)
    other = Api(app.test_client(), world.tokens["other_teacher"])
    ids = {p["id"] for p in other.get(f"/api/v1/classes/{world.class_c}/students").get_json()}
    assert world.student_c in ids


def test_archived_student_leaves_lists_and_sign_in_but_keeps_work(app, world):
    kid = Api(app.test_client())
    assert kid.student_login(world.student, ["sun", "goat", "drum"]).status_code == 200
    teacher = Api(app.test_client(), world.tokens["teacher"])
    archived = teacher.patch(f"/api/v1/people/{world.student}", json={"archived": True})
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    # Signed out of the tablet, and off the sign-in screen and the class list.
    assert kid.get("/api/v1/auth/me").status_code == 401
    listed = app.test_client().get(f"/api/v1/signin/classes/{world.class_a}/students").get_json()
    assert world.student not in {p["id"] for p in listed}
    again = Api(app.test_client()).student_login(world.student, ["sun", "goat", "drum"])
    assert again.status_code in (401, 404)
    people = teacher.get("/api/v1/people?archived=true").get_json()["items"]
    assert [p["id"] for p in people] == [world.student]
    back = teacher.patch(f"/api/v1/people/{world.student}", json={"archived": False})
    assert back.status_code == 200
    listed = app.test_client().get(f"/api/v1/signin/classes/{world.class_a}/students").get_json()
    assert world.student in {p["id"] for p in listed}


def test_staff_are_not_archived(app, world):
    admin = Api(app.test_client(), world.tokens["admin"])
    refused = admin.patch(f"/api/v1/people/{world.teacher}", json={"archived": True})
    assert refused.status_code == 403


def test_sign_in_cards_show_new_pictures_that_sign_the_child_in(app, world):
    teacher = Api(app.test_client(), world.tokens["teacher"])
    cards = teacher.post(f"/api/v1/classes/{world.class_a}/sign-in-cards", json={"renew": "all"})
    assert cards.status_code == 200
    card = next(c for c in cards.get_json() if c["person_id"] == world.student)
    assert len(card["pictures"]) == 3
    assert (
        Api(app.test_client()).student_login(world.student, ["sun", "goat", "drum"]).status_code
        == 401
    )
    assert Api(app.test_client()).student_login(world.student, card["pictures"]).status_code == 200
    # Only the children without pictures get new ones when asked for the missing.
    kept = teacher.post(f"/api/v1/classes/{world.class_a}/sign-in-cards", json={}).get_json()
    assert all(c["pictures"] is None and c["has_picture_password"] for c in kept)


def test_a_renewed_card_never_gives_back_the_pictures_it_replaces(app, world, monkeypatch):
    """Regression: 1 renewal in 1,320 drew the child's old pictures again (and the test above
    failed by chance): the old card still signed the child in."""
    from server.services import people

    # Every draw offers the demo children's pictures first, then others.
    draws = itertools.cycle([["sun", "goat", "drum"], ["moon", "fish", "tree"]])
    monkeypatch.setattr(people._RANDOM, "sample", lambda population, k: next(draws))
    teacher = Api(app.test_client(), world.tokens["teacher"])
    cards = teacher.post(f"/api/v1/classes/{world.class_a}/sign-in-cards", json={"renew": "all"})
    card = next(c for c in cards.get_json() if c["person_id"] == world.student)
    assert card["pictures"] == ["moon", "fish", "tree"]
    assert Api(app.test_client()).student_login(world.student, ["sun", "goat", "drum"]).status_code == 401


def test_sign_in_cards_of_another_teachers_class_are_refused(app, world):
    """Cards reset picture passwords: only the class's teachers and admins may print them."""
    other = Api(app.test_client(), world.tokens["other_teacher"])
    response = other.post(f"/api/v1/classes/{world.class_a}/sign-in-cards", json={"renew": "all"})
    assert response.status_code == 403
    assert (
        Api(app.test_client()).student_login(world.student, ["sun", "goat", "drum"]).status_code
        == 200
    )


def test_restore_refuses_a_backup_whose_file_is_not_its_digest(app, world, tmp_path):
    """A tampered photo in a real backup must not be planted under a digest it is not."""
    archive = Api(app.test_client(), world.tokens["admin"]).get("/api/v1/node/backup").data
    forged = "ab" + "c" * 62
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as src,
        tarfile.open(fileobj=out, mode="w:gz") as dst,
    ):
        for member in src:
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo(f"blobs/ab/{forged}")
        info.size = 5
        dst.addfile(info, io.BytesIO(b"EVIL!"))
    database.close_all()
    fresh = _fresh(tmp_path, "victim")
    response = fresh.test_client().post(
        f"/api/v1/setup/restore?code={_code(fresh)}",
        data=out.getvalue(),
        headers={"Content-Type": "application/gzip"},
    )
    assert response.status_code == 422 and "digest" in response.get_json()["error"]["message"]
    assert not list((tmp_path / "victim").rglob(forged))
    with fresh.app_context(), database.db.connection_context():
        assert LocalNode.get().school_id is None and not Person.select().exists()
    database.close_all()
