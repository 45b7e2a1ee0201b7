"""Merges the app can show: group membership made on two nodes, a deletion against an edit,
and a paired node that never takes a demo school."""

from __future__ import annotations

import json

import pytest

from server.auth.access import can_view_person
from server.models import GroupMember, LocalNode, Person
from server.node import identity
from server.services import demo, groups, people, schools
from sync.ids import new_id
from tests.sync.harness import Node, sync


@pytest.fixture
def school():
    """Two nodes of one school with a class, its teacher and two students, synced."""
    a = Node(name="a", node_id="node-a")
    b = Node(a.school_id, name="b", node_id="node-b")
    with a.bound():
        classroom = schools.create_class(a.school_id, name="Acacia", grade="1")
        teacher = people.create_person(
            a.school_id, "teacher", "Ms T", username="t", password="teacher-pw",
            classroom_id=classroom.id,
        )  # fmt: skip
        kids = [
            people.create_person(a.school_id, "student", name, classroom_id=classroom.id)
            for name in ("Ada", "Bea")
        ]
        group = groups.create_group(
            classroom, {"name": "G", "kind": "custom", "member_ids": [kids[0].id]}
        )
    sync(b, a)
    yield a, b, {"class": classroom.id, "teacher": teacher.id, "kids": [k.id for k in kids]}, group
    a.close()
    b.close()


def test_same_student_added_to_a_group_on_two_nodes_is_one_member(school):
    """Broke: membership rows got random ids, so the same student added on two nodes
    appeared twice in member_ids everywhere."""
    a, b, ids, group = school
    kid = ids["kids"][1]
    for node in (a, b):
        with node.bound():
            teacher = Person.get_by_id(ids["teacher"])
            groups.update_group(teacher, group["id"], {"member_ids": [ids["kids"][0], kid]})
    sync(b, a)
    sync(b, a)
    for node in (a, b):
        with node.bound():
            live = GroupMember.live().where(
                (GroupMember.group_id == group["id"]) & (GroupMember.person_id == kid)
            )
            assert live.count() == 1
            view = groups.group_view(groups.Group.get_by_id(group["id"]))
            assert view["member_ids"] == sorted(ids["kids"])


def test_membership_doubled_before_shared_ids_is_listed_once(school):
    """Rows doubled by older versions stay in the database: the listing folds them."""
    a, _b, ids, group = school
    with a.bound():
        GroupMember.create_many(
            [{"id": new_id(), "group_id": group["id"], "person_id": ids["kids"][0],
              "partition": f"school:{a.school_id}"}]
        )  # fmt: skip
        view = groups.group_view(groups.Group.get_by_id(group["id"]))
    assert view["member_ids"] == [ids["kids"][0]]


def test_removed_then_added_again_revives_the_same_membership(school):
    a, _b, ids, group = school
    with a.bound():
        teacher = Person.get_by_id(ids["teacher"])
        groups.update_group(teacher, group["id"], {"member_ids": []})
        view = groups.update_group(teacher, group["id"], {"member_ids": [ids["kids"][0]]})
    assert view["member_ids"] == [ids["kids"][0]]


def test_student_deleted_on_one_node_and_edited_on_another_can_be_found_and_enrolled(school):
    """Broke: a deletion on A met a later edit on B; the edit won, and the student came
    back live but in no class: off the sign-in screen and refused to the teacher."""
    a, b, ids, _group = school
    kid = ids["kids"][1]
    with a.bound():
        people.delete_person(Person.get_by_id(kid))
    with b.bound():
        people.update_person(Person.get_by_id(kid), {"display_name": "Bea B."})
    sync(b, a)
    sync(b, a)
    with a.bound():
        student = Person.get_by_id(kid)
        assert not student.deleted and student.display_name == "Bea B."
        teacher = Person.get_by_id(ids["teacher"])
        assert can_view_person(teacher, student)
        assert kid in {p.id for p in people.list_people(teacher, "student", None)}
        assert [p.id for p in people.students_without_class(a.school_id)] == [kid]
        classroom = schools.get_class(teacher, ids["class"], manage=True)
        schools.enrol(classroom, student)
        assert kid in {p.id for p in schools.class_students(classroom)}
        assert people.students_without_class(a.school_id) == []


def test_teacher_does_not_see_placed_students_of_other_classes(school):
    """The widening is only for students in no class."""
    a, _b, ids, _group = school
    with a.bound():
        other = schools.create_class(a.school_id, name="Baobab", grade="2")
        stranger = people.create_person(a.school_id, "student", "Cy", classroom_id=other.id)
        teacher = Person.get_by_id(ids["teacher"])
        assert not can_view_person(teacher, stranger)
        assert stranger.id not in {p.id for p in people.list_people(teacher, "student", None)}


def test_paired_node_never_seeds_a_demo_school():
    """Broke: `serve` after `pair` seeded a demo school, because the check counted School
    rows (none yet, before the first sync) and not the school the node belongs to."""
    fresh = Node(name="fresh", node_id="node-fresh")
    try:
        with fresh.bound():
            # Node() made a school; a fresh, paired node has only its school id.
            schools.School.delete().execute()
            LocalNode.update(school_id=None).execute()
            assert demo.wanted("node")
            assert not demo.wanted("hub")
            identity.set_school("paired-school")
            assert not demo.wanted("node")
    finally:
        fresh.close()


def test_one_answer_id_posted_with_two_contents_converges_and_is_counted():
    """Item 6 of issue 12. Broke: the same device-made id posted with different content
    on two nodes was kept by both, each its own version, forever and silently. Now the
    first made (lower hlc, origin) is kept on every replica, the other is in history,
    and the conflict is counted in the sync result and on GET /node (id_conflicts)."""
    from server.models import Answer, RowHistory
    from server.replication import peers
    from sync.stamp import school_partition

    a = Node(name="a", node_id="node-a")
    b = Node(a.school_id, name="b", node_id="node-b")
    c = Node(a.school_id, name="c", node_id="node-c")
    answer_id = new_id()
    made = {}
    for node, response in ((a, "1"), (b, "2")):
        with node.bound():
            Answer(
                id=answer_id, partition=school_partition(a.school_id), person_id="kid",
                activity_id="act", item_id="item", response=response, correct=response == "1",
                device_ms=5, received_ms=6,
            ).save(force_insert=True)  # fmt: skip
            row = Answer.get_by_id(answer_id)
            made[node.name] = ((row.hlc, row.origin, row.counter), response)
    first, other = sorted(made.values())
    try:
        result = sync(b, a)  # b pulls a's version: counted there if a's is kept
        assert result.pulled.id_conflicts == (1 if made["a"] == first else 0)
        sync(c, a)
        sync(b, a)
        sync(c, b)
        for node in (a, b, c):
            with node.bound():
                assert Answer.get_by_id(answer_id).response == first[1]
                kept = RowHistory.select().where(RowHistory.row_id == answer_id)
                assert [json.loads(h.data["response"]) for h in kept] == [other[1]]
                assert peers.id_conflicts() == 1
    finally:
        for node in (a, b, c):
            node.close()
