"""``baobab fit-mastery``: EM fits per skill, published in SkillFit, used by mastery."""

from __future__ import annotations

import random

from click.testing import CliRunner

from server import create_app
from server import db as database
from server.cli import main
from server.learning.tracing import fit_params, params_from_pack
from server.models import Answer, Skill, SkillFit
from server.services.catalog import catalog
from sync.stamp import school_partition

COUNT = "baobab-sample:count-to-10"
ACTIVITY = "baobab-sample:count-to-10-quiz-en"
T0 = 1_800_000_000_000


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    database.close_all()
    return result


def _simulated(students: int, answers: int, seed: int = 7) -> dict[str, list[bool]]:
    """Answer sequences of students following BKT with known parameters."""
    rng = random.Random(seed)
    result = {}
    for s in range(students):
        known = rng.random() < 0.25
        seq = []
        for _ in range(answers):
            seq.append(rng.random() < (0.92 if known else 0.15))
            known = known or rng.random() < 0.25
        result[f"sim-{s:03d}"] = seq
    return result


def _insert(data_dir: str, sequences: dict[str, list[bool]]) -> None:
    app = create_app({"DATA_DIR": data_dir, "TESTING": True})
    with app.app_context(), database.db.connection_context():
        rows = [
            {
                "id": f"{person}-{n}",
                "partition": school_partition("sim"),
                "person_id": person,
                "activity_id": ACTIVITY,
                "item_id": f"{ACTIVITY}:q1",
                "response": 0,
                "correct": right,
                "device_ms": T0 + n * 60_000,
                "received_ms": T0 + n * 60_000,
            }
            for person, seq in sequences.items()
            for n, right in enumerate(seq)
        ]
        Answer.create_many(rows)
    database.close_all()


def _fits(data_dir: str) -> tuple[dict[str, tuple], object]:
    app = create_app({"DATA_DIR": data_dir, "TESTING": True})
    with app.app_context(), database.db.connection_context():
        fits = {
            f.skill_id: (f.prior, f.learn, f.guess, f.slip, f.students, f.answers)
            for f in SkillFit.live()
        }
        params = catalog().params[COUNT]
        pack = params_from_pack(Skill.get_by_id(COUNT).bkt)
    database.close_all()
    return fits, (params, pack)


def test_fit_mastery_fits_publishes_and_clears(tmp_path):
    data = str(tmp_path / "node")
    assert run("demo", "--data-dir", data).exit_code == 0
    assert "EM" in run("fit-mastery", "--help").output
    sequences = _simulated(30, 12)
    _insert(data, sequences)

    dry = run("fit-mastery", "--data-dir", data, "--dry-run")
    assert "would fit 1 of 6 skills" in dry.output and f"{COUNT}: 30 students" in dry.output
    assert _fits(data)[0] == {}

    done = run("fit-mastery", "--data-dir", data)
    assert done.exit_code == 0 and "fitted 1 of 6 skills" in done.output
    assert "kept (0 students" in done.output
    fits, (params, pack) = _fits(data)
    expected = fit_params(list(sequences.values()), pack)  # sequences in student id order
    assert fits[COUNT] == (expected.prior, expected.learn, expected.guess, expected.slip, 30, 360)
    # Mastery now traces with the fit, keeping the pack's forgetting.
    assert (params.prior, params.slip) == (expected.prior, expected.slip)
    assert params.forget_half_life_days == pack.forget_half_life_days
    assert expected.slip < 0.2 and expected.guess < 0.3  # near the simulation's 0.08, 0.15

    again = run("fit-mastery", "--data-dir", data)
    assert again.exit_code == 0 and _fits(data)[0] == fits  # same answers, same numbers

    assert "withdrew 1 fits" in run("fit-mastery", "--data-dir", data, "--clear").output
    fits, (params, pack) = _fits(data)
    assert fits == {} and params == pack


def test_too_few_students_keep_the_pack_parameters(tmp_path):
    data = str(tmp_path / "node")
    run("demo", "--data-dir", data)
    _insert(data, _simulated(3, 10))
    out = run("fit-mastery", "--data-dir", data, "--min-students", "4").output
    assert f"{COUNT}: kept (3 students, fewer than 4)" in out
    assert _fits(data)[0] == {}
    bad = CliRunner().invoke(main, ["fit-mastery", "--data-dir", data, "--min-students", "0"])
    database.close_all()
    assert bad.exit_code == 2 and "min-students" in bad.output
