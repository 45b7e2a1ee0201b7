"""What a teacher's poll costs the node: the same statements for a class of 3 or of 30.

Regression: the heatmap read each student's mastery through the event cache one
student at a time (a COUNT per student, then their new answers), so a poll of a class
of 50 ran over 50 statements and its cost grew with the class (issue 14). The live
view and the heatmap are counted cold (nothing cached), after every student answered
(the cached summaries extended), and unchanged (the kept view): each must not grow.
"""

from __future__ import annotations

import uuid

from server import db as database
from server.models import Item, Person
from server.services import heatmap, learning, live, mastery, people, schools
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


def _everyone_answers(app, world, kids: list[Person]) -> None:
    with app.app_context(), database.db.connection_context():
        item = Item.get_by_id(world.item_choice)
        for kid in kids:
            learning.record_answer(
                kid, {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer,
                      "device_ms": 1_000, "hints_used": 0},
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
