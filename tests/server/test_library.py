"""The content library: a pack imported from the browser with its progress and report,
a new version that keeps what assignments need, and a school's own activities."""

from __future__ import annotations

import uuid

import pytest

from server import db as database
from server.errors import NotFound
from server.models import Activity, ActivitySkill, Asset, Item, Skill
from server.models.content import authored_prefix
from server.services import pack_imports
from sync.ids import new_id
from sync.stamp import school_partition
from tests.helpers.images import png
from tests.helpers.packs import pack_zip
from tests.server import test_peer_trust
from tests.server.test_peer_trust import chunk_of, forged, push, rows_of

ZIP = {"content_type": "application/zip"}
rogue = test_peer_trust.rogue  # a peer granted students' work only


def _count(app, model) -> int:
    with app.app_context(), database.db.connection_context():
        return model.select().count()


def _put(caller, data: bytes, job: str | None = None, name: str = "maths.zip"):
    job = job or new_id()
    return job, caller.request("PUT", f"/api/v1/pack-imports/{job}?name={name}", data=data, **ZIP)


def test_an_admin_imports_a_pack_and_the_page_can_follow_each_stage(app, api, world, monkeypatch):
    seen: list[tuple[str, str]] = []
    write = pack_imports._write
    monkeypatch.setattr(
        pack_imports, "_write", lambda path, job: (seen.append((job["state"], job["stage"])), write(path, job))
    )  # fmt: skip
    admin = api(world.tokens["admin"])
    job, response = _put(admin, pack_zip())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "done" and body["report"]["pack_id"] == "district-maths"
    assert body["report"]["counts"]["created"] > 40 and body["report"]["problems"] == []
    stages = [stage for _, stage in seen]
    assert stages[0] == "unpacking" and "manifest" in stages and "files" in stages
    assert stages[-2:] == ["importing", "done"]
    polled = admin.get(f"/api/v1/pack-imports/{job}")
    assert polled.status_code == 200 and polled.get_json() == body


def test_a_bad_pack_is_reported_problem_by_problem_and_imports_nothing(app, api, world):
    def break_it(manifest):
        manifest["activities"][0]["skills"] = ["no-such-skill"]
        manifest["activities"][1]["difficulty"] = 9

    admin = api(world.tokens["admin"])
    before = _count(app, Activity), _count(app, Item)
    job, response = _put(admin, pack_zip(manifest_edit=break_it))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_pack"
    assert any("unknown skill 'no-such-skill'" in p for p in error["details"])
    report = admin.get(f"/api/v1/pack-imports/{job}").get_json()
    assert report["state"] == "failed" and report["report"]["problems"] == error["details"]
    assert (_count(app, Activity), _count(app, Item)) == before


def test_a_pack_over_the_limit_is_refused_before_it_is_read(app, api, world):
    app.config["PACK_MAX_BYTES"] = 1000
    before = _count(app, Activity)
    _job, response = _put(api(world.tokens["admin"]), pack_zip())
    assert response.status_code == 413 and set(response.get_json()) == {"error"}
    assert _count(app, Activity) == before


def test_a_teacher_may_not_import_a_pack(app, api, world):
    before = _count(app, Activity)
    _job, response = _put(api(world.tokens["teacher"]), pack_zip())
    assert response.status_code == 403 and _count(app, Activity) == before


def test_an_import_job_is_seen_only_by_its_importer(app, api, world):
    job, _ = _put(api(world.tokens["admin"]), pack_zip())
    assert api(world.tokens["teacher"]).get(f"/api/v1/pack-imports/{job}").status_code == 403
    with app.app_context(), pytest.raises(NotFound):
        pack_imports.get_job(type("P", (), {"id": "someone-else"})(), job, app.config["DATA_DIR"])


def test_a_job_id_cannot_name_a_file_elsewhere(app, api, world):
    admin = api(world.tokens["admin"])
    for bad in ("..", "a.b", "x" * 41, "short"):
        assert admin.get(f"/api/v1/pack-imports/{bad}").status_code == 404


