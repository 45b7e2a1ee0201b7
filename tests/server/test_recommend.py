"""The recommender (server/learning/ranking.py) on hand-made states, no database."""

from __future__ import annotations

import random

import pytest

from server.learning.ranking import (
    EVIDENCE,
    LIGHT_REVIEW,
    REVIEW,
    REVIEW_FULL_BELOW,
    AssignmentRef,
    Candidate,
    Done,
    History,
    Pool,
    Profile,
    SkillGraph,
    prerequisite_met,
    rank,
    review_value,
    skill_status,
    stars,
    target_difficulty,
)
from server.learning.tracing import SkillMastery

NOW = 1_800_000_000_000
DAY = 86_400_000


def state(skill, p, attempts=3, needs_review=False, p_then=None):
    return SkillMastery(
        skill_id=skill,
        p_known=p if p_then is None else p_then,
        p_known_now=p,
        attempts=attempts,
        correct=attempts,
        last_ms=NOW - DAY if attempts else None,
        mastered=p >= 0.95,
        needs_review=needs_review,
    )


def act(
    aid, skill, kind="practice", modality="do", language="en", difficulty=2, interests=(), items=0
):
    skills = (skill,) if isinstance(skill, str) else tuple(skill)
    return Candidate(aid, kind, modality, language, difficulty, skills, tuple(interests), 5, items)


# counting -> adding -> subtracting
GRAPH = SkillGraph(
    prerequisites={"add": ["count"], "sub": ["add"]},
    titles={"count": {"en": "Count to 10", "fr": "Compter"}, "add": {"en": "Add"}},
)


def ids(recs):
    return [r.activity_id for r in recs]


def codes(rec):
    return [r.code for r in rec.reasons]


def test_ready_skill_is_recommended_and_blocked_one_is_not():
    cands = [act("a-count", "count"), act("b-add", "add"), act("c-sub", "sub")]
    # Nothing practised: only counting is ready.
    recs = rank(cands, {}, GRAPH, now_ms=NOW)
    assert ids(recs) == ["a-count"]
    assert codes(recs[0])[0] == "next_skill"
    assert recs[0].reasons[0].params == {"skill": {"en": "Count to 10", "fr": "Compter"}}
    assert recs[0].reasons[0].text == "You are ready to learn Count to 10."
    # Counting mastered: adding is ready, subtracting still waits on adding.
    recs = rank(cands, {"count": state("count", 0.97)}, GRAPH, now_ms=NOW)
    assert ids(recs) == ["b-add", "a-count"]
    assert skill_status("sub", {"count": state("count", 0.97)}, GRAPH) == "blocked"


def test_started_skill_before_new_one_and_review_before_both():
    cands = [act("a", "count"), act("b", "add"), act("x", "other")]
    states = {"count": state("count", 0.97), "add": state("add", 0.5)}
    recs = rank(cands, states, GRAPH, now_ms=NOW)
    # add is started (practice_more 0.8) > other never practised (next_skill 0.7) > count.
    assert ids(recs) == ["b", "x", "a"]
    assert codes(recs[0])[0] == "practice_more"
    faded = {**states, "count": state("count", 0.7, needs_review=True, p_then=0.96)}
    recs = rank(cands, faded, GRAPH, now_ms=NOW)
    assert ids(recs)[0] == "a"
    assert codes(recs[0])[0] == "review"
    assert recs[0].reasons[0].text == "Time to review Count to 10: it is fading."


def test_prerequisite_due_for_review_still_counts_as_met():
    # Mastered once, faded since: adding is open while counting waits for its review.
    faded = {"count": state("count", 0.7, needs_review=True, p_then=0.96)}
    assert prerequisite_met(faded["count"])
    assert skill_status("add", faded, GRAPH) == "next_skill"
    cands = [act("a-count", "count"), act("b-add", "add"), act("c-sub", "sub")]
    recs = rank(cands, faded, GRAPH, now_ms=NOW)
    assert ids(recs) == ["a-count", "b-add"]  # well faded: review first; sub still waits
    # Never mastered (however close) or never practised: what needs it waits.
    close = {"count": state("count", 0.94)}
    assert not prerequisite_met(close["count"]) and not prerequisite_met(None)
    assert skill_status("add", close, GRAPH) == "blocked"


