"""The live class view: who works on what, and who needs help now with the reason."""

from __future__ import annotations

import json
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


def _finish(caller, activity_id, ended_ms, attempt_id=None):
    body = {"id": attempt_id or uuid.uuid4().hex, "activity_id": activity_id,
            "started_ms": 500, "ended_ms": ended_ms, "completed": True}  # fmt: skip
    reply = caller.post("/api/v1/attempts", json=body)
    assert reply.status_code in (200, 201), reply.get_json()


def _row(app, world, classroom_view):
    with app.app_context(), database.db.connection_context():
        view = classroom_view(Classroom.get_by_id(world.class_a))
    return next(s for s in view["students"] if s["id"] == world.student)


def test_an_activity_finished_after_the_last_answer_shows_the_student_away(app, world, api):
    # Finished by another attempt of the same activity (the answers named none): the
    # activity is over, whether the view is made afresh or kept between polls.
    student = api(world.tokens["student"])
    answer(student, world.item_choice, _wrong_response(app, world.item_choice))

    def kept(classroom):
        body, _ = live.kept_view(classroom, live.wall_ms(), json.dumps)
        return json.loads(body)

    assert _row(app, world, live.live_view)["state"] == "working"
    _finish(student, world.activity, ended_ms=999)  # ended before the answer: still working
    assert _row(app, world, live.live_view)["state"] == "working"
    _finish(student, world.activity, ended_ms=1_000)
    for make in (live.live_view, kept):
        row = _row(app, world, make)
        assert row["state"] == "away" and row["activity_id"] is None


def test_a_kept_window_leaves_the_collector_nothing_to_walk(app, world, api):
    # Regression: a window kept its rows as NamedTuples, which the collector walks at
    # every full collection (24-73 ms pauses of the whole process with a class's half
    # hour in it); plain tuples of plain values it stops tracking at their first one.
    import gc

    student = api(world.tokens["student"])
    for _ in range(3):
        answer(student, world.item_choice, _wrong_response(app, world.item_choice))
    _finish(student, world.activity, ended_ms=1_000)
    with app.app_context(), database.db.connection_context():
        classroom = Classroom.get_by_id(world.class_a)
        live.kept_view(classroom, live.wall_ms(), json.dumps)
        window = live._windows[(live.database_token(), world.class_a)]
    rows = [row for rows in (*window.answers.values(), *window.finished.values()) for row in rows]
    assert len(rows) == 4
    gc.collect()
    assert not any(gc.is_tracked(row) for row in rows)


def _kept(classroom, now):
    body, _ = live.kept_view(classroom, now, json.dumps)
    return json.loads(body)


def test_an_answer_removed_leaves_the_kept_view_at_the_next_count(app, world, api):
    # Rowids show only rows added: a row removed from under a kept window (as no path
    # of the node does today) must still leave the view once the window is counted.
    student = api(world.tokens["student"])
    wrong = _wrong_response(app, world.item_choice)
    for _ in range(3):
        answer(student, world.item_choice, wrong)
    with app.app_context(), database.db.connection_context():
        classroom = Classroom.get_by_id(world.class_a)
        now = live.wall_ms()
        row = next(s for s in _kept(classroom, now)["students"] if s["id"] == world.student)
        assert row["help"][0]["count"] == 3
        database.db.execute_sql(
            "DELETE FROM answer WHERE rowid = (SELECT min(rowid) FROM answer WHERE person_id = ?)",
            [world.student],
        )
        later = now + live.RECHECK_MS + 1
        kept, whole = _kept(classroom, later), live.live_view(classroom, later)
    assert kept == whole
    row = next(s for s in kept["students"] if s["id"] == world.student)
    assert row["state"] == "working" and row["help"] == []  # two wrong: no streak


def test_a_kept_window_is_counted_not_read_again(app, world, api, monkeypatch):
    # Regression: the window was read whole every minute, 100-150 ms of a serving
    # process with a busy class's half hour in it, while a teacher's poll runs alone.
    student = api(world.tokens["student"])
    wrong = _wrong_response(app, world.item_choice)
    answer(student, world.item_choice, wrong)
    reads, counts = [], []
    gather, count = live._gather, live._counts
    monkeypatch.setattr(live, "_gather", lambda *a: reads.append(1) or gather(*a))
    monkeypatch.setattr(live, "_counts", lambda *a: counts.append(1) or count(*a))

    def kept_at(now):
        with app.app_context(), database.db.connection_context():
            return _kept(Classroom.get_by_id(world.class_a), now)

    now = live.wall_ms()
    kept_at(now)
    assert (len(reads), len(counts)) == (1, 0)
    for minute in range(1, 4):
        answer(student, world.item_choice, wrong)
        kept = kept_at(now + minute * (live.RECHECK_MS + 1))
        assert (len(reads), len(counts)) == (1, minute)
    monkeypatch.setattr(live, "_gather", gather)
    with app.app_context(), database.db.connection_context():
        whole = live.live_view(Classroom.get_by_id(world.class_a), now + 3 * (live.RECHECK_MS + 1))
    assert kept == whole
    row = next(s for s in kept["students"] if s["id"] == world.student)
    assert row["help"][0]["count"] == 4


def test_rows_stored_after_a_polls_marks_are_not_counted_against_its_window(
    app, world, api, monkeypatch
):
    # Regression: the count also saw the rows a busy class stored after the poll read its
    # marks, found more than the window held, and read the window whole again each minute.
    student = api(world.tokens["student"])
    wrong = _wrong_response(app, world.item_choice)
    answer(student, world.item_choice, wrong)
    reads = []
    gather = live._gather
    monkeypatch.setattr(live, "_gather", lambda *a: reads.append(1) or gather(*a))
    now = live.wall_ms()
    with app.app_context(), database.db.connection_context():
        _kept(Classroom.get_by_id(world.class_a), now)
        marks = live.change_mark((live.Answer, live.Attempt))
    answer(student, world.item_choice, wrong)  # stored after the next poll's marks
    monkeypatch.setattr(live, "change_mark", lambda models: marks)
    with app.app_context(), database.db.connection_context():
        kept = _kept(Classroom.get_by_id(world.class_a), now + live.RECHECK_MS + 1)
    assert len(reads) == 1
    row = next(s for s in kept["students"] if s["id"] == world.student)
    assert row["last_correct"] is False and row["help"] == []  # one answer up to the marks
