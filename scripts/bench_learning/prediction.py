"""(a) Predicting each next answer: our mastery estimate against pyBKT, by AUC.

Both models are fitted on the same training students and predict every answer of the
test students before seeing it. Ours: ``server.learning.tracing.fit_params`` (EM) per skill from
the pack's values, then ``trace`` over the answers before each one, as the product
computes mastery (with its forgetting). pyBKT 1.4.3, default model, runs in a
virtual environment of its own (made on first use) in a subprocess; the data go to it
through a temporary file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import venv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from server.learning.tracing import (
    BktParams,
    Observation,
    canonical_order,
    fit_params,
    predict_correct,
    trace,
)

from .classroom import Course, Learner

ROOT = Path(__file__).resolve().parents[2]
# Inside .venv/ (ignored by git, remade by scripts/test): pyBKT's pins (numpy<2 and
# friends) never meet the project's own environment.
BENCH_VENV = ROOT / ".venv" / "bench-learning"
PYBKT_REQUIREMENTS = ["pyBKT==1.4.3", "numpy<2", "pandas<2.3", "scikit-learn<1.5"]
PYBKT_RUNNER = Path(__file__).resolve().parent / "pybkt_fit.py"


@dataclass(frozen=True)
class Row:
    """One answer to one skill, in each student's canonical order."""

    key: int  # position in the data set: the order pyBKT gets
    student: int
    skill: str
    correct: bool
    time_ms: int


def answer_rows(learners: Sequence[Learner], first_key: int = 0) -> list[Row]:
    """Every observation of the learners, student by student, in canonical order."""
    rows = []
    for learner in learners:
        for obs in canonical_order(learner.observations):
            key = first_key + len(rows)
            rows.append(Row(key, learner.student.index, obs.skill_id, obs.correct, obs.time_ms))
    return rows


def split(learners: Sequence[Learner], test_share: float) -> tuple[list[Learner], list[Learner]]:
    """Train and test students: every fifth one (for 0.2) is a test student."""
    every = max(2, round(1 / test_share))
    train = [x for i, x in enumerate(learners) if i % every != every - 1]
    test = [x for i, x in enumerate(learners) if i % every == every - 1]
    return train, test


def _by_student_skill(rows: Sequence[Row]) -> dict[tuple[int, str], list[Row]]:
    grouped: dict[tuple[int, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault((row.student, row.skill), []).append(row)
    return grouped


def fit_ours(course: Course, train_rows: Sequence[Row]) -> dict[str, BktParams]:
    """Per-skill parameters fitted by our EM, starting from the pack's."""
    sequences: dict[str, list[list[bool]]] = {skill: [] for skill in course.params}
    for (_, skill), rows in _by_student_skill(train_rows).items():
        sequences[skill].append([r.correct for r in rows])
    return {skill: fit_params(sequences[skill], course.params[skill]) for skill in course.params}


def predict_ours(params: dict[str, BktParams], rows: Sequence[Row]) -> dict[int, float]:
    """P(right) of each row from the mastery traced over that student's earlier answers."""
    # ``trace`` on each prefix is quadratic per student and skill, but it is exactly the
    # product's estimate (decay included), and the sequences are short.
    predictions = {}
    for (_, skill), seq in _by_student_skill(rows).items():
        p = params[skill]
        observations = [_observation(r) for r in seq]
        for i, row in enumerate(seq):
            state = trace(observations[:i], {skill: p}, row.time_ms)[skill]
            predictions[row.key] = predict_correct(state.p_known_now, p)
    return predictions


def _observation(row: Row) -> Observation:
    return Observation(f"r{row.key}", row.skill, row.correct, row.time_ms)


def auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve: P(a right answer scores above a wrong one), ties half."""
    pairs = sorted(zip(scores, labels))
    rank_sum, positives, i = 0.0, 0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2  # ranks i+1..j share their mean
        hits = sum(label for _, label in pairs[i:j])
        rank_sum += hits * mean_rank
        positives += hits
        i = j
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return float("nan")
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def bench_python(log=print) -> Path:
    """The Python of the benchmark's pyBKT environment, made from PyPI if missing."""
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / ".requirements"
    wanted = " ".join(PYBKT_REQUIREMENTS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    log(f"making {BENCH_VENV.relative_to(ROOT)} with {wanted} (once)")
    venv.create(BENCH_VENV, with_pip=True, clear=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *PYBKT_REQUIREMENTS],
        check=True, stdout=sys.stderr,
    )  # fmt: skip
    stamp.write_text(wanted)
    return python


def predict_pybkt(
    train_rows: Sequence[Row], test_rows: Sequence[Row], seed: int, log=print
) -> dict[int, float]:
    """pyBKT fitted on the training rows, its one-step-ahead P(right) of each test row."""
    python = bench_python(log)

    def table(rows: Sequence[Row]) -> list[list]:
        return [[r.key, r.key, r.student, r.skill, int(r.correct)] for r in rows]

    with tempfile.TemporaryDirectory(prefix="baobab-bench-pybkt-") as tmp:
        source, result = Path(tmp) / "data.json", Path(tmp) / "predictions.json"
        source.write_text(
            json.dumps({"seed": seed, "train": table(train_rows), "test": table(test_rows)})
        )
        env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"}
        subprocess.run(
            [str(python), str(PYBKT_RUNNER), str(source), str(result)],
            check=True, env=env, stdout=sys.stderr,
        )  # fmt: skip
        out = json.loads(result.read_text())
    for skill, values in sorted(out["params"].items()):
        log(f"  pyBKT {skill}: " + " ".join(f"{k}={v:.3f}" for k, v in sorted(values.items())))
    return {int(k): v for k, v in out["predictions"]}
