"""Content: importing packs into the district partition, and reading them back."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sync.stamp import DISTRICT

from ..db import model_from_row, run_compiled, write_transaction
from ..db.blobs import blob_path, store_blob
from ..errors import NotFound
from ..interop.pack_format import MEDIA_FIELDS, Pack, read_pack
from ..models import (
    Activity,
    ActivitySkill,
    Asset,
    Assignment,
    ContentPack,
    Item,
    ReplicatedModel,
    Skill,
    SkillPrerequisite,
)
from .catalog import per_version
from .offline_check import offline_check
from .rows import get_live


def _rows(pack: Pack) -> dict[type[ReplicatedModel], dict[str, dict[str, Any]]]:
    """Every row the pack describes, by model and id."""
    m = pack.manifest
    pid = m["id"]
    rows: dict[type[ReplicatedModel], dict[str, dict[str, Any]]] = {
        model: {}
        for model in (ContentPack, Skill, SkillPrerequisite, Activity, ActivitySkill, Item, Asset)
    }
    rows[ContentPack][pid] = {
        "version": m["version"],
        "title": m["title"],
        "description": m["description"],
        "license": m["license"],
        "languages": m["languages"],
        "manifest_sha256": pack.manifest_sha256,
    }
    for skill in m["skills"]:
        sid = f"{pid}:{skill['id']}"
        rows[Skill][sid] = {
            "pack_id": pid,
            "slug": skill["id"],
            "title": skill["title"],
            "description": skill["description"],
            "standard": skill["standard"],
            "case_uri": skill["case_uri"],
            "bkt": skill["bkt"],
        }
        for pre in skill["prerequisites"]:
            rows[SkillPrerequisite][f"{sid}<{pid}:{pre}"] = {
                "skill_id": sid,
                "prerequisite_id": f"{pid}:{pre}",
            }
    by_path = {a["path"]: a["sha256"] for a in m["assets"]}
    for asset in m["assets"]:
        rows[Asset][asset["sha256"]] = {
            "pack_id": pid,
            "media_type": asset["media_type"],
            "size": asset["bytes"],
        }
    for activity in m["activities"]:
        aid = f"{pid}:{activity['id']}"
        body = dict(activity["body"])
        for media in MEDIA_FIELDS:
            if body.get(media):
                body[media] = by_path[body[media]]  # refer to assets by digest
            else:
                body.pop(media, None)
        if body.get("mastery") is None:
            body.pop("mastery", None)
        if body.get("voice"):
            body["voice"] = _voice_digests(body["voice"], by_path)
        else:
            body.pop("voice", None)
        rows[Activity][aid] = {
            "pack_id": pid,
            "slug": activity["id"],
            "kind": activity["kind"],
            "language": activity["language"],
            "title": activity["title"],
            "difficulty": activity["difficulty"],
            "minutes": activity["minutes"],
            "modality": activity["modality"],
            "interests": activity["interests"],
            "culture": activity["culture"],
            "body": body,
        }
        for skill in activity["skills"]:
            rows[ActivitySkill][f"{aid}>{pid}:{skill}"] = {
                "activity_id": aid,
                "skill_id": f"{pid}:{skill}",
            }
        for position, item in enumerate(activity["items"]):
            rows[Item][f"{aid}:{item['id']}"] = {
                "activity_id": aid,
                "slug": item["id"],
                "position": position,
                "type": item["type"],
                "prompt": item["prompt"],
                "choices": item["choices"],
                "answer": item["answer"],
                "tolerance": item["tolerance"],
                "hints": item["hints"],
            }
    return rows


def _existing(model: type[ReplicatedModel], pack_id: str) -> dict[str, ReplicatedModel]:
    if model is ContentPack:
        query = model.select().where(model.id == pack_id)
    elif model in (SkillPrerequisite,):
        query = model.select().where(model.skill_id.startswith(pack_id + ":"))
    elif model in (ActivitySkill, Item):
        query = model.select().where(model.activity_id.startswith(pack_id + ":"))
    else:
        query = model.select().where(model.pack_id == pack_id)
    return {row.id: row for row in query}


def publish_pack(data: bytes, data_dir: str, max_bytes: int) -> dict[str, Any]:
    """Publish an uploaded zip pack into the district partition; it syncs to every node.

    Validated whole first: an invalid or oversized pack changes nothing.
    """
    with tempfile.TemporaryDirectory(prefix="baobab-pack-") as tmp:
        source = Path(tmp) / "upload.zip"
        source.write_bytes(data)
        pack = read_pack(source, max_bytes)
    return {"pack_id": pack.manifest["id"], **_import(pack, data_dir)}


def import_pack(source: Path | str, data_dir: str, max_bytes: int | None = None) -> dict[str, int]:
    """Validate and import a pack in one transaction; return counts of rows written.

    ``max_bytes`` bounds what the pack may unpack to (PackTooLarge beyond it), as on
    the hub's publish path: a small zip must not fill the node's memory.
    """
    return _import(read_pack(source, max_bytes), data_dir)


def import_validated(pack: Pack, data_dir: str) -> dict[str, int]:
    """Import a pack ``read_pack`` already validated; return counts of rows written."""
    return _import(pack, data_dir)


def _shared_assets(
    wanted: dict[str, dict[str, Any]], have: dict[str, ReplicatedModel]
) -> dict[str, ReplicatedModel]:
    """Assets of other packs with the digests this pack wants (an asset's id is its digest)."""
    ids = [i for i in wanted if i not in have]
    return {a.id: a for a in Asset.select().where(Asset.id.in_(ids))} if ids else {}


def _assigned(pack_id: str) -> set[str]:
    """Activities of a pack that a live assignment names (of any school this node holds)."""
    query = Assignment.live(Assignment.activity_id).where(
        Assignment.activity_id.startswith(pack_id + ":")
    )
    return {a.activity_id for a in query}


def _kept_for_assignment(model: type[ReplicatedModel], row: Any, assigned: set[str]) -> bool:
    """Whether a row a new version drops belongs to an assigned activity, and so stays."""
    if model is Activity:
        return row.id in assigned
    if model in (Item, ActivitySkill):
        return row.activity_id in assigned
    return False


def _import(pack: Pack, data_dir: str) -> dict[str, int]:
    """Write a validated pack's rows; a new version keeps what assignments still need.

    An activity the new version drops, or the items and skill links it drops from
    one, stay live while an assignment names that activity: a student in the
    middle of it finishes it, and the teacher still sees it (counted as ``kept``).
    """
    for sha256, data in pack.assets.items():
        store_blob(data_dir, sha256, data)
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0, "kept": 0}
    with write_transaction():
        assigned = _assigned(pack.manifest["id"])
        for model, wanted in _rows(pack).items():
            have = _existing(model, pack.manifest["id"])
            shared = _shared_assets(wanted, have) if model is Asset else {}
            new_rows = []
            for row_id, values in wanted.items():
                row = have.get(row_id, shared.get(row_id))
                if row is not None and row_id in shared and not row.deleted:
                    counts["unchanged"] += 1  # the same file, already live in another pack
                    continue
                if row is None:
                    new_rows.append({"id": row_id, "partition": DISTRICT, **values})
                    continue
                if not row.deleted and all(getattr(row, k) == v for k, v in values.items()):
                    counts["unchanged"] += 1
                    continue
                for key, value in values.items():
                    setattr(row, key, value)
                row.deleted = False
                row.save()
                counts["updated"] += 1
            model.create_many(new_rows)
            counts["created"] += len(new_rows)
            for row_id, row in have.items():
                if row_id not in wanted and not row.deleted:
                    if _kept_for_assignment(model, row, assigned):
                        counts["kept"] += 1
                        continue
                    row.delete_instance()
                    counts["deleted"] += 1
    return counts


