"""The teacher's views: assignments of a skill, pinned and hidden, and who finished; the
mastery heatmap (kept between polls, never stale), a skill's page and the CSV; a
student's work; the feedback queue and its "seen" marks, which sync like any row."""

from __future__ import annotations

import uuid

import pytest

from server import db as database
from server.models import Activity, Feedback, Goal, Item, Skill, WorkSeen
from server.services import heatmap, mastery, open_work
from server.services.catalog import catalog
from sync import wire
from sync.stamp import school_partition
from tests.conftest import Api
from tests.server.test_peer_trust import (
    chunk_of,
    forged,
    push,
    rogue,  # noqa: F401 (a fixture)
    rows_of,
)


def _id() -> str:
    return uuid.uuid4().hex


def _in_app(app, fn):
    with app.app_context(), database.db.connection_context():
        return fn()


def answer(caller: Api, item_id: str, response, attempt_id=None) -> dict:
    body = {"id": _id(), "item_id": item_id, "response": response, "device_ms": 1_000}
    if attempt_id:
        body["attempt_id"] = attempt_id
    reply = caller.post("/api/v1/answers", json=body)
    assert reply.status_code in (200, 201), reply.get_json()
    return reply.get_json()


def _right(app, item_id):
    return _in_app(app, lambda: Item.get_by_id(item_id).answer)


def _skill_of(app, activity_id):
    return _in_app(app, lambda: catalog().skills_of[activity_id][0])


# ---------------------------------------------------------------- assignments


