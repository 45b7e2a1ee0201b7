"""Personalization through the API: recommendations, home, goals' progress, plan, insights."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import replace
from html import unescape

import pytest

from server import db as database
from server.learning.ranking import EVIDENCE, EVIDENCE_ITEMS, History
from server.learning.tracing import trace_rows
from server.models import Activity, ActivitySkill, Item, RowHistory
from server.pages.words import Words
from server.services import goals
from server.services import mastery as service
from server.services import recommendations as recs
from server.services.catalog import catalog
from server.services.goals import period
from sync.hlc import wall_ms

COUNT = "baobab-sample:count-to-10"
COMPARE = "baobab-sample:compare-numbers"


def _items_of_skill(app, skill_id: str, language: str = "en") -> list[Item]:
    """Choice or numeric items of activities teaching only ``skill_id``."""
    with app.app_context(), database.db.connection_context():
        only = []
        for link in ActivitySkill.live().where(ActivitySkill.skill_id == skill_id):
            skills = ActivitySkill.live().where(ActivitySkill.activity_id == link.activity_id)
            activity = Activity.get_by_id(link.activity_id)
            if skills.count() == 1 and activity.language == language:
                only.append(link.activity_id)
        return list(
            Item.live()
            .where(Item.activity_id.in_(only) & Item.type.in_(["choice", "numeric"]))
            .order_by(Item.id)
        )


def _answer(student, item: Item, right: bool, device_ms: int) -> None:
    if item.type == "choice":
        response = item.answer if right else (item.answer + 1) % len(item.choices)
    else:
        response = item.answer if right else item.answer + 100
    body = {
        "id": uuid.uuid4().hex,
        "item_id": item.id,
        "response": response,
        "device_ms": device_ms,
    }
    assert student.post("/api/v1/answers", json=body).status_code == 201


def _master(app, student, skill_id: str, start_ms: int) -> None:
    items = _items_of_skill(app, skill_id)
    for n in range(8):
        _answer(student, items[n % len(items)], True, start_ms + n * 1000)


def _attempt(student, activity_id: str, started_ms: int, minutes: float, completed: bool):
    body = {
        "id": uuid.uuid4().hex,
        "activity_id": activity_id,
        "started_ms": started_ms,
        "ended_ms": started_ms + int(minutes * 60_000),
        "completed": completed,
    }
    made = student.post("/api/v1/attempts", json=body)
    assert made.status_code == 201, made.get_json()


def test_home_recommends_ready_skills_with_reasons(app, api, world):
    student = api(world.tokens["student"])
    home = student.get(f"/api/v1/people/{world.student}/home?language=en").get_json()
    assert home["person"]["id"] == world.student and home["continue"] is None
    recs = home["recommendations"]
    assert 3 <= len(recs) <= 5
    assert [r["score"] for r in recs] == sorted((r["score"] for r in recs), reverse=True)
    roots = {COUNT, "baobab-sample:letter-sounds"}
    for rec in recs:
        assert rec["language"] == "en"
        assert {s["id"] for s in rec["skills"]} <= roots  # nothing whose prerequisites wait
        skill_reason = next(r for r in rec["reasons"] if r["code"] == "next_skill")
        assert skill_reason["text"].startswith("You are ready to learn")
        assert isinstance(skill_reason["params"]["skill"], dict)
    # The demo assigns the class its first two readings: they come first.
    assert [r["assigned"] for r in recs[:2]] == [True, True]
    assert recs[0]["reasons"][0]["code"] == "assigned"
    assert {m["stars"] for m in home["mastery"]} == {0} and len(home["mastery"]) == 6
    listed = student.get(f"/api/v1/people/{world.student}/recommendations?limit=2").get_json()
    assert [r["activity_id"] for r in listed["items"]] == [r["activity_id"] for r in recs[:2]]


def test_mastering_a_skill_opens_the_next_and_stars_show_it(app, api, world):
    student = api(world.tokens["student"])
    _master(app, student, COUNT, wall_ms() - 60_000)
    home = student.get(f"/api/v1/people/{world.student}/home").get_json()
    stars = {m["skill_id"]: m["stars"] for m in home["mastery"]}
    assert stars[COUNT] == 3 and stars[COMPARE] == 0
    everything = student.get(f"/api/v1/people/{world.student}/recommendations?limit=50").get_json()[
        "items"
    ]
    compare = [r for r in everything if {s["id"] for s in r["skills"]} == {COMPARE}]
    assert compare and compare[0]["reasons"][0]["code"] == "next_skill"
    # add-within-10 needs compare-numbers: still blocked.
    assert not any(
        s["id"] == "baobab-sample:add-within-10" for r in everything for s in r["skills"]
    )


def test_pinned_first_assigned_listed_and_continue(app, api, world):
    teacher, student = api(world.tokens["teacher"]), api(world.tokens["student"])
    pinned = "baobab-sample:add-within-10-quiz-en"  # blocked by prerequisites, yet assigned
    other = "baobab-sample:read-simple-sentences-read-en"
    for activity, pin in ((pinned, True), (other, False)):
        made = teacher.post(
            f"/api/v1/classes/{world.class_a}/assignments",
            json={"activity_id": activity, "person_id": world.student, "pinned": pin},
        )
        assert made.status_code == 201
    _attempt(student, "baobab-sample:letter-sounds-quiz-en", wall_ms() - 600_000, 3, False)
    home = student.get(f"/api/v1/people/{world.student}/home").get_json()
    first = home["recommendations"][0]
    assert first["activity_id"] == pinned and first["pinned"] and first["assigned"]
    assert [r["code"] for r in first["reasons"]][:2] == ["pinned", "assigned"]
    shown = {r["activity_id"] for r in home["recommendations"]}
    assert other in shown or other in {a["activity_id"] for a in home["assignments"]}
    assert home["continue"]["activity_id"] == "baobab-sample:letter-sounds-quiz-en"
    # The other student got neither assignment.
    theirs = api(world.tokens["other_student"]).get(
        f"/api/v1/people/{world.other_student}/recommendations?limit=50"
    )
    assigned = {r["activity_id"] for r in theirs.get_json()["items"] if r["assigned"]}
    assert pinned not in assigned and other not in assigned


def test_language_asked_for_comes_first(api, world):
    student = api(world.tokens["student"])
    recs = student.get(f"/api/v1/people/{world.student}/recommendations?language=fr").get_json()
    assert {r["language"] for r in recs["items"]} == {"fr"}
    bad = student.get(f"/api/v1/people/{world.student}/recommendations?limit=0")
    assert bad.status_code == 422 and set(bad.get_json()) == {"error"}
    bad = student.get(f"/api/v1/people/{world.student}/home?language=no such")
    assert bad.status_code == 422


def test_profile_interests_and_modality_show_in_reasons(api, world):
    student = api(world.tokens["student"])
    saved = student.patch(
        f"/api/v1/people/{world.student}/profile",
        json={"interests": ["space"], "modalities": ["do"]},
    )
    assert saved.status_code == 200
    recs = student.get(f"/api/v1/people/{world.student}/recommendations").get_json()["items"]
    first = next(r for r in recs if not r["assigned"])
    assert {"interest", "modality"} <= {r["code"] for r in first["reasons"]}
    assert first["activity_id"].endswith("count-to-10-practice-en")  # do + space


def test_goal_progress_by_kind(app, api, world):
    student, teacher = api(world.tokens["student"]), api(world.tokens["teacher"])
    path = f"/api/v1/people/{world.student}/goals"
    now = wall_ms()
    _master(app, student, COUNT, now - 3_600_000)
    activities = ["baobab-sample:count-to-10-quiz-en", "baobab-sample:count-to-10-read-en"]
    # Inside this calendar week, even just after Monday 00:00 UTC.
    week_start = period("short", None, now)[0]
    _attempt(student, activities[0], max(now - 1_800_000, week_start), 20, True)
    made = {
        "skill": student.post(path, json={"term": "short", "kind": "master_skill", "skill_id": COUNT}),
        "finish": student.post(path, json={"term": "short", "kind": "finish_activities", "activity_ids": activities}),
        "minutes": teacher.post(path, json={"term": "short", "kind": "practice_minutes", "target": 40}),
        "text": student.post(path, json={"term": "long", "kind": "free_text", "text": "Read to my sister"}),
        "late": student.post(path, json={"term": "short", "kind": "master_skill", "skill_id": COMPARE, "due_on": "2020-01-01"}),
    }  # fmt: skip
    assert all(r.status_code == 201 for r in made.values())
    progress = {k: r.get_json()["progress"] for k, r in made.items()}
    assert progress["skill"]["state"] == "done" and progress["skill"]["fraction"] == 1.0
    assert progress["finish"] == {"value": 1, "target": 2, "fraction": 0.5, "state": "on_track"}
    assert progress["minutes"]["value"] == 20 and progress["minutes"]["fraction"] == 0.5
    assert progress["text"]["state"] == "needs_review"
    assert progress["late"]["state"] == "behind"
    text_id = made["text"].get_json()["id"]
    done = teacher.patch(f"/api/v1/goals/{text_id}", json={"status": "done"}).get_json()
    assert done["progress"]["state"] == "done"
    listed = {g["id"]: g["progress"] for g in student.get(path).get_json()}
    assert listed[text_id]["state"] == "done" and len(listed) == 5
    home = student.get(f"/api/v1/people/{world.student}/home").get_json()
    assert text_id in {g["id"] for g in home["goals"]}
    assert made["skill"].get_json()["created_ms"] >= now
    # A teacher of another class may not set this student's goals.
    other = api(world.tokens["other_teacher"]).post(
        path, json={"term": "short", "kind": "free_text", "text": "x"}
    )
    assert other.status_code in (403, 404)


def test_strengths_and_class_struggles(app, api, world):
    student, other = api(world.tokens["student"]), api(world.tokens["other_student"])
    now = wall_ms() - 600_000
    _master(app, student, COUNT, now)
    letters = _items_of_skill(app, "baobab-sample:letter-sounds")
    for n in range(4):
        _answer(student, letters[0], False, now + 100_000 + n)
        _answer(other, letters[0], False, now + 100_000 + n)
    strengths = student.get(f"/api/v1/people/{world.student}/strengths").get_json()
    assert strengths["strongest"][0]["skill_id"] == COUNT
    assert strengths["weakest"][0]["skill_id"] == "baobab-sample:letter-sounds"
    # The printed plan's "Strongest" are the mastered ones: a skill only missed so far
    # is among the best practised two, but not a strength.
    assert [s["skill_id"] for s in strengths["strongest"]][:2] == [
        COUNT,
        "baobab-sample:letter-sounds",
    ]
    page = (
        api(world.tokens["teacher"])
        .get(f"/people/{world.student}/plan.html")
        .get_data(as_text=True)
    )
    strongest = page.split("Strongest:</strong>")[1].split("</p>")[0]
    assert "Count to 10" in strongest and "Letter sounds" not in strongest
    assert strengths["missed_items"][0] == {
        "item_id": letters[0].id, "activity_id": letters[0].activity_id,
        "prompt": letters[0].prompt, "wrong": 4, "answers": 4,
    }  # fmt: skip
    struggles = api(world.tokens["teacher"]).get(f"/api/v1/classes/{world.class_a}/struggles")
    rows = struggles.get_json()
    assert rows[0]["skill_id"] == "baobab-sample:letter-sounds"
    assert rows[0]["struggling"] == 2 and rows[0]["practised"] == 2
    assert sorted(rows[0]["struggling_ids"]) == sorted([world.student, world.other_student])
    count_row = next(r for r in rows if r["skill_id"] == COUNT)
    assert count_row["struggling"] == 0 and count_row["mastered"] == 1


def test_group_suggestions_by_level_and_mixed_then_edited(app, api, world):
    teacher, student = api(world.tokens["teacher"]), api(world.tokens["student"])
    _master(app, student, COUNT, wall_ms() - 600_000)
    base = f"/api/v1/classes/{world.class_a}/group-suggestions?skill_id={COUNT}&size=4"
    level = teacher.get(base + "&mode=level").get_json()
    mixed = teacher.get(base + "&mode=mixed").get_json()
    everyone = sorted(m for g in level for m in g["member_ids"])
    assert everyone == sorted(m for g in mixed for m in g["member_ids"])
    assert len(everyone) == len(set(everyone))
    assert all(len(g["member_ids"]) in (3, 4) for g in level + mixed)
    # By level the strongest student leads the first group; mixed spreads levels evenly.
    assert level[0]["member_ids"][0] == world.student
    # Who has answered on the skill is said, so a grouping without answers is not taken
    # for a judgement.
    practised = {m["id"] for g in level for m in g["members"] if m["practised"]}
    assert practised == {world.student}
    assert level[0]["mean_p_known"] >= level[-1]["mean_p_known"]
    means = [g["mean_p_known"] for g in mixed]
    assert max(means) - min(means) <= level[0]["mean_p_known"] - level[-1]["mean_p_known"]
    again = teacher.get(base + "&mode=level").get_json()
    assert [g["member_ids"] for g in again] == [g["member_ids"] for g in level]
    for bad in ("&mode=clever", "&size=1"):
        assert teacher.get(base.replace("&size=4", bad)).status_code == 422
    missing = teacher.get(f"/api/v1/classes/{world.class_a}/group-suggestions?mode=level")
    assert missing.status_code == 422
    unknown = teacher.get(base.replace(COUNT, "baobab-sample:nope"))
    assert unknown.status_code == 404
    # Accept one, then edit it.
    accepted = teacher.post(
        f"/api/v1/classes/{world.class_a}/groups",
        json={k: level[0][k] for k in ("name", "kind", "skill_id", "member_ids")},
    ).get_json()
    keep = accepted["member_ids"][:2] + [world.other_student]
    edited = teacher.patch(
        f"/api/v1/groups/{accepted['id']}", json={"name": "Counters", "member_ids": keep}
    )
    assert edited.status_code == 200
    assert edited.get_json()["member_ids"] == sorted(set(keep))
    assert edited.get_json()["name"] == "Counters"
    stranger = teacher.patch(
        f"/api/v1/groups/{accepted['id']}", json={"member_ids": [world.student_c]}
    )
    assert stranger.status_code == 422
    listed = teacher.get(f"/api/v1/classes/{world.class_a}/groups").get_json()
    assert next(g for g in listed if g["id"] == accepted["id"])["member_ids"] == sorted(set(keep))


def test_profile_history_is_kept_and_shown_to_teachers(app, api, world, db):
    student, teacher = api(world.tokens["student"]), api(world.tokens["teacher"])
    path = f"/api/v1/people/{world.student}/profile"
    assert student.patch(path, json={"interests": ["animals"]}).status_code == 200
    assert student.patch(path, json={"interests": ["space"]}).status_code == 200
    refused = student.patch(path, json={"accommodations": ["extra_time"]})
    assert refused.status_code == 403
    assert (
        teacher.patch(
            path, json={"accommodations": ["extra_time"], "notes": "Sits near the front"}
        ).status_code
        == 200
    )
    history = teacher.get(path + "/history").get_json()
    assert [v["data"]["interests"] for v in history] == [["space"], ["animals"]]
    assert history[0]["data"]["accommodations"] == []
    assert student.get(path + "/history").status_code == 403
    assert RowHistory.select().where(RowHistory.row_id == f"profile:{world.student}").count() == 2


def test_plan_json_and_printable_page(app, api, world):
    teacher, student = api(world.tokens["teacher"]), api(world.tokens["student"])
    teacher.patch(
        f"/api/v1/people/{world.student}/profile",
        json={"interests": ["drums"], "accommodations": ["read_aloud", "larger_text"]},
    )
    student.post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "long", "kind": "master_skill", "skill_id": COUNT, "due_on": "2030-01-01"},
    )
    teacher.post("/api/v1/feedback", json={"person_id": world.student, "text": "Lovely counting!"})
    plan = student.get(f"/api/v1/people/{world.student}/plan").get_json()
    assert plan["accommodations"] == ["read_aloud", "larger_text"]
    assert plan["profile"]["interests"] == ["drums"]
    assert plan["goals"][0]["progress"]["state"] == "on_track"
    assert plan["path"] and plan["feedback"][0]["text"] == "Lovely counting!"
    assert plan["feedback"][0]["author"] == "Ms Mwangi" or plan["feedback"][0]["author"]
    page = teacher.get(f"/people/{world.student}/plan.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    name = plan["person"]["display_name"]
    assert 'href="/static/css/plan.css"' in html  # its print layout: no inline style (CSP)
    assert "@media print" in teacher.get("/static/css/plan.css").get_data(as_text=True)
    for text in (name, "Read aloud, Larger text", "Learn a skill: Count to 10", "Lovely counting!"):
        assert text in html
    assert plan["path"][0]["title"] in html
    assert api(world.tokens["other_student"]).get(
        f"/people/{world.student}/plan.html"
    ).status_code in (403, 404)
    assert api(world.tokens["other_teacher"]).get(
        f"/people/{world.student}/plan.html"
    ).status_code in (403, 404)
    assert api(None).get(f"/people/{world.student}/plan.html").status_code == 401


def test_the_printed_plan_reads_in_the_language_asked_for_else_the_students(api, world):
    teacher = api(world.tokens["teacher"])
    teacher.patch(
        f"/api/v1/people/{world.student}/profile",
        json={"modalities": ["listen"], "accommodations": ["extra_time"]},
    )
    teacher.post(
        f"/api/v1/people/{world.student}/goals",
        json={"term": "short", "kind": "practice_minutes", "target": 30, "due_on": "2030-03-01"},
    )
    plan = teacher.get(f"/api/v1/people/{world.student}/plan").get_json()
    english = unescape(teacher.get(f"/people/{world.student}/plan.html").get_data(as_text=True))
    french = unescape(
        teacher.get(f"/people/{world.student}/plan.html?language=fr").get_data(as_text=True)
    )
    assert '<html lang="en"' in english and '<html lang="fr"' in french
    for text in ("Individual learning plan:", "How I like to learn</th><td>Listening",
                 "No time pressure", "Practise 30 minutes", "This week"):  # fmt: skip
        assert text in english and text not in french, text
    for text in ("Plan d'apprentissage individuel", "Comment j'aime apprendre</th><td>Écouter",
                 "Sans pression du temps", "M'entraîner 30 minutes", "Cette semaine"):  # fmt: skip
        assert text in french, text
    # Days as each language writes them, the goal's and the day it was printed: no ISO day.
    assert "<td>March 1, 2030</td>" in english and "<td>1er mars 2030</td>" in french
    assert "2030-03-01" not in english and "2030-03-01" not in french
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert f"Printed {Words('en').day(today)}" in english
    assert f"Imprimé le {Words('fr').day(today)}" in french
    # Why each step comes next, as the French student app says it (the path is the same).
    assert [s["activity_id"] for s in plan["path"]]
    assert plan["path"][0]["title"] in french
    assert "You are ready" not in french and "Your teacher" not in french
    # No language asked for: the student's own; one the apps do not offer: English.
    teacher.patch(f"/api/v1/people/{world.student}", json={"language": "fr"})
    assert '<html lang="fr"' in teacher.get(f"/people/{world.student}/plan.html").get_data(
        as_text=True
    )
    for odd in ("xx", "../../etc/passwd", ""):
        page = teacher.get(f"/people/{world.student}/plan.html?language={odd}")
        assert page.status_code == 200 and '<html lang="fr"' in page.get_data(as_text=True)


def test_cached_trace_equals_a_full_trace_after_new_and_late_answers(app, api, world):
    """The per-student trace cache folds new answers in; a late one recomputes."""
    student = api(world.tokens["student"])
    items = _items_of_skill(app, COUNT)
    t0 = wall_ms() - 3_600_000

    def both():
        with app.app_context(), database.db.connection_context():
            cat = catalog()
            cached = service.states_of([world.student], cat, t0 + 7_200_000)[world.student]
            full = trace_rows(
                service.answer_rows([world.student], cat)[world.student],
                cat.params,
                t0 + 7_200_000,
            )
            return cached, full

    _answer(student, items[0], True, t0)
    cached, full = both()
    assert cached == full and cached[COUNT].attempts == 1
    _answer(student, items[1], False, t0 + 1000)  # after the last: folded in
    _answer(student, items[0], True, t0 + 2000)
    cached, full = both()
    assert cached == full and cached[COUNT].attempts == 3
    _answer(student, items[1], True, t0 - 5000)  # synced late, sorts first: recomputed
    cached, full = both()
    assert cached == full and cached[COUNT].attempts == 4 and cached[COUNT].correct == 3
    # A wrong guess of where new rows start (rowids renumbered) costs time, not truth.
    _answer(student, items[0], False, t0 + 3000)
    for mark in (0, 10**9):
        entry = service._cache.entries[world.student]
        service._cache.entries[world.student] = replace(entry, mark=mark, rows=entry.rows - 1)
        cached, full = both()
        assert cached == full and cached[COUNT].attempts == 5


def test_catalog_counts_questions_and_learning_favours_activities_that_ask_them(app, api, world):
    with app.app_context(), database.db.connection_context():
        by_id = {c.activity_id: c for c in catalog().candidates}
    assert by_id["baobab-sample:count-to-10-quiz-en"].items == 5
    assert by_id["baobab-sample:project-count-animals-en"].items == 0
    student = api(world.tokens["student"])
    _master(app, student, COUNT, wall_ms() - 60_000)
    recs = student.get(f"/api/v1/people/{world.student}/recommendations?limit=50").get_json()
    scores = {r["activity_id"]: r["score"] for r in recs["items"]}
    # Comparing numbers is next: its quiz (5 questions) and its reading (2), alike
    # otherwise, differ by the questions; the project on counting and comparing comes after.
    quiz, reading = "baobab-sample:compare-numbers-quiz-en", "baobab-sample:compare-numbers-read-en"
    project = "baobab-sample:project-count-animals-en"
    assert scores[quiz] - scores[reading] == pytest.approx(EVIDENCE * 3 / EVIDENCE_ITEMS)
    assert scores[quiz] > scores[reading] > scores[project]
    project_reasons = next(r for r in recs["items"] if r["activity_id"] == project)["reasons"]
    assert project_reasons[0]["code"] == "next_skill"  # still offered, for its skills


def test_attempt_summary_kept_between_calls_equals_one_from_every_attempt(app, api, world):
    """history_of extends its cached summary with new attempts; any doubt reads them all."""
    student = api(world.tokens["student"])
    quiz, reading = "baobab-sample:count-to-10-quiz-en", "baobab-sample:count-to-10-read-en"
    t0 = wall_ms() - 3_600_000

    def both():
        with app.app_context(), database.db.connection_context():
            return recs.history_of(world.student), History.of(goals.attempts_of(world.student))

    cached, full = both()
    assert cached == full == History()
    _attempt(student, quiz, t0, 3, False)
    _attempt(student, reading, t0 + 600_000, 2, True)
    cached, full = both()
    assert cached == full and cached.unfinished == {quiz} and cached.recent == (reading, quiz)
    _attempt(student, quiz, t0 + 1_200_000, 3, True)  # finished this time
    _attempt(student, reading, t0 - 600_000, 1, True)  # synced late: older than the rest
    cached, full = both()
    assert cached == full and cached.completed == {quiz, reading} and not cached.unfinished
    assert cached.recent == (quiz, reading, quiz)
    # A wrong guess of where new rows start (rowids renumbered) costs time, not truth.
    for mark in (0, 10**9):
        entry = recs._histories.entries[world.student]
        recs._histories.entries[world.student] = replace(entry, mark=mark, rows=entry.rows - 1)
        cached, full = both()
        assert cached == full


def _continue_from_every_attempt(person_id: str):
    """The home's "continue" as made before issue 16: from every attempt, newest first."""
    attempts = goals.attempts_of(person_id)
    done = {a.activity_id for a in attempts if a.completed}
    activities = catalog().activities
    for attempt in reversed(attempts):
        if attempt.activity_id not in done and attempt.activity_id in activities:
            return attempt.activity_id, attempt.started_ms
    return None


