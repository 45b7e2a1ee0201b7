"""What a teacher's poll costs the node: the same statements for a class of 3 or of 30.

Regression: the heatmap read each student's mastery through the event cache one
student at a time (a COUNT per student, then their new answers), so a poll of a class
of 50 ran over 50 statements and its cost grew with the class (issue 14). The live
view and the heatmap are counted cold (nothing cached), after every student answered
(the cached summaries extended), and unchanged (the kept view): each must not grow.
"""

from __future__ import annotations

import itertools
import time
import uuid

from server import db as database
from server.models import Item, Person
from server.services import event_cache, heatmap, learning, live, mastery, people, schools
from server.services.catalog import catalog

VIEWS = ("live", "heatmap")


def _class_of(app, world, size: int) -> tuple[str, list[Person]]:
    with app.app_context(), database.db.connection_context():
        classroom = schools.create_class(world.school_id, name=f"Class of {size}", grade="G2")
        teacher = Person.get_by_id(world.teacher)
        schools.enrol(classroom, teacher, "teacher")
        kids = [
            people.create_person(world.school_id, "student", f"Kid {size}-{n}",
                                 classroom_id=classroom.id)  # fmt: skip
            for n in range(size)
        ]
    return classroom.id, kids


# Each answer later than the last on the device's clock, as a class's answers come: one
# that sorts before a student's last folded answer (a late sync) rightly starts their
# summary again, which is another path. Equal times made that a coin toss per student
# (random ids), so the test failed by chance (3 students all in order, 30 not).
_device_ms = itertools.count(1_000, 1_000)


def _everyone_answers(app, world, kids: list[Person]) -> None:
    with app.app_context(), database.db.connection_context():
        item = Item.get_by_id(world.item_choice)
        for kid in kids:
            learning.record_answer(
                kid, {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer,
                      "device_ms": next(_device_ms), "hints_used": 0},
            )  # fmt: skip


def _forget_everything() -> None:
    """As a freshly started process: no summary, no kept view."""
    mastery._cache.entries.clear()
    heatmap._memo.views.clear()
    live._windows.clear()


def _poll_costs(app, world, api, seen, classroom_id: str, kids: list[Person]) -> dict:
    teacher = api()
    assert teacher.login("teacher", "baobab-teacher").status_code == 200
    costs = {}
    for view in VIEWS:
        path = f"/api/v1/classes/{classroom_id}/{view}"
        _everyone_answers(app, world, kids)
        _forget_everything()
        assert teacher.get(path).status_code == 200  # compiled queries, catalog: first use
        _forget_everything()
        seen.clear()
        assert teacher.get(path).status_code == 200
        costs[f"{view} cold"] = len(seen)
        _everyone_answers(app, world, kids)
        seen.clear()
        reply = teacher.get(path)
        assert reply.status_code == 200
        costs[f"{view} after every student answered"] = len(seen)
        assert len(reply.get_json()["students"]) == len(kids)
        seen.clear()
        assert teacher.get(path).status_code == 200
        costs[f"{view} unchanged"] = len(seen)
    return costs


def test_a_teachers_poll_costs_the_same_statements_for_3_or_30_students(
    app, world, api, statements
):
    small_id, small = _class_of(app, world, 3)
    large_id, large = _class_of(app, world, 30)
    small_costs = _poll_costs(app, world, api, statements, small_id, small)
    large_costs = _poll_costs(app, world, api, statements, large_id, large)
    grown = {k: (small_costs[k], n) for k, n in large_costs.items() if n > small_costs[k]}
    assert not grown, f"statements grew with the class (3 students, 30 students): {grown}"