def test_review_grows_with_fading_and_a_light_one_does_not_crowd_out_learning():
    assert review_value(0.95) == LIGHT_REVIEW
    assert review_value(REVIEW_FULL_BELOW) == pytest.approx(REVIEW) == review_value(0.2)
    assert LIGHT_REVIEW < review_value(0.9) < review_value(0.85) < REVIEW
    cands = [act("a", "count"), act("b", "add"), act("x", "other"), act("m", "mastered")]
    states = {"add": state("add", 0.5), "mastered": state("mastered", 0.99)}
    slightly = {**states, "count": state("count", 0.93, needs_review=True, p_then=0.97)}
    recs = rank(cands, slightly, GRAPH, now_ms=NOW, limit=None)
    # Started (add), new (other), then the light review, then what is mastered.
    assert ids(recs) == ["b", "x", "a", "m"]
    assert codes(recs[2])[0] == "review"
    faded = {**states, "count": state("count", 0.6, needs_review=True, p_then=0.97)}
    assert ids(rank(cands, faded, GRAPH, now_ms=NOW, limit=None)) == ["a", "b", "x", "m"]


def test_questions_count_while_learning_only():
    def cands(skill):
        return [
            act("a-project", skill, kind="project", items=0),
            act("b-reading", skill, kind="reading", items=2),
            act("c-quiz", skill, kind="quiz", items=5),
            act("d-practice", skill, items=8),  # no more than EVIDENCE_ITEMS count
        ]

    recs = rank(cands("count"), {}, GRAPH, now_ms=NOW, limit=None)
    assert ids(recs) == ["c-quiz", "d-practice", "b-reading", "a-project"]
    assert recs[0].score == recs[1].score
    assert round(recs[0].score - recs[3].score, 6) == EVIDENCE
    # Nothing left to learn on a mastered skill: the questions add nothing.
    done = rank(cands("count"), {"count": state("count", 0.99)}, GRAPH, now_ms=NOW, limit=None)
    assert len({r.score for r in done}) == 1
    assert ids(done) == ["a-project", "b-reading", "c-quiz", "d-practice"]


def test_pinned_first_then_assigned_even_when_blocked():
    cands = [act("a-count", "count"), act("c-sub", "sub"), act("b-add", "add")]
    assignments = [AssignmentRef("c-sub", due_on="2030-01-01"), AssignmentRef("b-add", pinned=True)]
    recs = rank(cands, {}, GRAPH, assignments=assignments, now_ms=NOW)
    assert ids(recs) == ["b-add", "c-sub", "a-count"]
    assert recs[0].pinned and recs[0].assigned and codes(recs[0])[:2] == ["pinned", "assigned"]
    assert recs[1].due_on == "2030-01-01" and not recs[1].pinned
    assert recs[1].reasons[0].params == {"due_on": "2030-01-01"}


def test_completed_assignment_loses_its_bonus():
    cands = [act("a", "count"), act("b", "count", difficulty=3)]
    history = [Done("a", NOW - 2 * DAY, NOW - 2 * DAY + 60_000, True, "t1")]
    recs = rank(cands, {}, GRAPH, assignments=[AssignmentRef("a")], history=history, now_ms=NOW)
    # a was done and is no longer boosted: b (not recent, a different difficulty) wins.
    assert ids(recs) == ["b", "a"]
    assert recs[1].assigned and "assigned" not in codes(recs[1])


def test_due_soon_assignment_before_one_due_later():
    cands = [act("a", "count"), act("b", "count")]
    soon = "2027-01-16"  # NOW is 2027-01-15
    assignments = [AssignmentRef("a", due_on="2027-03-01"), AssignmentRef("b", due_on=soon)]
    assert ids(rank(cands, {}, GRAPH, assignments=assignments, now_ms=NOW)) == ["b", "a"]


def test_modality_and_interest_break_ties_then_id():
    cands = [
        act("a", "count", modality="read"),
        act("b", "count", modality="do"),
        act("c", "count", modality="read", interests=["animals"]),
        act("d", "count", modality="read"),
    ]
    profile = Profile(interests=("animals",), modalities=("do",))
    recs = rank(cands, {}, GRAPH, profile, now_ms=NOW, limit=None)
    assert ids(recs) == ["b", "c", "a", "d"]
    assert "modality" in codes(recs[0])
    assert recs[1].reasons[-1].code == "interest" or "interest" in codes(recs[1])
    # The same scores without a profile: ties broken by id.
    assert ids(rank(cands, {}, GRAPH, now_ms=NOW, limit=None)) == ["a", "b", "c", "d"]


