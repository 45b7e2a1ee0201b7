"""``baobab fit-mastery``: refit each skill's knowledge-tracing parameters from the answers.

Where the fit lives, and why: mastery must be the same on every node for the same
events (invariant 7). A fit computed by each node from the answers it happens to hold
would differ between nodes (a classroom node holds one school, the hub them all), so
mastery would too. Instead a fit is *published* like content: it is stored in the
replicated ``SkillFit`` table, in the district partition next to the skill, and every
node traces mastery with the same published numbers. Mastery stays a pure function of
(events, replicated content). Run it on the hub, which holds every school's answers
and is the one writer of district content; a school without a hub may run it on one
of its nodes, whose fit then reaches the school's other nodes. The EM fit itself is
deterministic: sequences are taken per student in canonical event order, students in
id order, so the same answers give the same numbers anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.hlc import wall_ms
from sync.stamp import DISTRICT

from ..db import write_transaction
from ..learning.tracing import BktParams, canonical_order, fit_params
from ..models import Answer, Skill, SkillFit
from .catalog import catalog
from .mastery import observations_of

MIN_STUDENTS = 10  # fewer sequences than this say too little to move the parameters


@dataclass(frozen=True)
class SkillFitResult:
    """What the fit did for one skill."""

    skill_id: str
    students: int
    answers: int
    before: BktParams
    after: BktParams | None  # None: too few students, left as it was


def sequences_by_skill() -> dict[str, list[list[bool]]]:
    """Per skill, each student's answers in canonical order (students by id)."""
    cat = catalog()
    people = sorted({p for (p,) in Answer.live(Answer.person_id).distinct().tuples()})
    result: dict[str, list[list[bool]]] = {}
    for observations in observations_of(people, cat).values():
        by_skill: dict[str, list[bool]] = {}
        for obs in canonical_order(observations):
            by_skill.setdefault(obs.skill_id, []).append(obs.correct)
        for skill, answers in sorted(by_skill.items()):
            result.setdefault(skill, []).append(answers)
    return result


def fit_all(min_students: int = MIN_STUDENTS, dry_run: bool = False) -> list[SkillFitResult]:
    """Fit every skill with enough students' answers; store the fits unless ``dry_run``."""
    cat = catalog()
    sequences = sequences_by_skill()
    results = []
    for skill_id in cat.skill_ids:
        seqs = sequences.get(skill_id, [])
        before = cat.params[skill_id]
        answers = sum(len(s) for s in seqs)
        # EM starts from the pack's parameters, never from an earlier fit: the fit is
        # then a function of the answers alone, the same however often it is rerun.
        start = cat.pack_params[skill_id]
        after = fit_params(seqs, start) if len(seqs) >= min_students else None
        results.append(SkillFitResult(skill_id, len(seqs), answers, before, after))
    if not dry_run:
        store(results)
    return results


def store(results: list[SkillFitResult]) -> None:
    """Publish the fits in the replicated ``SkillFit`` table (one row per skill)."""
    now = wall_ms()
    with write_transaction():
        for r in results:
            if r.after is None:
                continue
            skill = Skill.get_by_id(r.skill_id)
            fit_id = f"fit:{r.skill_id}"
            row = SkillFit.get_or_none(SkillFit.id == fit_id)
            exists = row is not None
            if row is None:
                row = SkillFit(id=fit_id, skill_id=r.skill_id)
            row.partition = skill.partition if skill.partition else DISTRICT
            row.deleted = False
            row.prior, row.learn = r.after.prior, r.after.learn
            row.guess, row.slip = r.after.guess, r.after.slip
            row.students, row.answers, row.fitted_ms = r.students, r.answers, now
            row.save(force_insert=not exists)


def clear() -> int:
    """Withdraw every published fit (tombstones): mastery goes back to the packs' parameters."""
    count = 0
    with write_transaction():
        for row in SkillFit.live():
            row.delete_instance()
            count += 1
    return count
