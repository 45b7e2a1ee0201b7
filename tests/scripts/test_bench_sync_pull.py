"""Smoke test of `scripts/bench sync_pull` at a small size, so the bench cannot rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FINAL_LINE = re.compile(
    r"^rows_per_s=(\d+) puller_cpu_ms_per_1000=[\d.]+ served_cpu_ms_per_1000=[\d.]+ "
    r"peak_rss_mb=([\d.]+) load=[\d.]+$"
)


def test_the_pull_bench_pulls_every_event_and_ends_with_its_figures():
    env = {**os.environ, "BAOBAB_DISCOVERY": "0"}
    done = subprocess.run(
        [sys.executable, "scripts/bench_sync_pull.py", "--events", "300", "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    # The bench exits with an error unless the puller holds every answer it served.
    pulled = re.search(r"full pull 1: (\d+) rows", done.stdout)
    assert pulled and int(pulled.group(1)) >= 300
    final = FINAL_LINE.match(lines[-1])
    assert final, lines[-1]
    assert int(final.group(1)) > 0 and 0 < float(final.group(2)) < 1000
