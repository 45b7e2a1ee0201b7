"""A school's own simple activities, authored on the device by its teachers.

A reading with a picture (and questions after it, if the teacher wants), or a quiz
of choice, number and short-text items, tied to one skill of the graph. They are
stored as ordinary Activity, ActivitySkill, Item and Asset rows in the school's
partition, all named under the school's prefix (``models.content.authored_prefix``):
they sync to the school's other nodes like any teachers' work, and are never taken
for the district's content (``replication/store.py`` refuses anything else in a
school's partition). Students play them like any activity. A teacher edits one
later (``update_activity``) without deleting a question: see docs/teacher-guide.md.
"""

from __future__ import annotations

from typing import Any

from sync.ids import new_id
from sync.stamp import school_partition

from ..auth.access import require
from ..db import write_transaction
from ..db.blobs import digest, store_blob
from ..errors import InvalidInput
from ..interop.svg_check import svg_problems
from ..models import Activity, ActivitySkill, Asset, Item, Person, Skill
from ..models.content import authored_pack, authored_prefix
from .content import activity_detail
from .photos import PHOTO_MAX_BYTES, check_image
from .rows import get_live

#: A teacher's picture: the photo limit (the app sends a downscaled JPEG or PNG).
IMAGE_MAX_BYTES = PHOTO_MAX_BYTES
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/svg+xml")
MODALITY = {"reading": "read", "quiz": "do"}


def store_image(user: Person, data: bytes, declared: str, data_dir: str) -> dict[str, Any]:
    """Check and keep a picture for the school's own activities; its digest names it.

    The same checks as everywhere a picture comes in: a JPEG, PNG or WebP must be
    what it says (``photos.check_image``), an SVG must hold no script, link or
    style that reaches out (``svg_check``). Nothing is stored when a check fails.
    """
    if declared == "image/svg+xml":
        problems = svg_problems(data)
        if problems:
            raise InvalidInput("That SVG picture was refused.", {"problems": problems})
        media_type = declared
    elif declared in IMAGE_TYPES:
        media_type = check_image(data, declared)
    else:
        raise InvalidInput(
            f"Send the picture as one of {', '.join(IMAGE_TYPES)}.", {"content_type": [declared]}
        )
    sha256 = digest(data)
    store_blob(data_dir, sha256, data)
    with write_transaction():
        held = Asset.get_or_none(Asset.id == sha256)
        if held is None:
            Asset.create(
                id=sha256,
                partition=school_partition(user.school_id),
                pack_id=authored_pack(user.school_id),
                media_type=media_type,
                size=len(data),
            )
        elif held.deleted and held.pack_id == authored_pack(user.school_id):
            held.deleted = False
            held.save()
        # A live file of the district's (or a deleted one of theirs) is the same bytes:
        # the district's row keeps serving it.
    return {"sha256": sha256, "media_type": media_type, "size": len(data)}