def test_assign_a_skill_to_one_student_shows_on_their_home_not_others(app, world, api):
    teacher = api(world.tokens["teacher"])
    skill = _skill_of(app, world.activity)
    made = teacher.post(
        f"/api/v1/classes/{world.class_a}/assignments",
        json={"skill_id": skill, "person_id": world.student, "due_on": "2030-01-31"},
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["skill_id"] == skill and made.get_json()["activity_id"] is None
    home = api(world.tokens["student"]).get(f"/api/v1/people/{world.student}/home?language=en")
    assigned = home.get_json()["assignments"]
    assert assigned and all(skill in a.get("skill_ids", [skill]) for a in assigned)
    other = api(world.tokens["other_student"]).get(
        f"/api/v1/people/{world.other_student}/home?language=en"
    )
    assert other.get_json()["assignments"] == []


@pytest.mark.parametrize(
    "body",
    [{}, {"activity_id": "a", "skill_id": "b"}, {"skill_id": "no-such-skill"}],
    ids=["neither", "both", "unknown-skill"],
)
def test_an_assignment_names_one_activity_or_one_skill_else_nothing_is_made(app, world, api, body):
    teacher = api(world.tokens["teacher"])
    before = teacher.get(f"/api/v1/classes/{world.class_a}/assignments").get_json()
    reply = teacher.post(f"/api/v1/classes/{world.class_a}/assignments", json=body)
    assert reply.status_code in (404, 422) and set(reply.get_json()) == {"error"}
    assert teacher.get(f"/api/v1/classes/{world.class_a}/assignments").get_json() == before


def test_hidden_assignment_is_kept_from_students_and_pinned_comes_first(app, world, api):
    teacher = api(world.tokens["teacher"])
    path = f"/api/v1/classes/{world.class_a}/assignments"
    made = teacher.post(path, json={"activity_id": world.activity}).get_json()
    hidden = teacher.patch(f"/api/v1/assignments/{made['id']}", json={"hidden": True})
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    student = api(world.tokens["student"])
    assert made["id"] not in [a["id"] for a in student.get(path).get_json()]
    home = student.get(f"/api/v1/people/{world.student}/home?language=en").get_json()
    assert world.activity not in [a["activity_id"] for a in home["assignments"]]
    assert made["id"] in [
        a["id"] for a in teacher.get(path).get_json()
    ]  # the teacher still sees it
    shown = teacher.patch(
        f"/api/v1/assignments/{made['id']}", json={"hidden": False, "pinned": True}
    )
    assert shown.get_json()["pinned"] is True
    assert student.get(path).get_json()[0]["id"] == made["id"]


def test_other_teacher_cannot_pin_or_hide_an_assignment_not_theirs(app, world, api):
    made = api(world.tokens["teacher"]).post(
        f"/api/v1/classes/{world.class_a}/assignments", json={"activity_id": world.activity}
    )
    reply = api(world.tokens["other_teacher"]).patch(
        f"/api/v1/assignments/{made.get_json()['id']}", json={"hidden": True}
    )
    assert reply.status_code == 403
    assert made.get_json()["hidden"] is False


def test_progress_says_who_finished_a_group_assignment(app, world, api):
    teacher = api(world.tokens["teacher"])
    group = teacher.post(
        f"/api/v1/classes/{world.class_a}/groups",
        json={"name": "Readers", "member_ids": [world.student, world.other_student]},
    ).get_json()
    made = teacher.post(
        f"/api/v1/classes/{world.class_a}/assignments",
        json={"activity_id": world.activity, "group_id": group["id"]},
    ).get_json()
    student = api(world.tokens["student"])
    attempt = {
        "id": _id(),
        "activity_id": world.activity,
        "started_ms": 1,
        "ended_ms": 2,
        "completed": True,
    }
    assert student.post("/api/v1/attempts", json=attempt).status_code in (200, 201)
    answer(api(world.tokens["other_student"]), world.item_choice, _right(app, world.item_choice))
    progress = teacher.get(f"/api/v1/classes/{world.class_a}/assignment-progress").get_json()
    mine = next(p for p in progress if p["assignment_id"] == made["id"])
    states = {s["id"]: s["state"] for s in mine["students"]}
    assert states == {world.student: "done", world.other_student: "not_yet"}
    assert (mine["done"], mine["total"]) == (1, 2)


# ---------------------------------------------------------------- heatmap


def test_heatmap_shows_a_new_answer_at_once_and_in_words(app, world, api):
    teacher = api(world.tokens["teacher"])
    path = f"/api/v1/classes/{world.class_a}/heatmap"
    first = teacher.get(path).get_json()
    assert teacher.get(path).get_json() == first  # kept: nothing changed
    answer(api(world.tokens["student"]), world.item_choice, _right(app, world.item_choice))
    second = teacher.get(path).get_json()
    skill = _skill_of(app, world.activity)
    assert skill in [s["skill_id"] for s in second["skills"]]
    row = next(s for s in second["students"] if s["id"] == world.student)
    cell = next(c for c in row["cells"] if c["skill_id"] == skill)
    assert cell["attempts"] >= 1 and cell["level"] in heatmap.LEVELS
    assert cell["level"] != "not_started"


def test_kept_heatmap_is_not_made_again_while_nothing_changed(app, world, api, monkeypatch):
    """Five teachers polling: one view made, not one per request."""
    made = []
    real = heatmap._make
    monkeypatch.setattr(heatmap, "_make", lambda *a: made.append(1) or real(*a))
    teacher = api(world.tokens["teacher"])
    path = f"/api/v1/classes/{world.class_a}/heatmap"
    for _ in range(5):
        assert teacher.get(path).status_code == 200
    assert len(made) == 1
    answer(api(world.tokens["student"]), world.item_choice, 0)
    teacher.get(path)
    assert len(made) == 2


def test_heatmap_equals_mastery_traced_from_every_answer(app, world, api):
    student = api(world.tokens["student"])
    for response in (0, 1, _right(app, world.item_choice), 0):
        answer(student, world.item_choice, response)
    teacher = api(world.tokens["teacher"])
    teacher.get(f"/api/v1/classes/{world.class_a}/heatmap")  # warms the per-student cache
    answer(student, world.item_choice, _right(app, world.item_choice))  # then extends it

    def both():
        from server.models import Classroom
        from server.services.schools import class_students

        classroom = Classroom.get_by_id(world.class_a)
        cat, now = catalog(), 10**13
        view = heatmap.class_heatmap(classroom, now_ms=now)
        ids = [s.id for s in class_students(classroom)]
        return view, mastery.states_of(ids, cat, now)

    view, states = _in_app(app, both)
    for row in view["students"]:
        for cell in row["cells"]:
            state = states[row["id"]].get(cell["skill_id"])
            assert cell["level"] == heatmap.level_of(state)
            if state is not None and state.attempts:
                assert cell["p_known_now"] == pytest.approx(state.p_known_now)


def test_heatmap_csv_opens_in_a_spreadsheet_and_names_cannot_be_formulas(app, world, api):
    admin = api(world.tokens["admin"])
    admin.patch(f"/api/v1/people/{world.student}", json={"display_name": "=HYPERLINK(1)"})
    answer(api(world.tokens["student"]), world.item_choice, 0)
    reply = api(world.tokens["teacher"]).get(
        f"/api/v1/classes/{world.class_a}/heatmap.csv?language=fr"
    )
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    text = reply.get_data().decode("utf-8")
    assert text.startswith("\ufeffstudent,skills mastered")
    assert "'=HYPERLINK(1)" in text and ": level" in text


@pytest.mark.parametrize(
    "path",
    ["heatmap", "heatmap.csv", "open-work", "assignment-progress", "skills/{skill}"],
)
def test_other_teacher_cannot_read_a_class_not_theirs(app, world, api, path):
    skill = _skill_of(app, world.activity)
    reply = api(world.tokens["other_teacher"]).get(
        f"/api/v1/classes/{world.class_a}/" + path.format(skill=skill)
    )
    assert reply.status_code == 403 and set(reply.get_json()) == {"error"}


def test_skill_page_names_who_struggles_the_most_missed_item_and_a_group(app, world, api):
    student = api(world.tokens["student"])
    right = _right(app, world.item_choice)
    wrong = next(i for i in range(4) if i != right)
    for _ in range(4):
        answer(student, world.item_choice, wrong)
    skill = _skill_of(app, world.activity)
    view = api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/skills/{skill}")
    assert view.status_code == 200, view.get_json()
    body = view.get_json()
    assert world.student in body["struggling"]
    assert body["missed_items"][0]["item_id"] == world.item_choice
    assert body["missed_items"][0]["wrong"] == 4 and body["missed_items"][0]["prompt"]
    members = [m for g in body["suggested_groups"] for m in g["member_ids"]]
    assert world.student in members
    missing = api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/skills/nope")
    assert missing.status_code == 404


def test_student_work_shows_answers_with_their_question_and_choice(app, world, api):
    answer(api(world.tokens["student"]), world.item_choice, 0)
    work = api(world.tokens["teacher"]).get(f"/api/v1/people/{world.student}/work").get_json()
    answers = [a for w in work["work"] for a in w["answers"]]
    item = _in_app(app, lambda: Item.get_by_id(world.item_choice))
    assert answers[0]["prompt"] == item.prompt and answers[0]["response"] == item.choices[0]
    assert api(world.tokens["other_teacher"]).get(
        f"/api/v1/people/{world.student}/work"
    ).status_code in (403, 404)
    assert (
        api(world.tokens["student"]).get(f"/api/v1/people/{world.student}/work").status_code == 403
    )


# ---------------------------------------------------------------- feedback queue


def _project(app) -> str:
    return _in_app(app, lambda: Activity.get(Activity.kind == "project").id)


def _reflect(caller: Api, activity_id: str, text: str) -> str:
    body = {"id": _id(), "activity_id": activity_id, "confidence": 3, "text": text, "device_ms": 5}
    assert caller.post("/api/v1/reflections", json=body).status_code in (200, 201)
    return body["id"]


def test_teacher_comments_through_the_queue_and_marks_a_goal_done(app, world, api):
    student = api(world.tokens["student"])
    work = _reflect(student, _project(app), "We counted 7 goats")
    goal = student.post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "short", "kind": "free_text", "text": "Count the goats"},
    ).get_json()
    teacher = api(world.tokens["teacher"])
    path = f"/api/v1/classes/{world.class_a}/open-work"
    queue = teacher.get(path).get_json()
    piece = next(i for i in queue["items"] if i["id"] == work)
    assert piece["kind"] == "project" and piece["text"] == "We counted 7 goats"
    assert [g["id"] for g in piece["goals"]] == [goal["id"]]
    body = {"work_kind": "reflection", "work_id": work, "comment": "Lovely counting!",
            "feedback_id": _id(), "goal_id": goal["id"], "device_ms": 1_700_000_000_000}  # fmt: skip
    done = teacher.post("/api/v1/work-seen", json=body)
    assert done.status_code == 200, done.get_json()
    again = teacher.post("/api/v1/work-seen", json=body)  # a retry: one comment, one mark
    assert again.status_code == 200
    assert work not in [i["id"] for i in teacher.get(path).get_json()["items"]]
    feedback = student.get(f"/api/v1/people/{world.student}/feedback").get_json()["items"]
    assert [f["text"] for f in feedback] == ["Lovely counting!"]
    assert _in_app(app, lambda: Goal.get_by_id(goal["id"]).status) == "done"
    assert _in_app(app, lambda: WorkSeen.select().where(WorkSeen.work_id == work).count()) == 1


