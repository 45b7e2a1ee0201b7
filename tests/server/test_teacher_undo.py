"""What a teacher takes back: an archived student, a "seen" mark, an activity they wrote.

Bring an archived student back into a class; put work marked seen by mistake back in
the feedback queue (a tombstone that syncs); edit one of the school's own activities
without breaking an attempt in progress or losing an answer to the old version.
"""

from __future__ import annotations

import json
import uuid

from server import db as database
from server.models import (
    Activity,
    ActivitySkill,
    Answer,
    Enrollment,
    Feedback,
    Item,
    Person,
    Skill,
    WorkSeen,
)
from server.services import catalog, open_work
from sync import wire
from sync.stamp import school_partition
from tests.server.test_library import quiz
from tests.server.test_peer_trust import (
    chunk_of,
    forged,
    push,
    rogue,  # noqa: F401 (a fixture)
    rows_of,
)
from tests.server.test_teaching import _project, _reflect, answer


def _id() -> str:
    return uuid.uuid4().hex


def _in_app(app, fn):
    with app.app_context(), database.db.connection_context():
        return fn()


def _stamped(columns, values, counter: int, hlc: int, **changes) -> list:
    """A peer's version of a row, stamped at ``hlc`` (above or below ours)."""
    row = forged(columns, values, counter, **changes)
    row[columns.index("hlc")] = hlc
    return row


def _error(reply, status: int) -> None:
    assert reply.status_code == status, reply.get_json()
    assert set(reply.get_json()) == {"error"}


# ---------------------------------------------------------------- archived students


def _archive(api, world, who: str = "student") -> None:
    reply = api(world.tokens["teacher"]).patch(
        f"/api/v1/people/{getattr(world, who)}", json={"archived": True}
    )
    assert reply.status_code == 200, reply.get_json()


def test_an_archived_student_is_listed_and_brought_back_with_their_work(app, world, api):
    student = api(world.tokens["student"])
    answer(student, world.item_choice, 0)
    _archive(api, world)
    teacher = api(world.tokens["teacher"])
    listed = teacher.get("/api/v1/people?archived=true&role=student").get_json()["items"]
    assert [p["id"] for p in listed] == [world.student] and listed[0]["archived"] is True
    in_class = teacher.get(f"/api/v1/classes/{world.class_a}/students").get_json()
    assert world.student not in [p["id"] for p in in_class]
    back = teacher.post(
        f"/api/v1/people/{world.student}/unarchive", json={"classroom_id": world.class_a}
    )
    assert back.status_code == 200 and back.get_json()["archived"] is False
    in_class = teacher.get(f"/api/v1/classes/{world.class_a}/students").get_json()
    assert world.student in [p["id"] for p in in_class]
    answers = teacher.get(f"/api/v1/people/{world.student}/answers").get_json()["items"]
    assert len(answers) == 1  # nothing was lost while archived
    assert teacher.get("/api/v1/people?archived=true").get_json()["items"] == []


def test_a_teacher_of_another_class_cannot_bring_back_a_student_not_theirs(app, world, api):
    _archive(api, world)
    other = api(world.tokens["other_teacher"])
    _error(
        other.post(
            f"/api/v1/people/{world.student}/unarchive", json={"classroom_id": world.class_c}
        ),
        403,
    )
    listed = other.get("/api/v1/people?archived=true").get_json()["items"]
    assert world.student not in [p["id"] for p in listed]
    assert _in_app(app, lambda: Person.get_by_id(world.student).archived) is True
    assert _in_app(app, lambda: Enrollment.live().where(
        (Enrollment.person_id == world.student) & (Enrollment.classroom_id == world.class_c)).count()) == 0  # fmt: skip


def test_a_teacher_cannot_bring_a_student_back_into_a_class_not_theirs(app, world, api):
    _archive(api, world)
    teacher = api(world.tokens["teacher"])
    _error(
        teacher.post(
            f"/api/v1/people/{world.student}/unarchive", json={"classroom_id": world.class_c}
        ),
        403,
    )
    assert _in_app(app, lambda: Person.get_by_id(world.student).archived) is True


def test_bringing_back_bad_input_is_refused_and_changes_nothing(app, world, api):
    teacher = api(world.tokens["teacher"])
    _error(
        teacher.post(
            f"/api/v1/people/{world.student}/unarchive", json={"classroom_id": world.class_a}
        ),
        409,
    )
    _archive(api, world)
    _error(teacher.post(f"/api/v1/people/{world.student}/unarchive", json={}), 422)
    _error(
        teacher.post(f"/api/v1/people/{world.student}/unarchive", json={"classroom_id": _id()}), 404
    )
    _error(
        teacher.post(f"/api/v1/people/{_id()}/unarchive", json={"classroom_id": world.class_a}), 404
    )
    _error(api(world.tokens["other_student"]).post(
        f"/api/v1/people/{world.student}/unarchive", json={"classroom_id": world.class_a}), 403)  # fmt: skip
    assert _in_app(app, lambda: Person.get_by_id(world.student).archived) is True