def _picture(school_id: str, sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    asset = Asset.get_or_none((Asset.id == sha256) & (Asset.deleted == False))  # noqa: E712
    if asset is None or asset.media_type not in IMAGE_TYPES:
        raise InvalidInput("Upload the picture first.", {"image": [f"No picture {sha256}."]})
    return sha256


def _checked(user: Person, data: dict[str, Any]) -> tuple[Skill, dict[str, Any]]:
    """The skill and the body of an activity as sent, or InvalidInput / NotFound."""
    skill = get_live(Skill, data["skill_id"], "skill")
    if data["kind"] == "quiz" and not data["items"]:
        raise InvalidInput("A quiz needs at least one question.", {"items": ["Add a question."]})
    image = _picture(user.school_id, data["image"])
    if data["kind"] == "reading" and not (data["text"].strip() or image):
        raise InvalidInput("A reading needs its text or a picture.", {"text": ["Write the text."]})
    body: dict[str, Any] = {"text": data["text"]}
    if image:
        body["image"] = image
    return skill, body


def _item_values(item: dict[str, Any]) -> dict[str, Any]:
    """What a question is: two questions with the same values are the same question."""
    return {
        "type": item["type"],
        "prompt": item["prompt"],
        "choices": item["choices"] if item["type"] == "choice" else None,
        "answer": item["answer"],
        "tolerance": item["tolerance"] if item["type"] == "numeric" else None,
        "hints": item["hints"],
    }


def create_activity(user: Person, data: dict[str, Any]) -> dict[str, Any]:
    """Store a teacher's activity in the school's partition; return it as staff see it."""
    school = user.school_id
    skill, body = _checked(user, data)
    slug = new_id()
    activity_id = authored_prefix(school) + slug
    partition = school_partition(school)
    with write_transaction():
        Activity.create(
            id=activity_id,
            partition=partition,
            pack_id=authored_pack(school),
            slug=slug,
            kind=data["kind"],
            language=data["language"],
            title=data["title"],
            difficulty=data["difficulty"],
            minutes=data["minutes"],
            modality=MODALITY[data["kind"]],
            interests=[],
            culture=[],
            body=body,
        )
        ActivitySkill.create(
            id=f"{activity_id}>{skill.id}",
            partition=partition,
            activity_id=activity_id,
            skill_id=skill.id,
        )
        Item.create_many(
            [
                {
                    "id": f"{activity_id}:{position + 1}",
                    "partition": partition,
                    "activity_id": activity_id,
                    "slug": str(position + 1),
                    "position": position,
                    "type": item["type"],
                    "prompt": item["prompt"],
                    "choices": item["choices"] if item["type"] == "choice" else None,
                    "answer": item["answer"],
                    "tolerance": item["tolerance"] if item["type"] == "numeric" else None,
                    "hints": item["hints"],
                }
                for position, item in enumerate(data["items"])
            ]
        )
    return activity_detail(activity_id, with_answers=True)


def update_activity(user: Person, activity_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Save a new version of one of the school's own activities; return it as staff see it.

    Nothing a child did is lost and no attempt in progress breaks: a question sent
    back unchanged (same ``id``, same type, prompt, choices, answer, tolerance and
    hints) keeps its id; a changed or new one gets a new id; none is ever deleted.
    The activity lists its current questions in ``body.item_ids`` (content.
    current_items): students play those, while an answer to an earlier version's
    question (a tablet offline, a child mid-quiz) is still checked against the
    question the child saw and kept. Every row written is a replicated edit, so the
    new version reaches the school's other nodes like any row; two teachers editing
    at once on two nodes end with the later version's text, question list and skill
    whole (``_link_skill``).
    """
    school = user.school_id
    activity = get_live(Activity, activity_id, "activity")
    require(
        activity.pack_id == authored_pack(school)
        and activity.partition == school_partition(school),
        "Only your school's own activities are edited here; a pack's come from the district.",
    )
    skill, body = _checked(user, data)
    partition = activity.partition
    held = {i.id: i for i in Item.live().where(Item.activity_id == activity.id)}
    order: list[str] = []
    new_rows: list[dict[str, Any]] = []
    for position, item in enumerate(data["items"]):
        values = _item_values(item)
        old = held.get(item["id"]) if item["id"] else None
        if item["id"] and old is None:
            raise InvalidInput(
                f"No question {item['id']} in this activity.",
                {"items": {str(position): {"id": ["Not a question of this activity."]}}},
            )
        if old is not None and old.id in order:
            raise InvalidInput(
                "The same question is sent twice.",
                {"items": {str(position): {"id": ["Sent twice."]}}},
            )
        if old is not None and all(getattr(old, k) == v for k, v in values.items()):
            order.append(old.id)
            continue
        slug = new_id()
        row_id = f"{activity.id}:{slug}"
        new_rows.append(
            {
                "id": row_id,
                "partition": partition,
                "activity_id": activity.id,
                "slug": slug,
                "position": position,
                **values,
            }
        )
        order.append(row_id)
    body["item_ids"] = order
    with write_transaction():
        # The questions first: a node that gets part of the edit has them before the list.
        Item.create_many(new_rows)
        _link_skill(activity, skill)
        activity.kind = data["kind"]
        activity.modality = MODALITY[data["kind"]]
        activity.language = data["language"]
        activity.title = data["title"]
        activity.difficulty = data["difficulty"]
        activity.minutes = data["minutes"]
        activity.body = body
        activity.save()
    return activity_detail(activity.id, with_answers=True)


def _link_skill(activity: Activity, skill: Skill) -> None:
    """Tie the activity to ``skill`` through its one link row, which every edit updates.

    The link is a row of its own: if each edit tombstoned the old link and made a new
    one, two nodes changing the skill before a sync would each make a live link, and
    the activity would stay tied to both skills. So every node edits the same row (the
    activity's first link by id, the one made with it) and the later save wins by the
    replication clock, like any mutable row (saved even unchanged, so a version wins
    whole). Links an older version made beside it
    become tombstones.
    """
    # Sorted here, not by the database: SQLite and PostgreSQL may collate text apart.
    links = sorted(
        ActivitySkill.select().where(ActivitySkill.activity_id == activity.id),
        key=lambda link: link.id,
    )
    if not links:
        ActivitySkill.create(
            id=f"{activity.id}>{skill.id}",
            partition=activity.partition,
            activity_id=activity.id,
            skill_id=skill.id,
        )
        return
    link, others = links[0], links[1:]
    for other in others:
        if not other.deleted:
            other.delete_instance()
    link.skill_id, link.deleted = skill.id, False
    link.save()  # saved even unchanged: the later save's version wins whole