def test_language_asked_and_profile_languages():
    cands = [act("en", "count", language="en"), act("fr", "count", language="fr")]
    assert ids(rank(cands, {}, GRAPH, language="fr", now_ms=NOW)) == ["fr", "en"]
    assert ids(rank(cands, {}, GRAPH, Profile(languages=("fr",)), now_ms=NOW)) == ["fr", "en"]
    recs = rank(cands, {}, GRAPH, Profile(languages=("en",)), language="fr", now_ms=NOW)
    assert ids(recs) == ["fr", "en"]  # the asked language first, the profile's second
    assert recs[0].reasons[-1].code == "language"
    # A language the student does not read sinks below everything they do read.
    recs = rank(
        cands + [act("en-hard", "count", difficulty=5)], {}, GRAPH, language="en", now_ms=NOW
    )
    assert ids(recs)[-1] == "fr"


def test_variety_pushes_down_what_was_just_done():
    cands = [act("a", "count"), act("b", "count"), act("c", "count", kind="quiz")]
    history = [
        Done("a", NOW - 600_000, NOW - 500_000, True, "t2"),
        Done("b", NOW - 900_000, NOW - 800_000, True, "t1"),
    ]
    recs = rank(
        cands, {"count": state("count", 0.5)}, GRAPH, history=history, now_ms=NOW, limit=None
    )
    # c is a different kind and not recent; b was done before a; a was just done.
    assert ids(recs) == ["c", "b", "a"]
    assert "variety" in codes(recs[0])
    assert recs[0].score > recs[1].score > recs[2].score


def test_unfinished_attempt_is_continued():
    cands = [act("a", "count"), act("b", "count")]
    history = [Done("b", NOW - 600_000, NOW - 500_000, False, "t1")]
    recs = rank(cands, {}, GRAPH, history=history, now_ms=NOW)
    assert recs[0].activity_id == "b" and "continue" in codes(recs[0])


def test_activity_teaching_a_skill_and_its_prerequisite_waits_for_it():
    cands = [act("both", ["count", "add"]), act("count-only", "count")]
    assert ids(rank(cands, {}, GRAPH, now_ms=NOW)) == ["count-only"]
    ready = rank(cands, {"count": state("count", 0.97)}, GRAPH, now_ms=NOW)
    assert ids(ready) == ["both", "count-only"]


def test_deterministic_whatever_the_input_order():
    cands = [
        act(f"a{i}", "count", difficulty=1 + i % 5, modality="do" if i % 2 else "read")
        for i in range(40)
    ]
    profile = Profile(modalities=("read",))
    first = rank(cands, {}, GRAPH, profile, now_ms=NOW, limit=None)
    again = rank(list(reversed(cands)), {}, GRAPH, profile, now_ms=NOW, limit=None)
    assert first == again
    assert len(rank(cands, {}, GRAPH, profile, now_ms=NOW, limit=3)) == 3


def test_level_follows_mastery():
    assert target_difficulty(0.0, 1, 5) == 1
    assert target_difficulty(1.0, 1, 5) == 5
    cands = [act("easy", "count", difficulty=1), act("hard", "count", difficulty=5)]
    assert ids(rank(cands, {"count": state("count", 0.05)}, GRAPH, now_ms=NOW)) == ["easy", "hard"]
    assert ids(rank(cands, {"count": state("count", 0.9)}, GRAPH, now_ms=NOW)) == ["hard", "easy"]
    assert "level" in codes(rank(cands, {}, GRAPH, now_ms=NOW)[0])


def test_stars():
    assert stars(None) == 0
    assert stars(state("s", 0.2, attempts=0)) == 0
    assert stars(state("s", 0.3)) == 1
    assert stars(state("s", 0.7)) == 2
    assert stars(state("s", 0.96)) == 3


