"""The demo school: what a fresh ``scripts/serve`` shows, and what tests can lean on."""

from __future__ import annotations

from typing import Any

from ..db import write_transaction
from ..models import Activity, LocalNode, School
from ..paths import SAMPLE_PACK_DIR
from . import content, learning, people, schools

DEMO_TEACHER = ("teacher", "baobab-teacher")
DEMO_ADMIN = ("admin", "baobab-admin")
DEMO_PICTURES = ["sun", "goat", "drum"]

_CLASS_A = ("Acacia class", "Grade 1", True)
_CLASS_B = ("Baobab class", "Kindergarten", False)
_STUDENTS_A = [
    ("Amina", "sun"),
    ("Kofi", "goat"),
    ("Fatou", "drum"),
    ("Juma", "ball"),
    ("Léa", "flower"),
    ("Moussa", "fish"),
    ("Nia", "bird"),
    ("Oumar", "tree"),
    ("Zawadi", "star"),
    ("Idrissa", "boat"),
    ("Awa", "moon"),
    ("Tariq", "house"),
    ("Chidi", "sun"),
]
_STUDENTS_B = [
    ("Aïcha", "goat"),
    ("Baraka", "drum"),
    ("Koffi", "ball"),
    ("Mariam", "flower"),
    ("Salif", "fish"),
    ("Wanjiru", "bird"),
    ("Yao", "tree"),
    ("Ndeye", "star"),
    ("Ibrahim", "boat"),
    ("Rokia", "moon"),
    ("Thabo", "house"),
    ("Esi", "sun"),
]


def has_school() -> bool:
    """Say whether this node belongs to a school (paired, enrolled) or holds one."""
    node = LocalNode.get_or_none()
    return bool(node is not None and node.school_id) or School.live().exists()


def wanted(role: str) -> bool:
    """Say whether `serve` should seed the demo: never on a hub, never over a school."""
    return role != "hub" and not has_school()


def seed_demo(data_dir: str) -> dict[str, Any]:
    """Create the demo school, classes, teacher, admin, 25 students and sample content."""
    counts = content.import_pack(SAMPLE_PACK_DIR, data_dir)
    with write_transaction():
        school = schools.create_school("Baobab Demo School", "DEMO", ["en", "fr"])
        admin = people.create_person(
            school.id, "admin", "Ms Admin", username=DEMO_ADMIN[0], password=DEMO_ADMIN[1]
        )
        teacher = people.create_person(
            school.id, "teacher", "Mr Mensah", username=DEMO_TEACHER[0], password=DEMO_TEACHER[1]
        )
        classes = []
        for (name, grade, pictures), roster in ((_CLASS_A, _STUDENTS_A), (_CLASS_B, _STUDENTS_B)):
            classroom = schools.create_class(
                school.id, name=name, grade=grade, language="en", picture_password=pictures
            )
            schools.enrol(classroom, teacher, "teacher")
            for display_name, picture in roster:
                people.create_person(
                    school.id,
                    "student",
                    display_name,
                    picture=picture,
                    pictures=DEMO_PICTURES,
                    classroom_id=classroom.id,
                )
            classes.append(classroom)
        first_readings = (
            Activity.live()
            .where((Activity.language == "en") & (Activity.kind == "reading"))
            .order_by(Activity.difficulty, Activity.id)
            .limit(2)
        )
        for activity in first_readings:
            for classroom in classes:
                learning.create_assignment(
                    teacher,
                    classroom,
                    {"activity_id": activity.id, "due_on": None, "pinned": False, "note": ""},
                )
    return {
        "school": school.name,
        "admin": admin.username,
        "teacher": teacher.username,
        "students": len(_STUDENTS_A) + len(_STUDENTS_B),
        "content": counts,
    }
