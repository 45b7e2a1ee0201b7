"""Benchmark the pull direction: a fresh node pulls N answer events from a served one.

`scripts/bench sync` measures a push (the node holding the events starts the
session). Here the node holding the demo school plus N answer events is
`baobab serve` (its own process), and a freshly initialised node of the same school
runs `baobab sync --peer` (another process) and pulls everything: the pipelined
pull, the puller's apply and the served side's export. Each run pulls into a new
node. Ends with one line of name=value figures (medians of --runs runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench_sync import (  # it puts the project on sys.path
    add_answers,
    create_app,
    database,
    demo,
    peak_rss_mb,
    prepare,
    process_cpu_s,
    sync_cli,
)

from server.models import Answer, LocalNode
from tests.helpers.nodes import ServedNode, baobab


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000, help="answer events to pull")
    parser.add_argument("--runs", type=int, default=3, help="full pulls (fresh pullers)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="baobab-bench-pull-") as tmp:
        served = ServedNode(Path(tmp) / "served", demo=False)
        try:
            figures = measure(args.events, args.runs, served, Path(tmp))
        finally:
            served.stop()
            database.close_all()
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


def measure(events: int, runs: int, served: ServedNode, work: Path) -> dict[str, str]:
    """Write the events into the served node, serve it, and pull it ``runs`` times."""
    app = create_app({"DATA_DIR": str(served.data_dir), "SQLITE_SYNCHRONOUS": "NORMAL"})
    prepare(app)
    with database.db.connection_context():
        demo.seed_demo(str(served.data_dir))
        school_id = LocalNode.get().school_id
        began = time.perf_counter()
        add_answers(events, f"school:{school_id}")
        print(f"wrote {events} answer events in {time.perf_counter() - began:.1f} s")
        answers = Answer.select().count()  # the demo's own answers included
    database.close_all()  # the served process is the only one to open it from now on
    served.start()
    results = []
    for run in range(runs):
        puller = work / f"puller{run}"
        baobab("init", "--data-dir", str(puller))
        with sqlite3.connect(puller / "baobab.db") as conn:
            conn.execute("UPDATE local_node SET school_id = ?", (school_id,))
        baobab("pair", served.url, served.pairing_code(), "--data-dir", str(puller))
        served_cpu = process_cpu_s(served.proc.pid)
        result = sync_cli(puller, served.url)
        result["served_cpu_s"] = process_cpu_s(served.proc.pid) - served_cpu
        results.append(result)
        with sqlite3.connect(puller / "baobab.db") as conn:
            held = conn.execute("SELECT count(*) FROM answer").fetchone()[0]
        if held != answers:
            raise SystemExit(f"the puller holds {held} answers of {answers}")
        print(
            f"full pull {run + 1}: {result['rows']} rows in {result['seconds']:.2f} s = "
            f"{result['rows'] / result['seconds']:,.0f} rows/s; CPU: puller "
            f"{result['cpu_s']:.2f} s, served {result['served_cpu_s']:.2f} s; peak RSS "
            f"puller {result['peak_mb']:.1f} MB"
        )
        shutil.rmtree(puller)
    served_rss = peak_rss_mb(served.proc.pid)
    per_1000 = {
        side: statistics.median(r[key] / r["rows"] * 1_000_000 for r in results)
        for side, key in (("puller", "cpu_s"), ("served", "served_cpu_s"))
    }
    figures = {
        "rows_per_s": f"{statistics.median(r['rows'] / r['seconds'] for r in results):.0f}",
        "puller_cpu_ms_per_1000": f"{per_1000['puller']:.1f}",
        "served_cpu_ms_per_1000": f"{per_1000['served']:.1f}",
        "peak_rss_mb": f"{max(served_rss, *(r['peak_mb'] for r in results)):.1f}",
        "load": f"{os.getloadavg()[0]:.1f}",
    }
    return figures


if __name__ == "__main__":
    os.environ.setdefault("BAOBAB_DISCOVERY", "0")
    main()
