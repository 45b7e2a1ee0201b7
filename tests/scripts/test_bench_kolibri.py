"""`scripts/bench kolibri`: our learner home and Kolibri's, side by side, end to end.

Installs Kolibri from PyPI into .venv/bench-kolibri-VERSION on its first run (about a
minute), as the bench does for whoever runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

# Servers in subprocesses, and everything in a network namespace of its own (root).
pytestmark = [pytest.mark.slow, pytest.mark.namespace]

ROOT = Path(__file__).resolve().parents[2]

LAST_LINE = re.compile(
    r"^students=(\d+) home_req_per_s=(\d+) home_p99_ms=([\d.]+)"
    r" kolibri_home_req_per_s=([\d.]+) kolibri_home_p99_ms=([\d.]+) times=([\d.]+)"
    r" signin_all_s=([\d.]+) kolibri_signin_all_s=([\d.]+)"
    r" errors=(\d+) kolibri_errors=(\d+) loop_s=([\d.]+)$"
)


def test_every_learner_signs_in_to_both_and_the_line_adds_up():
    done = subprocess.run(
        [sys.executable, "scripts/bench_kolibri.py", "--students", "3", "--duration", "2", "--warmup", "1",
         "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    figures = LAST_LINE.match(lines[-1])
    assert figures, lines[-1]
    students, ours, ours_p99, kolibri, kolibri_p99, times = figures.groups()[:6]
    signin, kolibri_signin, errors, kolibri_errors, loop_s = figures.groups()[6:]
    assert students == "3" and errors == "0" and kolibri_errors == "0", done.stdout
    assert int(ours) > 0 and float(kolibri) > 0, done.stdout
    assert float(ours_p99) > 0 and float(kolibri_p99) > 0 and float(loop_s) > 0.05
    assert float(signin) > 0 and float(kolibri_signin) > 0, done.stdout
    # times is ours ÷ Kolibri's rate, as printed from the rates (rounded as they are).
    assert abs(float(times) - int(ours) / float(kolibri)) <= 0.06 + (
        0.5 / float(kolibri) + 0.05 / float(kolibri) * int(ours) / float(kolibri)
    ), done.stdout
    # Each server's run: all three learners signed in, and each home had a body.
    for name in ("ours", "kolibri"):
        run = re.search(rf"^  {name} .* (\d+) signed in within ([\d.]+) s, errors 0, .* home (\d+) bytes$",
                        done.stdout, re.M)  # fmt: skip
        assert run and run.group(1) == "3" and int(run.group(3)) > 100, done.stdout