def test_continue_from_the_cached_summary_equals_one_from_every_attempt(app, api, world):
    """The home's "continue" now comes from the attempts' cached summary, not every attempt."""
    student = api(world.tokens["student"])
    quiz, reading = "baobab-sample:count-to-10-quiz-en", "baobab-sample:count-to-10-read-en"
    t0 = wall_ms() - 3_600_000

    def both():
        home = student.get(f"/api/v1/people/{world.student}/home?language=en").get_json()
        shown = home["continue"]
        with app.app_context(), database.db.connection_context():
            full = _continue_from_every_attempt(world.student)
        return (shown["activity_id"], shown["attempt_started_ms"]) if shown else None, full

    assert both() == (None, None)
    _attempt(student, quiz, t0, 3, False)
    assert both() == ((quiz, t0),) * 2
    _attempt(student, reading, t0 + 600_000, 2, False)
    assert both() == ((reading, t0 + 600_000),) * 2
    _attempt(student, quiz, t0 + 1_200_000, 1, False)  # the quiz again, later: it comes first
    assert both() == ((quiz, t0 + 1_200_000),) * 2
    _attempt(student, quiz, t0 - 600_000, 3, True)  # synced late, but completed: not to continue
    assert both() == ((reading, t0 + 600_000),) * 2
    _attempt(student, reading, t0 + 1_800_000, 2, True)
    assert both() == (None, None)
