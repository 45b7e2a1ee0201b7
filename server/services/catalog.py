"""The content the personalization engine reads, loaded in a few queries and cached.

Skills with their titles, knowledge-tracing parameters (a fit from ``baobab
fit-mastery`` over the pack's, over the defaults) and prerequisites; activities with
the skills they teach and how many questions they ask. A home screen or a
recommendation reads all of it, so it is loaded once per content change, not once per
request: the cache key is a number that triggers on the six tables raise with any
import, edit, tombstone or sync (migration 0023), read in one row. An answer's item
comes from the same snapshot's cache (``item``), by id.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from peewee import fn

from ..db import db
from ..learning.ranking import Candidate, Pool, SkillGraph
from ..learning.tracing import DEFAULT_PARAMS, BktParams, params_from_pack
from ..models import Activity, ActivitySkill, Item, Skill, SkillFit, SkillPrerequisite
from .rows import row_by_id

_TABLES = (Skill, SkillPrerequisite, SkillFit, Activity, ActivitySkill, Item)


@dataclass(frozen=True)
class ActivityInfo:
    """What a recommendation shows of an activity."""

    id: str
    title: str
    kind: str
    modality: str
    language: str
    minutes: int
    difficulty: int
    skill_ids: tuple[str, ...]


@dataclass
class Catalog:
    """Skills, their parameters and graph, and activities: one snapshot of content."""

    skill_ids: list[str]  # sorted
    titles: dict[str, dict[str, str]]
    params: dict[str, BktParams]
    graph: SkillGraph
    activities: dict[str, ActivityInfo]
    candidates: list[Candidate]
    skills_of: dict[str, tuple[str, ...]]  # activity id -> skill ids
    pool: Pool  # the candidates prepared for ranking, made once per snapshot
    pack_params: dict[str, BktParams] = field(default_factory=dict)  # before any fit
    fits: dict[str, dict[str, Any]] = field(default_factory=dict)

    def prior(self, skill_id: str) -> float:
        """P(known) of a skill before any practice."""
        return self.params.get(skill_id, DEFAULT_PARAMS).prior


def _version() -> tuple:
    """A number that changes with the content tables: one row (migration 0023's triggers).

    A database without that row (made from the models, not migrated) has no triggers:
    there, a checksum of the tables' rows and stamps (one aggregate each).
    """
    row = db.execute_sql('SELECT "changes" FROM "content_version" WHERE "id" = 1').fetchone()
    if row is not None:
        return ("changes", row[0])
    return _checksum()


def _checksum() -> tuple:
    """A checksum of the content tables' rows and stamps (a scan of each)."""
    parts = " UNION ALL ".join(
        # hlc modulo a prime, spelt without "%": psycopg2 would read it as a placeholder.
        f"SELECT COUNT(*), SUM(counter), SUM(hlc - hlc / 1000003 * 1000003), MAX(hlc) "
        f'FROM "{m._meta.table_name}"'
        for m in _TABLES
    )
    return tuple(tuple(row) for row in db.execute_sql(parts).fetchall())


def _fitted(base: BktParams, fit: Any) -> BktParams:
    return replace(base, prior=fit.prior, learn=fit.learn, guess=fit.guess, slip=fit.slip)


def _load() -> Catalog:
    titles: dict[str, dict[str, str]] = {}
    params: dict[str, BktParams] = {}
    for skill_id, title, bkt in Skill.live(Skill.id, Skill.title, Skill.bkt).tuples():
        titles[skill_id] = title
        params[skill_id] = params_from_pack(bkt)
    pack_params = dict(params)
    fits = {}
    for fit in SkillFit.live():
        if fit.skill_id in params:
            params[fit.skill_id] = _fitted(params[fit.skill_id], fit)
            fits[fit.skill_id] = fit.__data__
    prerequisites: dict[str, list[str]] = {}
    edges = SkillPrerequisite.live(SkillPrerequisite.skill_id, SkillPrerequisite.prerequisite_id)
    for skill_id, pre in edges.tuples():
        prerequisites.setdefault(skill_id, []).append(pre)
    skills_of: dict[str, list[str]] = {}
    links = ActivitySkill.live(ActivitySkill.activity_id, ActivitySkill.skill_id)
    for activity_id, skill_id in links.tuples():
        skills_of.setdefault(activity_id, []).append(skill_id)
    items = dict(Item.live(Item.activity_id, fn.COUNT(Item.id)).group_by(Item.activity_id).tuples())
    items.update(_listed_counts())
    columns = (
        Activity.id,
        Activity.title,
        Activity.kind,
        Activity.modality,
        Activity.language,
        Activity.minutes,
        Activity.difficulty,
        Activity.interests,
    )
    activities, candidates = {}, []
    for aid, title, kind, modality, language, minutes, difficulty, interests in (
        Activity.live(*columns).order_by(Activity.id).tuples()
    ):
        skills = tuple(sorted(set(skills_of.get(aid, ()))))
        activities[aid] = ActivityInfo(
            aid, title, kind, modality, language, minutes, difficulty, skills
        )
        candidates.append(
            Candidate(
                aid,
                kind,
                modality,
                language,
                difficulty,
                skills,
                tuple(interests),
                minutes,
                items.get(aid, 0),
            )
        )
    return Catalog(
        skill_ids=sorted(titles),
        titles=titles,
        params=params,
        graph=SkillGraph({k: sorted(v) for k, v in prerequisites.items()}, titles),
        activities=activities,
        candidates=candidates,
        pool=Pool(candidates),
        skills_of={a: tuple(sorted(set(s))) for a, s in skills_of.items()},
        pack_params=pack_params,
        fits=fits,
    )


_cache: dict[Any, tuple[tuple, Catalog]] = {}
_lock = threading.Lock()


def database_token() -> str:
    """A token naming the open database object: ``id()`` can be reused after one closes."""
    token = getattr(db.obj, "_baobab_catalog_token", None)
    if token is None:
        token = uuid.uuid4().hex
        db.obj._baobab_catalog_token = token
    return token


def catalog() -> Catalog:
    """The content snapshot, reloaded when the content tables changed."""
    key = database_token()  # one entry per database (tests open many)
    version = _version()
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    loaded = _load()
    with _lock:
        _cache.clear()  # keeps one snapshot: the current database's
        _cache[key] = (version, loaded)
    return loaded


def _listed_counts() -> dict[str, int]:
    """Questions of each activity that lists its current ones (``body.item_ids``).

    An activity edited on the device keeps its earlier versions' items live (answers
    to them still count) but plays only those it lists (content.current_items): the
    listed ones that are live here are its questions, not every live item.
    """
    listed: dict[str, list[str]] = {}
    edited = Activity.live(Activity.id, Activity.body).where(Activity.body.contains('"item_ids"'))
    for aid, body in edited.tuples():
        ids = body.get("item_ids") if isinstance(body, dict) else None
        if isinstance(ids, list):
            listed[aid] = ids
    if not listed:
        return {}
    live = {
        item_id
        for (item_id,) in Item.live(Item.id).where(Item.activity_id.in_(list(listed))).tuples()
    }
    return {aid: len([i for i in ids if i in live]) for aid, ids in listed.items()}


# database token -> (content version, key -> value), this process's: see per_version
_content: dict[Any, tuple[tuple, dict[Any, Any]]] = {}


def per_version(key: Any, load: Callable[[], Any]) -> Any:
    """``load()``'s value for ``key``, kept in this process while the content is unchanged.

    For what is read from the content tables alone (an item, an activity's detail):
    between two content changes it is the same, so it is loaded once per version and
    then costs the version's one-row read. What ``load`` raises is not kept. Callers
    must not change the value they get.
    """
    token = database_token()
    version = _version()
    with _lock:
        cached = _content.get(token)
        if cached is None or cached[0] != version:
            _content.clear()  # one database's, one version's
            cached = _content[token] = (version, {})
        if key in cached[1]:
            return cached[1][key]
    value = load()
    with _lock:
        if _content.get(token) is cached:  # else a newer version came meanwhile: not ours
            cached[1][key] = value
    return value


def live_item(item_id: str) -> Item | None:
    """The live item with that id, or None: read once per content version in this process.

    Every answer looks its item up (its type, key, hints).
    """
    return per_version(("item", item_id), lambda: row_by_id(Item, item_id))