def _mixed_world():
    """Candidates in three languages, some assigned, pinned or unfinished, some blocked."""
    rng = random.Random(5)
    skills = ["count", "add", "sub", "other"]
    cands = [
        act(
            f"a{i:02d}",
            rng.sample(skills, rng.choice([1, 1, 2])),
            kind=rng.choice(["quiz", "practice", "reading", "project"]),
            modality=rng.choice(["do", "read", "listen"]),
            language=rng.choice(["en", "fr", "sw"]),
            difficulty=rng.randint(1, 5),
            interests=rng.sample(["animals", "space"], rng.randint(0, 1)),
            items=rng.choice([0, 2, 5, 8]),
        )
        for i in range(60)
    ]
    # A few teach no skill (a class meeting, a story): liked ones score like mastered.
    cands += [
        act(f"n{i}", [], kind="reading", modality="read", language=lang, interests=["space"])
        for i, lang in enumerate(["en", "fr", "sw", "en"])
    ]
    states = {"count": state("count", 0.97), "add": state("add", 0.4)}
    assignments = [
        AssignmentRef("a03", pinned=True),
        AssignmentRef("a07", due_on="2027-01-16"),
        AssignmentRef("a11"),
    ]
    history = [
        Done(f"a{n:02d}", NOW - n * DAY, NOW - n * DAY + 60_000, n % 4 != 0, f"t{n}")
        for n in range(1, 12)
    ]
    return cands, states, assignments, history


def test_top_few_equal_the_head_of_the_full_ranking():
    # The ranker skips scoring other languages' activities when they cannot reach the
    # top ``limit``: the result must be the same as ranking everything.
    cands, states, assignments, history = _mixed_world()
    for language, profile in [
        ("en", Profile()),
        ("fr", Profile(languages=("sw",), modalities=("read",), interests=("space",))),
        (None, Profile(languages=("sw",))),
        (None, Profile()),
    ]:
        every = rank(cands, states, GRAPH, profile, assignments, history, NOW, None, language)
        assert {r.activity_id for r in every} >= {"a03", "a07", "a11"}  # assigned: always
        for limit in (1, 3, 5, 20, 59):
            top = rank(cands, states, GRAPH, profile, assignments, history, NOW, limit, language)
            assert top == every[:limit]
    # Few activities in the student's language: the others fill the list, in order.
    only_two = [c for c in cands if c.language == "en"][:2] + [
        c for c in cands if c.language != "en"
    ]
    every = rank(only_two, states, GRAPH, language="en", now_ms=NOW, limit=None)
    assert rank(only_two, states, GRAPH, language="en", now_ms=NOW, limit=8) == every[:8]


def test_pool_and_history_summary_rank_as_the_plain_lists():
    cands, states, assignments, history = _mixed_world()
    plain = rank(cands, states, GRAPH, Profile(), assignments, history, NOW, None, "en")
    pool = Pool(reversed(cands))
    summary = History.of(history)
    assert summary.recent == ("a01", "a02", "a03")
    assert summary.unfinished == {"a04", "a08"} and "a04" not in summary.completed
    assert rank(pool, states, GRAPH, Profile(), assignments, summary, NOW, None, "en") == plain
    # A pool is made once and used for many calls.
    assert rank(pool, states, GRAPH, Profile(), assignments, summary, NOW, None, "en") == plain


def test_an_other_language_activity_outscoring_a_just_done_one_is_found():
    # At the edge of the bound: a fully faded review in a language the student does not
    # read, at their level, about what they like (-0.44), against the activity just
    # done, on a mastered skill, in their fourth language (about -0.4435).
    cands = [
        act("a-en", "m", kind="project", language="en", difficulty=1),
        act("m-hard", "m", language="sw", difficulty=5),
        act("x-sw", "count", kind="quiz", modality="read", language="sw", items=5,
            interests=["space"]),
    ]  # fmt: skip
    states = {
        "m": state("m", 0.99),
        "count": state("count", 0.6, needs_review=True, p_then=0.97),
    }
    profile = Profile(("space",), ("read",), ("fr", "de", "it", "en"))
    history = [Done("a-en", NOW - 600_000, NOW - 500_000, True, "t1")]
    every = rank(cands, states, GRAPH, profile, history=history, now_ms=NOW, limit=None)
    assert ids(every)[:2] == ["x-sw", "a-en"]
    assert every[0].score == pytest.approx(-0.44)
    assert rank(cands, states, GRAPH, profile, history=history, now_ms=NOW, limit=1) == every[:1]