def test_a_wrong_written_answer_waits_in_the_queue(app, world, api):
    item = _in_app(app, lambda: Item.live().where(Item.type == "text").first())
    student = api(world.tokens["student"])
    if item is None:
        pytest.skip("the demo pack has no text item")
    answer(student, item.id, "a guess nobody accepts")
    queue = (
        api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/open-work").get_json()
    )
    written = [i for i in queue["items"] if i["kind"] == "written"]
    assert written and written[0]["text"] == "a guess nobody accepts" and written[0]["prompt"]


def test_other_teacher_cannot_mark_seen_or_comment_on_work_not_theirs(app, world, api):
    work = _reflect(api(world.tokens["student"]), _project(app), "Ours")
    reply = api(world.tokens["other_teacher"]).post(
        "/api/v1/work-seen", json={"work_kind": "reflection", "work_id": work, "comment": "Hi"}
    )
    assert reply.status_code == 403 and set(reply.get_json()) == {"error"}
    assert _in_app(app, lambda: WorkSeen.select().count()) == 0
    assert _in_app(app, lambda: Feedback.select().where(Feedback.text == "Hi").count()) == 0


def test_teacher_cannot_close_another_students_goal_through_the_queue(app, world, api):
    """The goal named must be the same student's free-text goal; nothing changes otherwise."""
    work = _reflect(api(world.tokens["student"]), _project(app), "Mine")
    other_goal = (
        api(world.tokens["other_student"])
        .post(
            f"/api/v1/people/{world.other_student}/goals",
            json={"term": "short", "kind": "free_text", "text": "Theirs"},
        )
        .get_json()
    )
    reply = api(world.tokens["teacher"]).post(
        "/api/v1/work-seen",
        json={
            "work_kind": "reflection",
            "work_id": work,
            "goal_id": other_goal["id"],
            "comment": "x",
        },
    )
    assert reply.status_code == 422
    assert _in_app(app, lambda: Goal.get_by_id(other_goal["id"]).status) == "active"
    assert _in_app(app, lambda: WorkSeen.select().count()) == 0
    assert _in_app(app, lambda: Feedback.select().where(Feedback.text == "x").count()) == 0


