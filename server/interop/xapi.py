"""xAPI 1.0.3 statements of the learning record (pure: no database).

A statement's id is a UUIDv5 of the event it tells (``answered``: the answer's
id; ``completed``: the attempt's; ``mastered``: the student and the skill), so
sending it again never makes a second statement at the LRS. The actor is an
account under the hub's home page named by the person's opaque id: never a
name or an email address.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

VERSION = "1.0.3"
#: The namespace of every statement id: the same event gives the same id on any hub.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:baobab:xapi:statement")
VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "mastered": "http://adlnet.gov/expapi/verbs/mastered",
}
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ACTIVITY = "http://adlnet.gov/expapi/activities/lesson"
SKILL = "http://adlnet.gov/expapi/activities/objective"


def statement_id(kind: str, key: str) -> str:
    """The stable id of the statement telling ``kind`` of ``key`` (an event id)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _iri(home: str, *parts: str) -> str:
    return "/".join([home.rstrip("/"), "xapi", *(uuid_safe(p) for p in parts)])


def uuid_safe(part: str) -> str:
    """A path segment of an IRI: ids are letters, digits, ``-``, ``_``, ``:`` and ``.``."""
    return "".join(c if c.isalnum() or c in "-_.:" else "_" for c in part)


def _time(ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement(
    home: str,
    kind: str,
    key: str,
    person_id: str,
    object_id: str,
    object_name: str,
    when_ms: int,
    *,
    success: bool | None = None,
    scaled: float | None = None,
    school_id: str,
    classroom_id: str | None = None,
    skill_id: str | None = None,
) -> dict[str, Any]:
    """One statement: who (an opaque account), what, the result, and the context."""
    if kind not in VERBS:
        raise ValueError(f"unknown verb {kind!r}")
    object_type = INTERACTION if kind == "answered" else SKILL if kind == "mastered" else ACTIVITY
    grouping = [{"objectType": "Activity", "id": _iri(home, "schools", school_id)}]
    if classroom_id:
        grouping.append({"objectType": "Activity", "id": _iri(home, "classes", classroom_id)})
    context: dict[str, Any] = {
        "platform": "Baobab",
        "contextActivities": {"grouping": grouping},
        "extensions": {
            _iri(home, "extensions", name): value
            for name, value in (("school", school_id), ("class", classroom_id), ("skill", skill_id))
            if value
        },
    }
    if skill_id and kind != "mastered":
        context["contextActivities"]["other"] = [
            {"objectType": "Activity", "id": _iri(home, "skills", skill_id)}
        ]
    result: dict[str, Any] = {}
    if success is not None:
        result["success"] = success
    if scaled is not None:
        result["score"] = {"scaled": round(max(-1.0, min(1.0, scaled)), 4)}
    if kind == "completed":
        result["completion"] = True
    found = {
        "id": statement_id(kind, key),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": home.rstrip("/"), "name": person_id},
        },
        "verb": {"id": VERBS[kind], "display": {"en-US": kind}},
        "object": {
            "objectType": "Activity",
            "id": _iri(home, "skills" if kind == "mastered" else "activities", object_id),
            "definition": {"name": {"en-US": object_name or object_id}, "type": object_type},
        },
        "context": context,
        "timestamp": _time(when_ms),
        "version": VERSION,
    }
    if result:
        found["result"] = result
    return found
