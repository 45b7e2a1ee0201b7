"""Rows by id, compiled once (rows.live_by_id), and the sign-in rules that use them."""

from __future__ import annotations

import pytest

from server import db as database
from server.errors import NotFound
from server.models import (
    Activity,
    Asset,
    Assignment,
    Classroom,
    Enrollment,
    Item,
    Person,
    School,
    Skill,
)
from server.services import people, rows, schools
from server.services.demo import DEMO_PICTURES

MODELS = (Person, School, Classroom, Enrollment, Assignment, Activity, Item, Skill, Asset)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_rows_by_id_are_the_rows_peewee_reads(db, model):
    live = list(model.live())
    assert live
    for expected in live:
        found = rows.live_by_id(model, expected.id)
        assert type(found) is model
        assert found.__data__ == expected.__data__  # JSON, booleans, nulls converted alike
        assert not found._dirty
    assert rows.live_by_id(model, "no-such-id") is None


def test_tombstones_are_not_found(db, world):
    person = rows.get_live(Person, world.other_student, "person")
    people.delete_person(person)
    assert rows.live_by_id(Person, world.other_student) is None
    tombstone = rows.row_by_id(Person, world.other_student, live=False)
    assert tombstone.deleted is True and tombstone.__data__ == Person.get_by_id(person.id).__data__
    with pytest.raises(NotFound, match="No person with id"):
        rows.get_live(Person, world.other_student, "person")


def test_a_row_read_by_id_saves_like_any_other(db, world):
    person = rows.get_live(Person, world.student, "person")
    counter = person.counter
    people.update_person(person, {"display_name": "Renamed"})
    again = rows.get_live(Person, world.student, "person")
    assert again.display_name == "Renamed" and again.counter > counter


def test_a_child_in_no_class_still_needs_their_pictures(app, api, world):
    with app.app_context(), database.db.connection_context():
        person = people.create_person(
            world.school_id, "student", "Loner", pictures=["moon", "moon", "fish"]
        )
    caller = api()
    assert caller.student_login(person.id, []).status_code == 401
    assert caller.student_login(person.id, ["moon", "moon", "fish"]).status_code == 200


def test_only_students_sign_in_with_pictures(api, world):
    refused = api().student_login(world.teacher, DEMO_PICTURES)
    assert refused.status_code == 404
    assert api().student_login("no-such-child", DEMO_PICTURES).status_code == 404


def test_a_class_that_asks_for_pictures_wins_over_one_that_does_not(app, api, world):
    with app.app_context(), database.db.connection_context():
        open_class = Classroom.get(Classroom.picture_password == False)  # noqa: E712
        schools.enrol(open_class, rows.get_live(Person, world.student, "person"))
    caller = api()
    assert caller.student_login(world.student, []).status_code == 401
    assert caller.student_login(world.student, DEMO_PICTURES).status_code == 200