def test_seen_mark_made_on_another_node_takes_the_work_out_of_the_queue(app, world, api, rogue):  # noqa: F811
    """The "seen" state syncs like any row: a peer's mark hides the work here, and ours leaves."""
    peer, school_id = rogue
    student = api(world.tokens["student"])
    theirs = _reflect(student, _project(app), "Seen over there")
    ours = _reflect(student, _project(app), "Seen here")
    teacher = api(world.tokens["teacher"])
    teacher.post("/api/v1/work-seen", json={"work_kind": "reflection", "work_id": ours})
    columns, rows = rows_of(app, "work_seen", WorkSeen.work_id == ours)
    remote = forged(columns, rows[0], 1, id=open_work.seen_id("reflection", theirs), work_id=theirs)
    status, reply = push(
        peer, chunk_of(school_partition(school_id), "work_seen", columns, [remote])
    )
    assert status == 200 and not reply.get("refused"), reply
    queue = teacher.get(f"/api/v1/classes/{world.class_a}/open-work").get_json()
    assert {theirs, ours}.isdisjoint(i["id"] for i in queue["items"])
    pulled = wire.decode(
        peer.send({"type": "pull", "partition": school_partition(school_id), "vector": {}}).data
    )
    seen = pulled["chunk"]["tables"]["work_seen"]
    at = seen["columns"].index("work_id")
    assert ours in [r[at] for r in seen["rows"]]


def test_unknown_work_is_404_and_changes_nothing(app, world, api):
    reply = api(world.tokens["teacher"]).post(
        "/api/v1/work-seen", json={"work_kind": "answer", "work_id": _id(), "comment": "Hi"}
    )
    assert reply.status_code == 404 and set(reply.get_json()) == {"error"}
    assert _in_app(app, lambda: Feedback.select().where(Feedback.text == "Hi").count()) == 0


def test_skill_ids_exist(app):
    assert _in_app(app, lambda: Skill.live().count()) > 0


def test_a_skill_nobody_has_practised_suggests_no_groups_by_level(app, world, api):
    skill = _skill_of(app, world.activity)
    path = f"/api/v1/classes/{world.class_a}/skills/{skill}"
    view = api(world.tokens["teacher"]).get(path)
    assert view.status_code == 200 and view.get_json()["suggested_groups"] == []
    answer(api(world.tokens["student"]), world.item_choice, 0)
    groups = api(world.tokens["teacher"]).get(path).get_json()["suggested_groups"]
    assert world.student in [m for g in groups for m in g["member_ids"]]
