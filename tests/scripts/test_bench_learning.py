"""Smoke tests of `scripts/bench learning`: small sizes, no pyBKT, so the bench cannot rot."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from bench_learning import classroom, following, prediction  # noqa: E402

from server.paths import SAMPLE_PACK_DIR  # noqa: E402

FINAL_LINE = re.compile(
    r"^auc=(\d\.\d{4}) auc_pybkt=nan steps_ours=([\d.]+) steps_fixed=([\d.]+) "
    r"steps_random=([\d.]+) recommend_p95_ms=([\d.]+)$"
)


@pytest.fixture(scope="module")
def course() -> classroom.Course:
    return classroom.load_course(SAMPLE_PACK_DIR)


def test_the_sample_pack_is_read_with_database_ids(course):
    assert len(course.skills) == 6
    manifest = json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text())
    assert len(course.activities) == len(manifest["activities"])
    add = "baobab-sample:add-within-10"
    assert course.prerequisites[add] == ("baobab-sample:compare-numbers",)
    assert [a.slug for a in course.path("en")][:2] == ["count-to-10-read-en", "count-to-10-quiz-en"]


@pytest.mark.parametrize("name", ["fixed", "random", "ours-top", "ours-top3"])
def test_every_policy_brings_students_to_knowing_every_skill(course, name):
    policies = {
        "fixed": classroom.fixed_path,
        "random": classroom.random_choice,
        "ours-top": following.following_recommendations(course, "top"),
        "ours-top3": following.following_recommendations(course, "top3"),
    }
    for student in classroom.make_students(course, 3, seed=7):
        learner = classroom.run_until_known(student, course, policies[name], 7, name)
        assert learner.knows_everything(), f"student {student.index} stuck under {name}"
        assert len(learner.done) < classroom.MAX_STEPS
        languages = {a.language for a in course.activities if a.id in set(learner.done)}
        if name in ("fixed", "random"):
            assert languages <= {student.language}


def test_the_same_seed_gives_the_same_students_and_answers(course):
    def steps(seed: int) -> list[tuple[int, int]]:
        students = classroom.make_students(course, 4, seed)
        runs = [classroom.run_until_known(s, course, classroom.random_choice, seed, "r")
                for s in students]  # fmt: skip
        return [(len(r.done), sum(o.correct for o in r.observations)) for r in runs]

    assert steps(3) == steps(3)
    assert steps(3) != steps(4)


def test_auc_by_hand():
    assert prediction.auc([True, False, True, False], [0.9, 0.1, 0.8, 0.3]) == 1.0
    assert prediction.auc([True, False, True, False], [0.1, 0.9, 0.2, 0.8]) == 0.0
    # One right answer above the wrong one, one tied with it: (1 + 0.5) / 2.
    assert prediction.auc([True, True, False], [0.9, 0.5, 0.5]) == 0.75


def test_our_prediction_of_an_answer_never_sees_it_or_later_ones(course):
    student = classroom.make_students(course, 1, seed=2)[0]
    learner = classroom.run_for(student, course, classroom.fixed_path, 12, seed=2)
    rows = prediction.answer_rows([learner])
    before = prediction.predict_ours(course.params, rows)
    middle = len(rows) // 2
    flipped = [
        r if r.key < middle else prediction.Row(r.key, r.student, r.skill, not r.correct, r.time_ms)
        for r in rows
    ]
    after = prediction.predict_ours(course.params, flipped)
    assert all(before[r.key] == after[r.key] for r in rows if r.key <= middle)
    assert any(before[r.key] != after[r.key] for r in rows if r.key > middle)


def test_the_bench_runs_small_and_ends_with_its_line():
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_learning.py"), "--students", "10",
         "--practice", "10", "--runs", "3", "--activities", "120", "--events", "300",
         "--no-pybkt"],
        capture_output=True, text=True, timeout=240, check=True,
    )  # fmt: skip
    lines = out.stdout.strip().splitlines()
    match = FINAL_LINE.match(lines[-1])
    assert match, lines[-1]
    assert 0.5 < float(match.group(1)) <= 1.0
    assert all(float(match.group(i)) > 0 for i in (2, 3, 4, 5))
    assert any("node with 120 activities and 300 answers" in line for line in lines)
