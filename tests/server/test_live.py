"""The live class view: who works on what, and who needs help now with the reason."""

from __future__ import annotations

import uuid

from server import db as database
from server.models import Classroom, Item
from server.services import live


def _wrong_response(app, item_id):
    with app.app_context(), database.db.connection_context():
        item = Item.get_by_id(item_id)
        return next(i for i in range(len(item.choices)) if i != item.answer)


def answer(caller, item_id, response, hints=0):
    body = {"id": uuid.uuid4().hex, "item_id": item_id, "response": response,
            "device_ms": 1_000, "hints_used": hints}  # fmt: skip
    reply = caller.post("/api/v1/answers", json=body)
    assert reply.status_code in (200, 201), reply.get_json()


def test_three_wrong_in_a_row_asks_for_help_in_plain_words(app, world, api):
    student = api(world.tokens["student"])
    wrong = _wrong_response(app, world.item_choice)
    for _ in range(3):
        answer(student, world.item_choice, wrong)
    view = api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/live").get_json()
    row = next(s for s in view["students"] if s["id"] == world.student)
    assert row["state"] == "working" and row["activity_id"] == world.activity
    assert row["last_correct"] is False
    assert [r["reason"] for r in row["help"]] == ["wrong_streak"]
    assert row["help"][0]["count"] == 3 and row["help"][0]["skill_title"]
    assert view["help_count"] == 1
    others = [s for s in view["students"] if s["id"] != world.student]
    assert all(s["state"] == "away" and not s["help"] for s in others)


def test_idle_mid_activity_and_every_hint_ask_for_help(app, world, api):
    student = api(world.tokens["student"])
    with app.app_context(), database.db.connection_context():
        hints = len(Item.get_by_id(world.item_choice).hints or [])
    answer(student, world.item_choice, _wrong_response(app, world.item_choice), hints=max(hints, 1))
    with app.app_context(), database.db.connection_context():
        classroom = Classroom.get_by_id(world.class_a)
        now = live.live_view(classroom)["now_ms"]
        later = live.live_view(classroom, now + live.IDLE_AFTER_MS + 60_000)
    row = next(s for s in later["students"] if s["id"] == world.student)
    reasons = {r["reason"] for r in row["help"]}
    assert row["state"] == "idle" and "idle" in reasons
    if hints:
        assert "all_hints" in reasons


def test_other_teacher_cannot_watch_a_class_not_theirs(app, world, api):
    """A teacher sees only their own classes live."""
    reply = api(world.tokens["other_teacher"]).get(f"/api/v1/classes/{world.class_a}/live")
    assert reply.status_code == 403
