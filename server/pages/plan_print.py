"""A student's individual learning plan as a printable page, in the reader's language.

The figures are the plan's (``services.plan``); the words are the apps' (``words``), in
the student's voice as the student app speaks ("What motivates me", "You are ready to
learn ..."), so a plan printed for a French class reads in French.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import render_template

from ..models import Person
from ..services import photos, plan
from .words import Words


def reason_text(words: Words, reason: dict[str, Any]) -> str:
    """Why an activity comes next, as the student app says it (its English text otherwise)."""
    key = f"reason.{reason['code']}"
    if not words.has(key):
        return reason.get("text", "")
    params = dict(reason.get("params") or {})
    if "modality" in params and words.has(f"modality.{params['modality']}"):
        params["modality"] = words(f"modality.{params['modality']}")
    return words(key, **params)


def goal_text(words: Words, goal: dict[str, Any], titles: dict[str, Any]) -> str:
    """What a goal is, in words: the student's own, or what its kind and target say."""
    kind = goal["kind"]
    if kind == "master_skill":
        skill = titles.get(goal["skill_id"], goal["skill_id"])
        return words("goal.kind.master_skill", skill=skill)
    if kind == "finish_activities":
        return words("goal.kind.finish_activities", n=len(goal.get("activity_ids") or []))
    if kind == "practice_minutes":
        return words("goal.kind.practice_minutes", n=goal["target"])
    return goal.get("text") or words("goal.kind.free_text")


def render(student: Person, *languages: str | None) -> str:
    """The plan page, in the first of ``languages`` the apps offer (else English)."""
    words = Words(*languages)
    data = plan.plan_of(student)  # the student's path, in the student's language, whoever reads
    titles = {m["skill_id"]: m["title"] for m in data["mastery"]}
    generated = datetime.fromtimestamp(data["generated_ms"] / 1000, tz=timezone.utc)

    def state(goal: dict[str, Any]) -> str:
        key = f"goal.state.{goal['progress']['state']}"
        return words(key) if words.has(key) else goal["progress"]["state"].replace("_", " ")

    return render_template(
        "plan.html",
        plan=data,
        work=photos.project_work(student),
        generated=words.day(generated.date()),
        t=words,
        day=words.day,
        pick=words.pick,
        goal_text=lambda goal: goal_text(words, goal, titles),
        goal_state=state,
        reason=lambda r: reason_text(words, r),
    )
