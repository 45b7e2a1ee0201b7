"""Benchmark sync, node to hub on loopback: throughput, wire bytes, memory, database size.

The receiving side is `baobab serve` in its own process (waitress, SQLite); the
sending side is `baobab sync --peer` in its own process, on a node holding the
demo school plus N answer events (written by this process first). Figures: full
sync rows/s and wire bytes per row (median of --runs runs, each into a fresh
receiver), 1,000 new events, a sync with nothing new, peak RSS of both sides, and
database bytes per answer event. Ends with one line of name=value figures.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import create_app  # noqa: E402
from server import db as database  # noqa: E402
from server.cli import prepare  # noqa: E402
from server.models import Answer, LocalNode  # noqa: E402
from server.services import demo  # noqa: E402
from sync.ids import new_id  # noqa: E402
from tests.helpers.nodes import ServedNode, baobab  # noqa: E402


def answer_row(n: int, partition: str) -> dict[str, object]:
    """The bench's n-th answer event (before stamping), its id made as devices make them.

    The student app and ``sync.ids.new_id`` both make 128-bit ids in 22 url-safe
    characters; a 32-character hex id would add 20 bytes to every row and its index.
    """
    return {
        "id": new_id(),
        "partition": partition,
        "person_id": "Kz3e9Qp1Lm7Tn2Vb5Xc8Ad",
        "attempt_id": "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik",
        "activity_id": "baobab-sample:count-to-10-quiz-en",
        "item_id": "baobab-sample:count-to-10-quiz-en:q1",
        "response": n % 4,
        "correct": n % 3 != 0,
        "hints_used": n % 2,
        "duration_ms": 2000 + n % 5000,
        "device_ms": 1_763_800_000_000 + n * 1000,
        "received_ms": 1_763_800_000_500 + n * 1000,
    }


def add_answers(count: int, partition: str) -> None:
    batch = 5000
    for start in range(0, count, batch):
        rows = [answer_row(n, partition) for n in range(start, min(count, start + batch))]
        with database.db.atomic():
            Answer.create_many(rows)


_SYNC_LINE = re.compile(
    r"pulled (\d+) rows, pushed (\d+) rows in ([\d.]+) s, (\d+) bytes sent, (\d+) received"
)


def sync_cli(sender: Path, url: str) -> dict[str, float]:
    """Run `baobab sync --peer` as its own process, as the node's operator would.

    Its peak RSS is read from /proc while it runs (VmHWM), so it is this sync's alone.
    """
    env = {**os.environ, "BAOBAB_DISCOVERY": "0"}
    cpu_before = _children_cpu_s()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "sync", "--peer", url, "--data-dir", str(sender)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    peak = 0.0
    while proc.poll() is None:
        try:
            peak = max(peak, peak_rss_mb(proc.pid))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.02)
    out = proc.stdout.read()
    proc.stdout.close()
    cpu = _children_cpu_s() - cpu_before  # this sync process's CPU time (it is reaped now)
    pulled, pushed, seconds, sent, received = _SYNC_LINE.search(out).groups()
    return {
        "rows": max(int(pulled) + int(pushed), 1),
        "seconds": float(seconds),
        "sent": int(sent),
        "received": int(received),
        "peak_mb": peak,
        "cpu_s": cpu,
    }


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_s(pid: int) -> float:
    """CPU seconds a running process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def answer_bytes(db_path: Path) -> dict[str, int]:
    """Bytes of the answer table and of each of its indexes (dbstat), as the node holds them.

    Measured as the file is after the sync (WAL checkpointed, no VACUUM): free pages
    are not counted, partly filled pages are. Without dbstat: the whole file.
    """
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            rows = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name = 'answer' OR name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = 'answer' AND type = 'index') "
                "GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
        except sqlite3.OperationalError:
            return {"whole file": db_path.stat().st_size}
    return dict(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000, help="answer events to sync")
    parser.add_argument("--runs", type=int, default=3, help="full syncs (fresh receivers)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="baobab-bench-sync-"))
    receivers: list[ServedNode] = []
    try:
        sender = work / "node"
        app = create_app({"DATA_DIR": str(sender), "SQLITE_SYNCHRONOUS": "NORMAL"})
        prepare(app)
        with database.db.connection_context():
            demo.seed_demo(str(work / "node"))
            school_id = LocalNode.get().school_id
            partition = f"school:{school_id}"
            began = time.perf_counter()
            add_answers(args.events, partition)
            print(f"wrote {args.events} answer events in {time.perf_counter() - began:.1f} s")

        fulls, full_results = [], []
        for run in range(args.runs):
            hub = ServedNode(work / f"hub{run}", demo=False)
            baobab("init", "--data-dir", str(hub.data_dir))
            # The receiver stands in for the hub: it takes the school (as enrolment
            # will do), shows a code, and we pair with it and push everything.
            with sqlite3.connect(hub.data_dir / "baobab.db") as conn:
                conn.execute("UPDATE local_node SET school_id = ?", (school_id,))
            code = hub.pairing_code()
            hub.start()
            receivers.append(hub)
            baobab("pair", hub.url, code, "--data-dir", str(sender))
            served_cpu = process_cpu_s(hub.proc.pid)
            result = sync_cli(sender, hub.url)
            result["receiver_cpu_s"] = process_cpu_s(hub.proc.pid) - served_cpu
            full_results.append(result)
            fulls.append((result["rows"] / result["seconds"], result["sent"] / result["rows"]))
            print(
                f"full sync {run + 1}: {result['rows']} rows in {result['seconds']:.2f} s = "
                f"{fulls[-1][0]:,.0f} rows/s, {fulls[-1][1]:.0f} B/row on the wire; CPU: "
                f"sender {result['cpu_s']:.2f} s, receiver {result['receiver_cpu_s']:.2f} s"
            )
        hub = receivers[-1]
        with database.db.connection_context():
            add_answers(1000, partition)
        database.close_all()
        incr = sync_cli(sender, hub.url)
        noops = [sync_cli(sender, hub.url) for _ in range(5)]
        noop_s = statistics.median(r["seconds"] for r in noops)
        noop_bytes = statistics.median(r["sent"] + r["received"] for r in noops)
        print(f"1,000 new events: {incr['seconds']:.3f} s")
        print(f"no-change sync: {noop_s * 1000:.1f} ms, {noop_bytes:.0f} B")
        server_rss = peak_rss_mb(hub.proc.pid)
        client_rss = max(r["peak_mb"] for r in [*full_results, incr, *noops])
        hub.stop()
        answer_objects = answer_bytes(hub.data_dir / "baobab.db")
        db_per_row = sum(answer_objects.values()) / (args.events + 1000)
        print(
            "database per answer event: "
            + ", ".join(f"{k} {v / (args.events + 1000):.0f} B" for k, v in answer_objects.items())
        )
        # CPU per 1,000 rows is steadier than wall time on a shared machine.
        sender_cpu = statistics.median(r["cpu_s"] / r["rows"] * 1000 for r in full_results)
        receiver_cpu = statistics.median(
            r["receiver_cpu_s"] / r["rows"] * 1000 for r in full_results
        )
        print(
            f"CPU per 1,000 rows: sender {sender_cpu * 1000:.1f} ms (process start included), "
            f"receiver {receiver_cpu * 1000:.1f} ms"
        )
        print(f"peak RSS: receiver {server_rss:.1f} MB, sender (baobab sync) {client_rss:.1f} MB")
        figures = {
            "rows_per_s": f"{statistics.median(f[0] for f in fulls):.0f}",
            "bytes_per_row": f"{statistics.median(f[1] for f in fulls):.0f}",
            "incr_1000_s": f"{incr['seconds']:.3f}",
            "noop_s": f"{noop_s:.4f}",
            "noop_bytes": f"{noop_bytes:.0f}",
            "peak_rss_mb": f"{max(server_rss, client_rss):.1f}",
            "db_bytes_per_row": f"{db_per_row:.0f}",
        }
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
    finally:
        for node in receivers:
            node.stop()
        database.close_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("BAOBAB_DISCOVERY", "0")
    main()
