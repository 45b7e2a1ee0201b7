"""Goal progress rules on hand-made goals and attempts (no database)."""

from __future__ import annotations

from datetime import datetime, timezone

from server.learning.ranking import Done
from server.learning.tracing import SkillMastery
from server.models import Goal
from server.services.goals import period, practice_minutes, progress

DAY = 86_400_000


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


NOW = ms("2027-03-10T12:00:00")  # a Wednesday


def goal(**fields) -> Goal:
    return Goal(
        **{"person_id": "p", "set_by": "p", "status": "active", "activity_ids": [], **fields}
    )


def test_short_period_is_the_calendar_week_and_long_a_term():
    assert period("short", None, NOW) == (ms("2027-03-08T00:00:00"), ms("2027-03-15T00:00:00"))
    assert period("short", "2027-03-21", NOW) == (
        ms("2027-03-15T00:00:00"),
        ms("2027-03-22T00:00:00"),
    )
    start, end = period("long", None, NOW)
    assert end == ms("2027-03-15T00:00:00") and (end - start) == 13 * 7 * DAY


def test_practice_minutes_clip_to_the_period_and_cap_long_attempts():
    start, end = ms("2027-03-08T00:00:00"), ms("2027-03-15T00:00:00")
    spans = [
        Done("a", start - 10 * 60_000, start + 5 * 60_000, True),  # 5 min inside
        Done("b", start + DAY, start + DAY + 30 * 60_000, False),  # 30 min
        Done("c", start + 2 * DAY, start + 3 * DAY, True),  # a day left open: 120
        Done("d", end, end + 60_000, True),  # after the week
    ]
    assert practice_minutes(spans, start, end) == 155


def test_behind_when_less_done_than_the_time_elapsed_asks():
    # Set 10 days ago, due in 10 days: half the time gone.
    created = NOW - 10 * DAY
    due = "2027-03-19"  # its end is 2027-03-20T00:00, 9.5 days from NOW
    learning = SkillMastery("s", 0.3, 0.3, 4, 2, NOW - DAY, False, False)
    g = goal(term="long", kind="master_skill", skill_id="s", due_on=due, created_ms=created)
    p = progress(g, {"s": learning}, [], NOW)
    # elapsed = 10 / 19.5 = 0.513; fraction = 0.3 / 0.95 = 0.316 < 0.513 - 0.1: behind.
    assert p["state"] == "behind" and p["fraction"] == round(0.3 / 0.95, 4)
    nearly = SkillMastery("s", 0.5, 0.5, 4, 3, NOW - DAY, False, False)
    assert progress(g, {"s": nearly}, [], NOW)["state"] == "on_track"  # 0.526 >= 0.413
    no_due = goal(term="long", kind="master_skill", skill_id="s", created_ms=created)
    assert progress(no_due, {"s": learning}, [], NOW)["state"] == "on_track"
    late = goal(term="short", kind="finish_activities", activity_ids=["x"], due_on="2027-03-09")
    assert progress(late, {}, [], NOW)["state"] == "behind"
    done = goal(term="short", kind="finish_activities", activity_ids=["x"], due_on="2027-03-09")
    finished = [Done("x", NOW - DAY, NOW - DAY + 60_000, True)]
    assert progress(done, {}, finished, NOW)["state"] == "done"


def test_practice_goal_is_paced_by_its_week():
    g = goal(term="short", kind="practice_minutes", target=60, created_ms=NOW)
    monday = ms("2027-03-08T09:00:00")
    # Wednesday noon: 2.5 of 7 days gone (0.357); 10 minutes is 0.167 < 0.257: behind.
    ten = [Done("a", monday, monday + 10 * 60_000, True)]
    assert progress(g, {}, ten, NOW) == {
        "value": 10.0, "target": 60, "fraction": 0.1667, "state": "behind",
    }  # fmt: skip
    thirty = [Done("a", monday, monday + 30 * 60_000, True)]
    assert progress(g, {}, thirty, NOW)["state"] == "on_track"


def test_free_text_waits_for_the_teacher():
    g = goal(term="long", kind="free_text", text="Help a friend")
    assert progress(g, {}, [], NOW)["state"] == "needs_review"
    g.status = "done"
    assert progress(g, {}, [], NOW) == {"value": 1, "target": 1, "fraction": 1.0, "state": "done"}