# ---------------------------------------------------------------- putting work back in the queue


def _queue_ids(teacher, world) -> list[str]:
    return [
        i["id"]
        for i in teacher.get(f"/api/v1/classes/{world.class_a}/open-work").get_json()["items"]
    ]


def test_work_marked_seen_by_mistake_goes_back_in_the_queue_and_the_comment_stays(app, world, api):
    work = _reflect(api(world.tokens["student"]), _project(app), "We built a well")
    teacher = api(world.tokens["teacher"])
    body = {
        "work_kind": "reflection",
        "work_id": work,
        "comment": "Good well",
        "feedback_id": _id(),
    }
    assert teacher.post("/api/v1/work-seen", json=body).status_code == 200
    assert work not in _queue_ids(teacher, world)
    seen = teacher.get(f"/api/v1/classes/{world.class_a}/seen-work").get_json()
    assert seen["items"][0]["id"] == work and seen["items"][0]["seen_by_name"]
    assert teacher.delete(f"/api/v1/work-seen/reflection/{work}").status_code == 204
    assert work in _queue_ids(teacher, world)
    assert teacher.get(f"/api/v1/classes/{world.class_a}/seen-work").get_json()["items"] == []
    # A tombstone (it replicates), not a row gone; the comment the child has stays.
    mark = _in_app(app, lambda: WorkSeen.get_by_id(open_work.seen_id("reflection", work)))
    assert mark.deleted is True
    assert _in_app(app, lambda: Feedback.select().where(Feedback.text == "Good well").count()) == 1
    # Marked again later: the same row comes back, still one mark.
    assert (
        teacher.post(
            "/api/v1/work-seen", json={"work_kind": "reflection", "work_id": work}
        ).status_code
        == 200
    )
    assert work not in _queue_ids(teacher, world)
    assert _in_app(app, lambda: WorkSeen.select().where(WorkSeen.work_id == work).count()) == 1


def test_other_teacher_cannot_put_back_work_not_theirs(app, world, api):
    work = _reflect(api(world.tokens["student"]), _project(app), "Ours")
    teacher = api(world.tokens["teacher"])
    teacher.post("/api/v1/work-seen", json={"work_kind": "reflection", "work_id": work})
    _error(api(world.tokens["other_teacher"]).delete(f"/api/v1/work-seen/reflection/{work}"), 403)
    _error(api(world.tokens["student"]).delete(f"/api/v1/work-seen/reflection/{work}"), 403)
    _error(
        api(world.tokens["other_teacher"]).get(f"/api/v1/classes/{world.class_a}/seen-work"), 403
    )
    assert work not in _queue_ids(teacher, world)


def test_putting_back_unknown_work_is_404_and_changes_nothing(app, world, api):
    work = _reflect(api(world.tokens["student"]), _project(app), "Ours")
    teacher = api(world.tokens["teacher"])
    teacher.post("/api/v1/work-seen", json={"work_kind": "reflection", "work_id": work})
    _error(teacher.delete(f"/api/v1/work-seen/photo/{work}"), 404)
    _error(teacher.delete(f"/api/v1/work-seen/answer/{work}"), 404)
    _error(teacher.delete(f"/api/v1/work-seen/reflection/{_id()}"), 404)
    assert work not in _queue_ids(teacher, world)


def test_a_put_back_converges_across_nodes_and_a_stale_mark_cannot_hide_the_work(
    app,
    world,
    api,
    rogue,  # noqa: F811
):
    """Regression guard: the put-back is a tombstone stamped above the mark, so it replicates,
    and a peer's older "seen" arriving after it loses (last writer on the clock)."""
    peer, school_id = rogue
    partition = school_partition(school_id)
    teacher = api(world.tokens["teacher"])
    ours = _reflect(api(world.tokens["student"]), _project(app), "Put back here")
    teacher.post("/api/v1/work-seen", json={"work_kind": "reflection", "work_id": ours})
    columns, (marked,) = rows_of(app, "work_seen", WorkSeen.work_id == ours)
    stale = _stamped(columns, marked, 1, marked[columns.index("hlc")] - (1 << 20))
    assert teacher.delete(f"/api/v1/work-seen/reflection/{ours}").status_code == 204
    status, reply = push(peer, chunk_of(partition, "work_seen", columns, [stale]))
    assert status == 200 and not reply.get("refused"), reply
    assert ours in _queue_ids(teacher, world)
    pulled = wire.decode(peer.send({"type": "pull", "partition": partition, "vector": {}}).data)
    table = pulled["chunk"]["tables"]["work_seen"]
    row = next(r for r in table["rows"] if r[table["columns"].index("work_id")] == ours)
    assert row[table["columns"].index("deleted")] in (True, 1)
    # And the other way: a later put-back made on the peer brings work back here.
    theirs = _reflect(api(world.tokens["student"]), _project(app), "Put back there")
    teacher.post("/api/v1/work-seen", json={"work_kind": "reflection", "work_id": theirs})
    columns, (mark,) = rows_of(app, "work_seen", WorkSeen.work_id == theirs)
    later = _stamped(columns, mark, 2, mark[columns.index("hlc")] + (1 << 20), deleted=True)
    status, reply = push(peer, chunk_of(partition, "work_seen", columns, [later]))
    assert status == 200 and not reply.get("refused"), reply
    assert theirs in _queue_ids(teacher, world)


