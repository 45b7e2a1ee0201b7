"""Benchmark the personalization engine on simulated students.

Simulated students with hidden per-skill knowledge (scripts/bench_learning/classroom.py)
work through the sample pack's skill graph. (a) AUC of predicting each next answer from
our mastery estimate (EM-fitted on training students) against pyBKT fitted on the same
students, both scored on the same held-out students; pyBKT runs in its own venv,
.venv/bench-learning, made from PyPI on the first run. (b) Median number of activities
until every skill is truly known (the hidden state) when following our recommendations,
the pack's fixed order, or random choice; a greedy policy on our estimates is shown for
reference. (c) p95 time of the recommendation service for one student with 1,000
activities and 10,000 answers on a real SQLite node. (a) and (b) are the same for the
same seed. Ends with one line of name=value figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_learning import classroom, following, prediction, timing  # noqa: E402

from server.paths import SAMPLE_PACK_DIR  # noqa: E402


def log(message: str) -> None:
    print(message, flush=True)


def bench_prediction(
    course: classroom.Course, students: list[classroom.Student], args: argparse.Namespace
) -> tuple[float, float]:
    """(a): our AUC and pyBKT's (nan when skipped) on the held-out students."""
    learners = [
        classroom.run_for(s, course, classroom.random_choice, args.practice, args.seed, args.forget)
        for s in students
    ]
    train, test = prediction.split(learners, 0.2)
    train_rows = prediction.answer_rows(train)
    test_rows = prediction.answer_rows(test, first_key=len(train_rows))
    log(
        f"(a) {len(students)} students x {args.practice} random activities: "
        f"{len(train_rows)} answers from {len(train)} training students, "
        f"{len(test_rows)} from {len(test)} test students"
    )
    labels = [r.correct for r in test_rows]
    began = time.perf_counter()
    fitted = prediction.fit_ours(course, train_rows)
    log(f"  our EM fit in {time.perf_counter() - began:.1f} s")
    for skill, p in fitted.items():
        log(f"  ours  {skill}: prior={p.prior:.3f} learn={p.learn:.3f} "
            f"guess={p.guess:.3f} slip={p.slip:.3f}")  # fmt: skip
    ours = prediction.predict_ours(fitted, test_rows)
    auc = prediction.auc(labels, [ours[r.key] for r in test_rows])
    unfitted = prediction.predict_ours(course.params, test_rows)
    log(f"  AUC ours {auc:.4f} (with the pack's unfitted parameters "
        f"{prediction.auc(labels, [unfitted[r.key] for r in test_rows]):.4f})")  # fmt: skip
    if args.no_pybkt:
        log("  pyBKT skipped (--no-pybkt)")
        return auc, float("nan")
    began = time.perf_counter()
    theirs = prediction.predict_pybkt(train_rows, test_rows, args.seed, log)
    auc_pybkt = prediction.auc(labels, [theirs[r.key] for r in test_rows])
    log(f"  AUC pyBKT {auc_pybkt:.4f} (fit and predict in {time.perf_counter() - began:.1f} s)")
    return auc, auc_pybkt


def steps_until_known(
    course: classroom.Course,
    students: list[classroom.Student],
    policy: classroom.Policy,
    name: str,
    args: argparse.Namespace,
) -> float:
    """(b) for one policy: the median number of activities until everything is known."""
    began = time.perf_counter()
    steps = [
        len(classroom.run_until_known(s, course, policy, args.seed, name, args.forget).done)
        for s in students
    ]
    capped = sum(n >= classroom.MAX_STEPS for n in steps)
    quartiles = statistics.quantiles(steps, n=4) if len(steps) > 1 else [steps[0]] * 3
    log(f"  {name:<13} median {statistics.median(steps):5.1f}  mean {statistics.mean(steps):5.1f}"
        f"  quartiles {quartiles[0]:.0f}-{quartiles[2]:.0f}  max {max(steps)}"
        f"  (stopped at {classroom.MAX_STEPS}: {capped})"
        f"  {time.perf_counter() - began:.1f} s")  # fmt: skip
    return statistics.median(steps)


def bench_paths(
    course: classroom.Course, students: list[classroom.Student], args: argparse.Namespace
) -> dict[str, float]:
    """(b): medians for ours (the chosen way of choosing), the fixed path and random."""
    log(f"(b) activities until every skill is truly known, {len(students)} students:")
    other = "top" if args.choice == "top3" else "top3"
    policies = [
        (f"ours ({args.choice})", following.following_recommendations(course, args.choice)),
        (f"ours ({other})", following.following_recommendations(course, other)),
        ("fixed", classroom.fixed_path),
        ("random", classroom.random_choice),
        ("greedy (ref)", following.greedy_on_estimates(course)),
    ]
    medians = {}
    for name, policy in policies:
        # Each policy draws its own answers from its own seeded stream; the students and
        # their hidden parameters are the same for all.
        medians[name] = steps_until_known(course, students, policy, name, args)
    return {
        "ours": medians[f"ours ({args.choice})"],
        "fixed": medians["fixed"],
        "random": medians["random"],
    }


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The module docstring as written, and each option's default."""


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="scripts/bench learning", description=__doc__, formatter_class=_HelpFormatter
    )
    parser.add_argument("--students", type=int, default=400, help="simulated students")
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same students")
    parser.add_argument("--runs", type=int, default=100, help="timed recommendations (c)")
    parser.add_argument(
        "--practice", type=int, default=30, help="random activities per student for (a)"
    )
    parser.add_argument(
        "--choice", choices=sorted(following.CHOICES), default="top3",
        help="how a student picks among our recommendations (b): the first, or any of three",
    )  # fmt: skip
    parser.add_argument(
        "--forget", type=float, default=0.0,
        help="P(a known skill is forgotten) per day in the hidden truth",
    )  # fmt: skip
    parser.add_argument("--activities", type=int, default=1000, help="activities on the node (c)")
    parser.add_argument("--events", type=int, default=10_000, help="the student's answers (c)")
    parser.add_argument("--no-pybkt", action="store_true", help="skip pyBKT (auc_pybkt=nan)")
    args = parser.parse_args()
    if args.students < 5 or args.runs < 1:
        parser.error("need --students >= 5 (one in five is a test student) and --runs >= 1")

    course = classroom.load_course(SAMPLE_PACK_DIR)
    students = classroom.make_students(course, args.students, args.seed)
    log(f"sample pack: {len(course.skills)} skills, {len(course.activities)} activities; "
        f"seed {args.seed}, forgetting per day {args.forget}")  # fmt: skip
    auc, auc_pybkt = bench_prediction(course, students, args)
    steps = bench_paths(course, students, args)
    log("(c) recommendations for one student:")
    times = timing.measure(args.activities, args.events, args.runs, args.seed, log)
    log(f"  first call {times['first_ms']:.1f} ms")
    log(f"  {args.runs} calls each after a new answer: median {times['median_ms']:.1f} ms, "
        f"p95 {times['p95_ms']:.1f} ms")  # fmt: skip
    log(f"  {args.runs} calls each after a late-synced old answer (a full trace): "
        f"median {times['full_median_ms']:.1f} ms, p95 {times['full_p95_ms']:.1f} ms")  # fmt: skip
    print(
        f"auc={auc:.4f} auc_pybkt={auc_pybkt:.4f} steps_ours={steps['ours']:g} "
        f"steps_fixed={steps['fixed']:g} steps_random={steps['random']:g} "
        f"recommend_p95_ms={times['p95_ms']:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