def test_a_new_version_never_breaks_an_assignment_in_progress(app, api, world):
    """Version 2 of a pack drops an assigned activity a student is half-way through, and
    an item of it: the student finishes it; an activity nobody was given goes."""
    admin = api(world.tokens["admin"])
    assert _put(admin, pack_zip())[1].status_code == 200
    with app.app_context(), database.db.connection_context():
        quizzes = [
            a.id for a in Activity.live().where(Activity.pack_id == "district-maths")
            if Item.live().where(Item.activity_id == a.id).count() >= 2
        ]  # fmt: skip
    assigned, dropped_too = quizzes[0], quizzes[1]
    items = [i["id"] for i in admin.get(f"/api/v1/activities/{assigned}").get_json()["items"]]
    teacher = api(world.tokens["teacher"])
    made = teacher.post(
        f"/api/v1/classes/{world.class_a}/assignments", json={"activity_id": assigned}
    )
    assert made.status_code == 201, made.get_json()
    student = api(world.tokens["student"])
    first = student.post("/api/v1/answers", json={
        "id": new_id(), "item_id": items[0], "response": 0, "device_ms": 1})  # fmt: skip
    assert first.status_code in (200, 201), first.get_json()

    slugs = {a.split(":", 1)[1] for a in (assigned, dropped_too)}

    def version_two(manifest):
        manifest["version"] = "2.0.0"
        manifest["activities"] = [a for a in manifest["activities"] if a["id"] not in slugs]

    job, response = _put(admin, pack_zip(manifest_edit=version_two))
    assert response.status_code == 200, response.get_json()
    report = response.get_json()["report"]
    assert report["previous_version"] != "2.0.0" and report["version"] == "2.0.0"
    assert report["counts"]["kept"] >= 1 + len(items)
    again = student.get(f"/api/v1/activities/{assigned}")
    assert again.status_code == 200 and [i["id"] for i in again.get_json()["items"]] == items
    second = student.post("/api/v1/answers", json={
        "id": new_id(), "item_id": items[1], "response": 0, "device_ms": 2})  # fmt: skip
    assert second.status_code in (200, 201), second.get_json()
    listed = teacher.get(f"/api/v1/classes/{world.class_a}/assignments").get_json()
    assert assigned in [a["activity_id"] for a in listed]
    assert student.get(f"/api/v1/activities/{dropped_too}").status_code == 404


# ---------------------------------------------------------------- a school's own activities


def _skill(app) -> str:
    with app.app_context(), database.db.connection_context():
        return Skill.live().order_by(Skill.id).first().id


def quiz(skill_id: str, image: str | None = None) -> dict:
    return {
        "kind": "quiz", "title": "Our market", "language": "en", "skill_id": skill_id,
        "text": "Ama sells 3 mangoes.", "image": image,
        "items": [
            {"type": "choice", "prompt": "Which is a fruit?", "choices": ["mango", "stone"], "answer": 0},
            {"type": "numeric", "prompt": "3 + 4 = ?", "answer": 7},
            {"type": "text", "prompt": "Name the seller", "answer": ["Ama"]},
        ],
    }  # fmt: skip


def test_a_teacher_authors_a_quiz_with_a_picture_that_students_play(app, api, world):
    teacher = api(world.tokens["teacher"])
    picture = teacher.post("/api/v1/authored-images", data=png(), content_type="image/png")
    assert picture.status_code == 201, picture.get_json()
    sha = picture.get_json()["sha256"]
    made = teacher.post("/api/v1/authored-activities", json=quiz(_skill(app), sha))
    assert made.status_code == 201, made.get_json()
    activity = made.get_json()
    assert activity["id"].startswith(authored_prefix(world.school_id))
    assert activity["body"]["image"] == sha and len(activity["items"]) == 3
    with app.app_context(), database.db.connection_context():
        partitions = {
            row.partition
            for model in (Activity, Item, ActivitySkill)
            for row in model.select().where(model.id.startswith(authored_prefix(world.school_id)))
        } | {Asset.get_by_id(sha).partition}
    assert partitions == {school_partition(world.school_id)}
    student = api(world.tokens["student"])
    seen = student.get(f"/api/v1/activities/{activity['id']}").get_json()
    assert seen["items"][1]["answer"] is None  # no answer key for a student
    right = student.post("/api/v1/answers", json={
        "id": new_id(), "item_id": seen["items"][1]["id"], "response": 7, "device_ms": 1})  # fmt: skip
    assert right.status_code in (200, 201) and right.get_json()["correct"] is True
    assert student.get(f"/api/v1/assets/{sha}").status_code == 200


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        (b"GIF89a" + b"\0" * 64, "image/png"),
        (b"<html><script>alert(1)</script></html>", "text/html"),
    ],
)  # fmt: skip
def test_a_picture_with_script_or_lying_about_its_type_is_refused(
    app, api, world, data, content_type
):
    before = _count(app, Asset)
    response = api(world.tokens["teacher"]).post(
        "/api/v1/authored-images", data=data, content_type=content_type
    )
    assert response.status_code == 422 and set(response.get_json()) == {"error"}
    assert _count(app, Asset) == before