def test_the_summaries_read_together_equal_those_read_one_by_one(app, world):
    """``get_many`` (cold, extended, some cached) gives what ``get`` gives per student."""
    _, kids = _class_of(app, world, 6)
    _everyone_answers(app, world, kids)
    ids = [k.id for k in kids]
    with app.app_context(), database.db.connection_context():
        cat = catalog()
        for step in range(3):
            if step == 1:
                mastery._cache.entries.pop(ids[0])  # one student read afresh, others extended
            together = mastery._cache.get_many(ids, cat)
            mastery._cache.entries.clear()
            alone = {p: mastery._cache.get(p, cat) for p in ids}
            assert together == alone, step
            _everyone_answers(app, world, kids[::2])
            assert all(together[p].folded for p in ids)


def _answer(kid: Person, item: Item, device_ms: int) -> None:
    learning.record_answer(
        kid, {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer,
              "device_ms": device_ms, "hints_used": 0},
    )  # fmt: skip


def _one_by_one(ids: list[str], cat) -> dict:
    """Each student's summary made from all of their rows, nothing kept."""
    kept = dict(mastery._cache.entries)
    mastery._cache.entries.clear()
    try:
        return {p: mastery._cache.get(p, cat) for p in ids}
    finally:
        mastery._cache.entries.clear()
        mastery._cache.entries.update(kept)


def test_polls_while_the_class_works_read_new_rows_and_stay_equal_to_the_whole(app, world):
    """Regression: every heatmap poll counted all of the class's answers (5 ms at 40,000,
    growing with the lesson). Between counts a poll reads the rows past its marks only;
    poll after poll, the summaries equal those made from every row."""
    _, kids = _class_of(app, world, 5)
    ids = [k.id for k in kids]
    with app.app_context(), database.db.connection_context():
        cat = catalog()
        item = Item.get_by_id(world.item_choice)
        mastery._cache.entries.clear()
        mastery._cache.get_many(ids, cat)  # counted: the marks are set
        for poll in range(4):
            for n, kid in enumerate(kids[: poll + 2]):  # some students answer, some do not
                _answer(kid, item, 10_000 * (poll + 1) + n)
            together = mastery._cache.get_many(ids, cat)
            assert together == _one_by_one(ids, cat), poll
        # A late answer (synced from a tablet that was offline) sorts before the last one
        # folded: the summary cannot be extended and is made again from every row.
        _answer(kids[0], item, 5)
        assert mastery._cache.get_many(ids, cat) == _one_by_one(ids, cat)
        # A student's own request (``get``) in between leaves a summary the class's next
        # poll extends as well.
        _answer(kids[1], item, 90_000)
        mastery._cache.get(kids[1].id, cat)
        _answer(kids[1], item, 90_001)
        _answer(kids[2], item, 90_002)
        assert mastery._cache.get_many(ids, cat) == _one_by_one(ids, cat)


def test_between_counts_a_poll_counts_nothing_and_a_recount_sees_a_removed_row(
    app, world, statements, monkeypatch
):
    _, kids = _class_of(app, world, 4)
    ids = [k.id for k in kids]
    with app.app_context(), database.db.connection_context():
        cat = catalog()
        item = Item.get_by_id(world.item_choice)
        for n, kid in enumerate(kids):
            _answer(kid, item, 1_000 + n)
        mastery._cache.entries.clear()
        mastery._cache.get_many(ids, cat)
        _answer(kids[0], item, 2_000)
        statements.clear()
        mastery._cache.get_many(ids, cat)
        assert not [s for s in statements if "COUNT(" in s.upper()], statements
        # A row removed under the cache (an erasure) is only seen by a count: within
        # RECOUNT_S the kept summary stands, after it the summary is made again.
        database.db.execute_sql(
            "DELETE FROM answer WHERE rowid = (SELECT MAX(rowid) FROM answer WHERE person_id = ?)",
            (kids[0].id,),
        )
        clock = [time.monotonic() + event_cache.RECOUNT_S + 1]
        monkeypatch.setattr(event_cache.time, "monotonic", lambda: clock[0])
        statements.clear()
        after = mastery._cache.get_many(ids, cat)
        assert [s for s in statements if "COUNT(" in s.upper()]
        assert after == _one_by_one(ids, cat)
        assert after[kids[0].id].folded != {}
