"""Two nodes changing one authored activity's skill before a sync agree on one skill after.

Regression: each edit tombstoned the activity's skill link and made a new link row
named by the new skill, so two nodes that both changed the skill made two live links;
after the sync the activity was tied to both skills on every node until someone saved
it again. Now every edit updates the activity's one link row, and the later save wins
by the replication clock, like any mutable row.
"""

from __future__ import annotations

import pytest

from server.api.schemas.library import AuthoredActivityEditSchema, AuthoredActivitySchema
from server.models import ActivitySkill, Person, Skill
from server.services import authoring, people

from .harness import Node, sync

SKILLS = ("district:count", "district:add", "district:share")


@pytest.fixture
def pair():
    a = Node(name="a")
    b = Node(a.school_id, "b")
    for node in (a, b):  # the district's skills, as each node holds them from the hub
        with node.bound():
            for skill_id in SKILLS:
                Skill(
                    id=skill_id, partition="district", pack_id="district", slug=skill_id[9:],
                    title={"en": skill_id}, standard="S",
                ).save(force_insert=True)  # fmt: skip
    yield a, b
    a.close()
    b.close()


def _quiz(skill_id: str) -> dict:
    return {
        "kind": "quiz", "title": "Our market", "language": "en", "skill_id": skill_id,
        "text": "Ama sells 3 mangoes.", "image": None,
        "items": [{"type": "numeric", "prompt": "3 + 4 = ?", "answer": 7}],
    }  # fmt: skip


def _teacher(node: Node) -> Person:
    with node.bound():
        return people.create_person(node.school_id, "teacher", f"Teacher {node.name}")


def _edit(node: Node, teacher: Person, activity: dict, skill_id: str) -> None:
    body = {**_quiz(skill_id), "items": [dict(activity["items"][0])]}
    keep = ("id", "type", "prompt", "choices", "answer", "tolerance", "hints")
    body["items"] = [{k: body["items"][0][k] for k in keep}]
    with node.bound():
        authoring.update_activity(teacher, activity["id"], AuthoredActivityEditSchema().load(body))


def _skills(node: Node, activity_id: str) -> list[str]:
    with node.bound():
        links = ActivitySkill.live().where(ActivitySkill.activity_id == activity_id)
        return sorted(link.skill_id for link in links)


def test_two_nodes_changing_an_activitys_skill_before_a_sync_agree_on_the_later_one(pair):
    a, b = pair
    teacher_a, teacher_b = _teacher(a), _teacher(b)
    with a.bound():
        activity = authoring.create_activity(
            teacher_a, AuthoredActivitySchema().load(_quiz(SKILLS[0]))
        )
    sync(b, a)
    assert _skills(b, activity["id"]) == [SKILLS[0]]

    _edit(a, teacher_a, activity, SKILLS[1])  # apart, a changes the skill, then b (later)
    _edit(b, teacher_b, activity, SKILLS[2])
    sync(a, b)
    sync(b, a)
    assert _skills(a, activity["id"]) == _skills(b, activity["id"]) == [SKILLS[2]]

    # And the other way round: the later edit wins whichever node made it.
    _edit(b, teacher_b, activity, SKILLS[0])
    _edit(a, teacher_a, activity, SKILLS[1])
    sync(b, a)
    sync(a, b)
    assert _skills(a, activity["id"]) == _skills(b, activity["id"]) == [SKILLS[1]]
    for node in (a, b):
        with node.bound():
            detail = authoring.activity_detail(activity["id"], with_answers=True)
            assert detail["skills"] == [SKILLS[1]], node.name


def test_an_activity_left_tied_to_two_skills_by_an_older_version_is_tied_to_one_by_a_save(pair):
    """Two live links (the race before this fix) become one link at the next save, on
    every node after a sync."""
    a, b = pair
    teacher = _teacher(a)
    with a.bound():
        activity = authoring.create_activity(
            teacher, AuthoredActivitySchema().load(_quiz(SKILLS[0]))
        )
        ActivitySkill.create(
            id=f"{activity['id']}>{SKILLS[2]}", partition=f"school:{a.school_id}",
            activity_id=activity["id"], skill_id=SKILLS[2],
        )  # fmt: skip
    sync(b, a)
    assert _skills(b, activity["id"]) == [SKILLS[0], SKILLS[2]]
    _edit(a, teacher, activity, SKILLS[1])
    sync(b, a)
    assert _skills(a, activity["id"]) == _skills(b, activity["id"]) == [SKILLS[1]]
