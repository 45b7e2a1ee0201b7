"""A district's OneRoster bundle imported at the hub: each school's people go to that
school's partition only, so each school's nodes receive only their own (issue 15, item 4)."""

from __future__ import annotations

import pytest

from server.errors import InvalidInput
from server.interop.oneroster import read_oneroster
from server.models import Classroom, Person, School
from server.services import roster
from sync.stamp import school_partition
from tests.helpers.roster_bundles import DISTRICT_USERS, district_bundle


@pytest.fixture
def hill(db):
    """A second school of the district, known to the hub by its code."""
    school = School(name="Hill School", code="hill")
    school.partition = school_partition(school.id)
    school.save(force_insert=True)
    return school


def _people(source_ids: list[str]) -> dict[str, tuple[str, str]]:
    rows = Person.live().where(Person.source_id.in_(source_ids))
    return {p.source_id: (p.school_id, p.partition) for p in rows}


def test_district_roster_routes_each_person_to_their_schools_partition(db, world, hill):
    result = roster.import_district_roster(read_oneroster(district_bundle(world.school_id)))
    assert set(result["schools"]) == {world.school_id, hill.id}
    mine, theirs = school_partition(world.school_id), school_partition(hill.id)
    assert _people(["user-t1", "user-s1", "user-t2", "user-s2"]) == {
        "user-t1": (world.school_id, mine),
        "user-s1": (world.school_id, mine),
        "user-t2": (hill.id, theirs),
        "user-s2": (hill.id, theirs),
    }
    hill_class = Classroom.live().where(Classroom.source_id == "class-2").get()
    assert (hill_class.school_id, hill_class.partition) == (hill.id, theirs)


def test_roster_org_with_no_school_imports_nothing_anywhere(db, world):
    """An org the hub cannot match is refused: no school gets its part either (all or nothing)."""
    with pytest.raises(InvalidInput) as refused:
        roster.import_district_roster(read_oneroster(district_bundle(world.school_id)))
    problems = refused.value.details["problems"]
    assert [(p["file"], p["field"]) for p in problems] == [("orgs.csv", "sourcedId")]
    assert _people(["user-t1", "user-s1", "user-t2", "user-s2"]) == {}


def test_person_of_no_school_is_reported_not_guessed(db, world, hill):
    """A user only in the district org cannot be routed: reported, nothing imported."""
    users = DISTRICT_USERS.format(first=world.school_id) + (
        "user-x,,,true,district-1,student,,,Lost,Child,,,,,,,01,\n"
    )
    with pytest.raises(InvalidInput) as refused:
        roster.import_district_roster(read_oneroster(district_bundle(world.school_id, users=users)))
    assert [p["field"] for p in refused.value.details["problems"]] == ["orgSourcedIds"]
    assert _people(["user-t1", "user-s2"]) == {}