# ---------------------------------------------------------------- editing an activity of the school


def _skills(app) -> list[str]:
    return _in_app(app, lambda: [s.id for s in Skill.live().order_by(Skill.id).limit(2)])


def _made(app, api, world) -> dict:
    made = api(world.tokens["teacher"]).post(
        "/api/v1/authored-activities", json=quiz(_skills(app)[0])
    )
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def _edit_body(activity: dict, skill_id: str) -> dict:
    keep, change, _drop = activity["items"]
    fields = ("id", "type", "prompt", "choices", "answer", "tolerance", "hints")
    return {
        "kind": "quiz", "title": "Our market, again", "language": "en", "skill_id": skill_id,
        "text": "Ama sells 4 mangoes.", "image": None,
        "items": [
            {k: keep[k] for k in fields},
            {**{k: change[k] for k in fields}, "answer": 8, "prompt": "4 + 4 = ?"},
            {"type": "text", "prompt": "What does Ama sell?", "answer": ["mangoes"]},
        ],
    }  # fmt: skip


def test_an_edit_keeps_unchanged_items_and_an_attempt_in_progress_loses_nothing(app, world, api):
    activity = _made(app, api, world)
    student = api(world.tokens["student"])
    before = student.get(f"/api/v1/activities/{activity['id']}").get_json()
    first, second, third = (i["id"] for i in before["items"])
    answer(student, first, 0, attempt_id="attempt-1")  # the child is mid-quiz
    skills = _skills(app)
    edited = api(world.tokens["teacher"]).request(
        "PUT", f"/api/v1/authored-activities/{activity['id']}", json=_edit_body(activity, skills[1])
    )
    assert edited.status_code == 200, edited.get_json()
    ids = [i["id"] for i in edited.get_json()["items"]]
    assert ids[0] == first and second not in ids and third not in ids and len(ids) == 3
    assert edited.get_json()["skills"] == [skills[1]]
    now = student.get(f"/api/v1/activities/{activity['id']}").get_json()
    assert now["title"] == "Our market, again" and [i["id"] for i in now["items"]] == ids
    # The tablet still shows the old questions: its answers count, checked as the child saw them.
    assert answer(student, second, 7, attempt_id="attempt-1")["correct"] is True
    assert answer(student, ids[1], 8)["correct"] is True
    assert (
        _in_app(app, lambda: Answer.select().where(Answer.activity_id == activity["id"]).count())
        == 3
    )
    held = _in_app(app, lambda: Item.live().where(Item.activity_id == activity["id"]).count())
    assert held == 5  # three of the first version, two new: none deleted
    links = _in_app(app, lambda: {(s.skill_id, s.deleted) for s in ActivitySkill.select().where(
        ActivitySkill.activity_id == activity["id"])})  # fmt: skip
    assert links == {(skills[1], False)}  # its one link row, edited: no second link to race


def test_the_catalog_counts_an_edited_activitys_current_questions_not_superseded_ones(
    app, world, api
):
    """Regression: after an edit replaced two of three questions, the catalog (which ranks
    by the evidence an activity gives) counted five: the superseded two as well."""
    activity = _made(app, api, world)
    teacher = api(world.tokens["teacher"])
    path = f"/api/v1/authored-activities/{activity['id']}"
    edited = teacher.request("PUT", path, json=_edit_body(activity, _skills(app)[0]))
    assert edited.status_code == 200, edited.get_json()
    shorter = _edit_body(edited.get_json(), _skills(app)[0])
    shorter["items"] = shorter["items"][:2]
    shorter["items"][1] = {**shorter["items"][1], "prompt": "5 + 5 = ?", "answer": 10}
    again = teacher.request("PUT", path, json=shorter)
    assert again.status_code == 200, again.get_json()
    current = [i["id"] for i in again.get_json()["items"]]
    assert len(current) == 2
    held = _in_app(app, lambda: Item.live().where(Item.activity_id == activity["id"]).count())
    assert held == 6  # every version's questions stay live: answers to them still count

    def counted():
        found = catalog.catalog()
        candidate = next(c for c in found.candidates if c.activity_id == activity["id"])
        return candidate.items

    assert _in_app(app, counted) == 2


