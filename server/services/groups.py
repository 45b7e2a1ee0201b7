"""Groups of students within a class, formed by the teacher."""

from __future__ import annotations

import hashlib
from typing import Any

from ..auth.access import class_ids, group_ids
from ..db import write_transaction
from ..errors import InvalidInput
from ..models import (
    Classroom,
    Enrollment,
    Group,
    GroupMember,
    Person,
)
from .rows import get_live
from .schools import class_students, get_class


def member_id(group_id: str, person_id: str) -> str:
    """The id of a student's membership of a group, the same on every node.

    The same student added to a group on two nodes is then one row, merged by the
    mutable rule, rather than two rows that both say so.
    """
    key = f"{group_id}\x00{person_id}".encode()
    return "member:" + hashlib.sha256(key).hexdigest()[:40]


def group_view(group: Group) -> dict[str, Any]:
    """A group with its member ids (each once: rows made before ids were shared may double)."""
    members = GroupMember.live(GroupMember.person_id).where(GroupMember.group_id == group.id)
    return {**group.__data__, "member_ids": sorted({m.person_id for m in members})}


def _add_members(group: Group, person_ids: list[str]) -> None:
    """Add students to a group under their shared ids, reviving a membership removed before."""
    if not person_ids:
        return
    ids = {member_id(group.id, p): p for p in person_ids}
    removed = GroupMember.select().where(GroupMember.id.in_(list(ids)))
    for member in removed:  # a tombstone under the shared id: the same row comes back
        member.deleted = False
        member.save()
        ids.pop(member.id)
    GroupMember.create_many(
        [
            {"id": key, "group_id": group.id, "person_id": p, "partition": group.partition}
            for key, p in ids.items()
        ]
    )


def list_groups(classroom: Classroom) -> list[dict[str, Any]]:
    """The groups of a class."""
    groups = Group.live().where(Group.classroom_id == classroom.id).order_by(Group.name)
    return [group_view(g) for g in groups]


def create_group(classroom: Classroom, data: dict[str, Any]) -> dict[str, Any]:
    """Form a group of students of the class."""
    students = {p.id for p in class_students(classroom)}
    strangers = [m for m in data["member_ids"] if m not in students]
    if strangers:
        raise InvalidInput(
            "Only students of this class can be in its groups.", {"member_ids": strangers}
        )
    with write_transaction():
        group = Group(
            classroom_id=classroom.id,
            partition=classroom.partition,
            name=data["name"],
            kind=data["kind"],
            skill_id=data.get("skill_id"),
        )
        group.save(force_insert=True)
        _add_members(group, list(dict.fromkeys(data["member_ids"])))
    return group_view(group)


def update_group(user: Person, group_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Rename a group or set its members (the whole list): the teacher's edit of a suggestion."""
    group = get_live(Group, group_id, "group")
    classroom = get_class(user, group.classroom_id, manage=True)
    wanted = list(dict.fromkeys(changes.get("member_ids", [])))
    if "member_ids" in changes:
        students = {p.id for p in class_students(classroom)}
        strangers = [m for m in wanted if m not in students]
        if strangers:
            raise InvalidInput(
                "Only students of this class can be in its groups.", {"member_ids": strangers}
            )
    with write_transaction():
        if changes.get("name") and changes["name"] != group.name:
            group.name = changes["name"]
            group.save()
        if "member_ids" in changes:
            current = list(GroupMember.live().where(GroupMember.group_id == group.id))
            for member in current:
                if member.person_id not in wanted:
                    member.delete_instance()
            have = {m.person_id for m in current if m.person_id in wanted}
            _add_members(group, [m for m in wanted if m not in have])
    return group_view(group)


def delete_group(user: Person, group_id: str) -> None:
    """Dissolve a group."""
    group = get_live(Group, group_id, "group")
    get_class(user, group.classroom_id, manage=True)
    with write_transaction():
        for member in GroupMember.live().where(GroupMember.group_id == group.id):
            member.delete_instance()
        group.delete_instance()


def groups_of_student(person: Person) -> list[dict[str, Any]]:
    """The groups a student is in, in the classes they are in, by name, each with the
    others in it who are still students of its class (their home's "My group").

    Reads only tables whose changes raise the home's version (home_reads.TABLES): the
    home keeps what this returns until one of them changes.
    """
    classes, mine = class_ids(person, "student"), group_ids(person)
    if not classes or not mine:
        return []
    groups = list(
        Group.live()
        .where(Group.id.in_(sorted(mine)) & Group.classroom_id.in_(sorted(classes)))
        .order_by(Group.name, Group.id)
    )
    members: dict[str, list[str]] = {g.id: [] for g in groups}
    rows = GroupMember.live(GroupMember.group_id, GroupMember.person_id).where(
        GroupMember.group_id.in_(list(members)) & (GroupMember.person_id != person.id)
    )
    for group_id, person_id in rows.tuples():
        members[group_id].append(person_id)
    others = sorted({p for ids in members.values() for p in ids})
    placed = set(
        Enrollment.live(Enrollment.classroom_id, Enrollment.person_id)
        .where(Enrollment.person_id.in_(others) & (Enrollment.role == "student"))
        .tuples()
    )
    names = dict(
        Person.live(Person.id, Person.display_name)
        .where(Person.id.in_(others) & (Person.archived == False))  # noqa: E712
        .tuples()
    )
    return [
        {
            "id": g.id,
            "name": g.name,
            "others": sorted(
                (
                    {"id": p, "display_name": names[p]}
                    for p in members[g.id]
                    if p in names and (g.classroom_id, p) in placed
                ),
                key=lambda m: (m["display_name"].casefold(), m["id"]),
            ),
        }
        for g in groups
    ]
