"""(b) A simulated student following our recommendations.

At each step the student's mastery is traced from their answers so far with the pack's
parameters (what the product does; nothing of the hidden truth), ``server.learning.ranking.rank``
ranks every activity of the pack for a student who reads their one language, with their
attempts as history, and the student takes the first, or one of the first three at
random (the product lets the child choose among the top few).

``greedy_on_estimates`` is a reference, not the product: from the same estimates it
takes the activity with the most items among those teaching a skill not yet mastered
whose prerequisites are. It shows what the estimates alone allow.
"""

from __future__ import annotations

from server.learning.ranking import Candidate, Done, Profile, SkillGraph, rank
from server.learning.tracing import MASTERY_THRESHOLD, trace

from .classroom import Activity, Course, Learner, Policy

CHOICES = {"top": 1, "top3": 3}


def candidates(course: Course) -> list[Candidate]:
    """The pack's activities as the recommender sees them."""
    return [
        Candidate(
            activity_id=a.id,
            kind=a.kind,
            modality=a.modality,
            language=a.language,
            difficulty=a.difficulty,
            skill_ids=a.skills,
            interests=a.interests,
            minutes=a.minutes,
            items=len(a.items),
        )
        for a in course.activities
    ]


def following_recommendations(course: Course, choice: str) -> Policy:
    """A policy: take the first recommendation (``top``) or any of the first three (``top3``)."""
    among = CHOICES[choice]
    pool = candidates(course)
    by_id: dict[str, Activity] = {a.id: a for a in course.activities}
    graph = SkillGraph(prerequisites=course.prerequisites, titles=course.titles)

    def policy(learner: Learner) -> Activity:
        states = trace(learner.observations, course.params, learner.now_ms)
        history = [
            Done(activity_id, started, ended, True, f"{learner.student.index}-{n}")
            for n, (activity_id, started, ended) in enumerate(learner.attempts)
        ]
        ranked = rank(
            pool,
            states,
            graph,
            profile=Profile(languages=(learner.student.language,)),
            history=history,
            now_ms=learner.now_ms,
            limit=among,
        )
        if not ranked:
            raise RuntimeError(f"no recommendation for student {learner.student.index}")
        pick = ranked[0] if among == 1 else learner.rng.choice(ranked)
        return by_id[pick.activity_id]

    return policy


def greedy_on_estimates(course: Course) -> Policy:
    """A reference policy: the most items on an unmastered, unblocked skill, by estimate."""

    def policy(learner: Learner) -> Activity:
        states = trace(learner.observations, course.params, learner.now_ms)

        def known(skill: str) -> float:
            return states[skill].p_known_now

        graded = [a for a in course.path(learner.student.language) if a.items]
        ready = [
            a
            for a in graded
            if min(known(s) for s in a.skills) < MASTERY_THRESHOLD
            and all(
                known(p) >= MASTERY_THRESHOLD for s in a.skills for p in course.prerequisites[s]
            )
        ]
        if ready:
            return max(ready, key=lambda a: (len(a.items), -min(known(s) for s in a.skills)))
        # Everything looks mastered (or blocked): practise the least known skill.
        return max(graded, key=lambda a: (-min(known(s) for s in a.skills), len(a.items)))

    return policy