def test_a_picture_over_the_limit_is_refused(app, api, world):
    response = api(world.tokens["teacher"]).post(
        "/api/v1/authored-images", data=png() + b"\0" * 2_000_000, content_type="image/png"
    )
    assert response.status_code == 413


def test_a_quiz_needs_questions_whose_answers_fit(app, api, world):
    teacher = api(world.tokens["teacher"])
    empty = {**quiz(_skill(app)), "items": []}
    assert teacher.post("/api/v1/authored-activities", json=empty).status_code == 422
    wrong = quiz(_skill(app))
    wrong["items"][0]["answer"] = 5
    assert teacher.post("/api/v1/authored-activities", json=wrong).status_code == 422
    unknown = {**quiz(_skill(app)), "skill_id": "no-such:skill"}
    assert teacher.post("/api/v1/authored-activities", json=unknown).status_code == 404
    assert (
        api(world.tokens["student"])
        .post("/api/v1/authored-activities", json=quiz(_skill(app)))
        .status_code
        == 403
    )


# ---------------------------------------------------------------- sync: authority


def test_a_schools_own_activity_is_accepted_from_a_peer_granted_only_events(app, api, world, rogue):
    peer, school_id = rogue
    made = api(world.tokens["teacher"]).post("/api/v1/authored-activities", json=quiz(_skill(app)))
    activity_id = made.get_json()["id"]
    columns, (row,) = rows_of(app, "activity", Activity.id == activity_id)
    fresh = authored_prefix(school_id) + uuid.uuid4().hex
    status, reply = push(peer, chunk_of(school_partition(school_id), "activity", columns, [
        forged(columns, row, 1, id=fresh, title="From the other node")]))  # fmt: skip
    assert status == 200 and not reply.get("refused"), reply
    with app.app_context(), database.db.connection_context():
        assert Activity.get_by_id(fresh).title == "From the other node"


def test_rogue_peer_cannot_pass_off_district_content_as_the_schools(app, world, rogue):
    """A peer granted students' work writes, in the school's partition, an activity with a
    district activity's id (and another school's): both refused, the district's intact."""
    peer, school_id = rogue
    columns, (row,) = rows_of(app, "activity", Activity.id == world.activity)
    partition = school_partition(school_id)
    as_district = forged(
        columns, row, 1, partition=partition, title="Forged", pack_id=f"school.{school_id}"
    )
    as_other = forged(
        columns, row, 2, partition=partition, id="school.other:x", pack_id="school.other"
    )
    status, _reply = push(peer, chunk_of(partition, "activity", columns, [as_district, as_other]))
    assert status == 200
    with app.app_context(), database.db.connection_context():
        assert Activity.get_by_id(world.activity).title != "Forged"
        assert Activity.get_or_none(Activity.id == "school.other:x") is None


def test_rogue_peer_cannot_take_over_a_district_asset(app, world, rogue):
    peer, school_id = rogue
    with app.app_context(), database.db.connection_context():
        sha = Asset.live().first().id
    columns, (row,) = rows_of(app, "asset", Asset.id == sha)
    partition = school_partition(school_id)
    forged_row = forged(columns, row, 1, partition=partition, pack_id=f"school.{school_id}",
                        media_type="text/html")  # fmt: skip
    status, _reply = push(peer, chunk_of(partition, "asset", columns, [forged_row]))
    assert status == 200
    with app.app_context(), database.db.connection_context():
        held = Asset.get_by_id(sha)
        assert held.media_type != "text/html" and held.partition == "district"