def test_a_teacher_cannot_edit_district_content_through_authoring(app, world, api):
    before = _in_app(app, lambda: Activity.get_by_id(world.activity).title)
    body = _edit_body({"items": [{"id": None, "type": "numeric", "prompt": "p", "choices": None,
                                  "answer": 1, "tolerance": None, "hints": []}] * 3}, _skills(app)[0])  # fmt: skip
    for item in body["items"]:
        item.pop("id", None)
    _error(
        api(world.tokens["teacher"]).request(
            "PUT", f"/api/v1/authored-activities/{world.activity}", json=body
        ),
        403,
    )
    assert _in_app(app, lambda: Activity.get_by_id(world.activity).title) == before


def test_a_bad_edit_is_refused_and_the_activity_is_unchanged(app, world, api):
    activity = _made(app, api, world)
    teacher = api(world.tokens["teacher"])
    path = f"/api/v1/authored-activities/{activity['id']}"
    skill = _skills(app)[0]
    good = _edit_body(activity, skill)
    _error(teacher.request("PUT", path, json={**good, "items": []}), 422)  # a quiz needs a question
    wrong = _edit_body(activity, skill)
    wrong["items"][0]["answer"] = 9  # not a choice
    _error(teacher.request("PUT", path, json=wrong), 422)
    stranger = _edit_body(activity, skill)
    stranger["items"][0]["id"] = world.item_choice  # another activity's question
    _error(teacher.request("PUT", path, json=stranger), 422)
    twice = _edit_body(activity, skill)
    twice["items"][1] = dict(twice["items"][0])
    _error(teacher.request("PUT", path, json=twice), 422)
    _error(teacher.request("PUT", path, json={**good, "skill_id": "no-such:skill"}), 404)
    _error(teacher.request("PUT", f"/api/v1/authored-activities/{_id()}", json=good), 404)
    _error(api(world.tokens["student"]).request("PUT", path, json=good), 403)
    held = _in_app(app, lambda: Activity.get_by_id(activity["id"]))
    assert held.title == "Our market" and "item_ids" not in held.body
    assert (
        _in_app(app, lambda: Item.select().where(Item.activity_id == activity["id"]).count()) == 3
    )


def test_an_edit_reaches_the_schools_other_node(app, world, api, rogue):  # noqa: F811
    """The new version is replicated rows: a peer of the school pulls the activity and its
    new questions, and an edit made on the peer shows here."""
    peer, school_id = rogue
    partition = school_partition(school_id)
    activity = _made(app, api, world)
    edited = (
        api(world.tokens["teacher"])
        .request(
            "PUT",
            f"/api/v1/authored-activities/{activity['id']}",
            json=_edit_body(activity, _skills(app)[0]),
        )
        .get_json()
    )
    pulled = wire.decode(peer.send({"type": "pull", "partition": partition, "vector": {}}).data)
    tables = pulled["chunk"]["tables"]
    acts = tables["activity"]
    row = next(r for r in acts["rows"] if r[acts["columns"].index("id")] == activity["id"])
    assert row[acts["columns"].index("title")] == "Our market, again"
    item_ids = {r[tables["item"]["columns"].index("id")] for r in tables["item"]["rows"]}
    assert {i["id"] for i in edited["items"]} <= item_ids
    # The peer's own edit (a later version) comes back and shows here, whole.
    columns, (mine,) = rows_of(app, "activity", Activity.id == activity["id"])
    raw = mine[columns.index("body")]  # the wire carries JSON columns as text
    body = json.loads(raw) if isinstance(raw, str) else dict(raw)
    body["item_ids"] = [edited["items"][0]["id"]]
    body = json.dumps(body) if isinstance(raw, str) else body
    theirs = _stamped(columns, mine, 1, mine[columns.index("hlc")] + (1 << 20),
                      title="Edited over there", body=body)  # fmt: skip
    status, reply = push(peer, chunk_of(partition, "activity", columns, [theirs]))
    assert status == 200 and not reply.get("refused"), reply
    shown = api(world.tokens["student"]).get(f"/api/v1/activities/{activity['id']}").get_json()
    assert shown["title"] == "Edited over there"
    assert [i["id"] for i in shown["items"]] == [edited["items"][0]["id"]]