# ---------------------------------------------------------------- reading


def list_packs() -> list[ContentPack]:
    """Imported packs."""
    return list(ContentPack.live().order_by(ContentPack.id))


def list_skills() -> list[dict[str, Any]]:
    """Skills with their prerequisite ids."""
    prerequisites: dict[str, list[str]] = {}
    for edge in SkillPrerequisite.live():
        prerequisites.setdefault(edge.skill_id, []).append(edge.prerequisite_id)
    return [
        {**s.__data__, "prerequisites": sorted(prerequisites.get(s.id, []))}
        for s in Skill.live().order_by(Skill.id)
    ]


def _skills_of(activity_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {a: [] for a in activity_ids}
    if activity_ids:
        for row in ActivitySkill.live().where(ActivitySkill.activity_id.in_(activity_ids)):
            out[row.activity_id].append(row.skill_id)
    return out


def activity_select(skill_id: str | None, language: str | None, kind: str | None):
    """A select of live activities, filtered."""
    query = Activity.live()
    if skill_id:
        ids = ActivitySkill.live(ActivitySkill.activity_id).where(
            ActivitySkill.skill_id == skill_id
        )
        query = query.where(Activity.id.in_(ids))
    if language:
        query = query.where(Activity.language == language)
    if kind:
        query = query.where(Activity.kind == kind)
    return query.order_by(Activity.difficulty, Activity.id)


def with_skills(activities: list[Activity]) -> list[dict[str, Any]]:
    """Activities as dicts with their skill ids."""
    skills = _skills_of([a.id for a in activities])
    return [{**a.__data__, "skills": sorted(skills[a.id])} for a in activities]


def _skill_ids_of(activity_id: str) -> list[str]:
    """One activity's skill ids, sorted (a query compiled once: every student opens some)."""

    def build(mark: str) -> Any:
        return ActivitySkill.live(ActivitySkill.skill_id).where(ActivitySkill.activity_id == mark)

    return sorted(row[0] for row in run_compiled("skills-of", build, activity_id))


def _voice_digests(voice: dict[str, Any], by_path: dict[str, str]) -> dict[str, Any]:
    """body.voice with its recordings referred to by digest, as the other media."""
    out: dict[str, Any] = {}
    if voice.get("text"):
        out["text"] = by_path[voice["text"]]
    items = {}
    for item_id, spoken in (voice.get("items") or {}).items():
        entry = {}
        if spoken.get("prompt"):
            entry["prompt"] = by_path[spoken["prompt"]]
        if spoken.get("choices") is not None:
            entry["choices"] = [by_path[c] if c else None for c in spoken["choices"]]
        items[item_id] = entry
    if items:
        out["items"] = items
    return out


def activity_detail(activity_id: str, with_answers: bool) -> dict[str, Any]:
    """One activity with its items; answer keys only when ``with_answers``.

    Read from the content tables alone: kept per content version (every student opens
    activities, a class the same few), a 404 not kept.
    """
    key = ("activity-detail", activity_id, with_answers)
    return dict(per_version(key, lambda: _activity_detail(activity_id, with_answers)))


def _activity_detail(activity_id: str, with_answers: bool) -> dict[str, Any]:
    activity = get_live(Activity, activity_id, "activity")
    items = []
    for item in current_items(activity):
        data = dict(item.__data__)
        if not with_answers:
            data["check"] = offline_check(item)  # hashed keys, for feedback offline
            data["answer"] = None
            data["tolerance"] = None
        items.append(data)
    skills = _skill_ids_of(activity.id)
    return {**activity.__data__, "skills": skills, "body": activity.body, "items": items}


def current_items(activity: Activity) -> list[Item]:
    """The items of an activity's current version, in order.

    An activity a teacher edited on the device lists its items in ``body.item_ids``
    (services/authoring.py): the earlier versions' items stay live, so an answer to
    one still counts, but only the listed ones are played. Without a list, every
    live item in position order.
    """
    items = _items_of(activity.id)
    listed = (activity.body or {}).get("item_ids")
    if not isinstance(listed, list):
        return items
    by_id = {item.id: item for item in items}
    return [by_id[i] for i in listed if i in by_id]


def _items_of(activity_id: str) -> list[Item]:
    """An activity's live items in order (a query compiled once: every student opens some)."""

    def build(mark: str) -> Any:
        return Item.live().where(Item.activity_id == mark).order_by(Item.position)

    return [model_from_row(Item, row) for row in run_compiled("items-of", build, activity_id)]


def asset_file(data_dir: str, sha256: str) -> tuple[Path, str]:
    """The path and media type of a live asset (404 for anything that is not a digest)."""
    path = blob_path(data_dir, sha256)
    asset = Asset.get_or_none((Asset.id == sha256) & (Asset.deleted == False))  # noqa: E712
    if asset is None or not path.is_file():
        raise NotFound(f"No asset {sha256}.")
    return path, asset.media_type
