"""Benchmark the district hub as deployed: ten nodes sync into it at once.

PostgreSQL (a throw-away cluster), two app hosts (`baobab serve --role hub`, one
data directory and port each) behind a real nginx that ends TLS, as in
scripts/deploy/. Ten nodes, each a school of its own (`baobab demo`) holding
--events answer events, are enrolled through nginx and then all run `baobab sync
--hub` at the same moment. Figures: rows ingested per second over the wall time
from the first sync's start to the last one's end, syncs that failed, and, with
the events now on the hub (1,000,000 by default), the p99 latency of the district
dashboard (`GET /api/v1/district/dashboard`, answered by a district admin) when it
answers 200; `na` when the hub has none. Ends with one line of name=value figures.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import create_app  # noqa: E402
from server import db as database  # noqa: E402
from server.auth import signin  # noqa: E402
from server.cli import prepare  # noqa: E402
from server.models import School  # noqa: E402
from server.services import people  # noqa: E402
from sync.stamp import school_partition  # noqa: E402
from tests.helpers.hub_hosts import HubCluster, add_answers, node_cli  # noqa: E402

DASHBOARD = "/api/v1/district/dashboard"
_PUSHED = re.compile(r"pushed (\d+) rows")


def district_admin(cluster: HubCluster, work: Path) -> tuple[str, str]:
    """The district office's school and a bearer token of its admin, made on the hub."""
    app = create_app({"DATA_DIR": str(work / "setup"), "DATABASE_URL": cluster.url, "ROLE": "hub"})
    prepare(app)
    try:
        with database.db.connection_context():
            office = School(name="District office", code="district")
            office.partition = school_partition(office.id)
            office.save(force_insert=True)
            admin = people.create_person(
                office.id, "admin", "District Admin", username="district", password="bench-pw-12345"
            )
            token = signin.issue_token(admin, "bench")
    finally:
        database.close_all()
    return office.id, token


def dashboard_p99(url: str, token: str, context, requests: int, threads: int) -> str:
    """p99 of the dashboard in ms, or ``na (STATUS)`` when it does not answer 200."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url + DASHBOARD, headers=headers), timeout=60, context=context
        ) as first:
            first.read()
    except urllib.error.HTTPError as exc:
        return f"na ({exc.code})"
    times: list[float] = []
    lock = threading.Lock()

    def worker(count: int) -> None:
        for _ in range(count):
            began = time.perf_counter()
            request = urllib.request.Request(url + DASHBOARD, headers=headers)
            with urllib.request.urlopen(request, timeout=60, context=context) as response:
                response.read()
            with lock:
                times.append(time.perf_counter() - began)

    pool = [threading.Thread(target=worker, args=(requests // threads,)) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    times.sort()
    return f"{times[max(0, int(len(times) * 0.99) - 1)] * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10, help="nodes syncing at once")
    parser.add_argument("--events", type=int, default=100_000, help="answer events per node")
    parser.add_argument("--hosts", type=int, default=2, help="hub app hosts behind nginx")
    parser.add_argument("--workers", type=int, default=1, help="serving processes per host")
    parser.add_argument("--requests", type=int, default=400, help="dashboard requests timed")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="baobab-bench-hub-"))
    cluster = HubCluster(work / "hub", hosts=args.hosts, workers=args.workers)
    try:
        office, token = district_admin(cluster, work)
        for host in cluster.hosts:
            host.env["BAOBAB_DISTRICT_SCHOOL"] = office
        cluster.start()
        env = cluster.node_env()
        nodes = [work / f"node{i}" for i in range(args.nodes)]
        began = time.perf_counter()
        for data_dir in nodes:
            node_cli(data_dir, env, "demo")
            add_answers(data_dir, args.events)
            code = cluster.cli("pair-code", "--any-school").stdout.split()[2]
            node_cli(data_dir, env, "pair", cluster.public_url, code, "--hub")
        print(
            f"{args.nodes} nodes (schools) of {args.events:,} answer events each, enrolled "
            f"through nginx in {time.perf_counter() - began:.0f} s"
        )
        began = time.perf_counter()
        syncs = [
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", "sync", "--hub", "--data-dir", str(d)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **env},
            )
            for d in nodes
        ]
        outputs = [p.communicate() for p in syncs]
        seconds = time.perf_counter() - began
        errors = sum(1 for p in syncs if p.returncode != 0)
        rows = sum(int(m.group(1)) for out, _ in outputs for m in _PUSHED.finditer(out))
        for (out, err), proc in zip(outputs, syncs):
            if proc.returncode != 0:
                print(f"sync failed: {(out + err).strip()[-400:]}")
        events = cluster.query("SELECT count(*) FROM answer")[0][0]
        print(
            f"{args.nodes} syncs at once: {rows:,} rows in {seconds:.1f} s = "
            f"{rows / seconds:,.0f} rows/s; {errors} failed; the hub holds {events:,} answers"
        )
        context = ssl.create_default_context(cafile=str(cluster.nginx.cert))
        p99 = dashboard_p99(cluster.public_url, token, context, args.requests, threads=4)
        print(f"dashboard ({DASHBOARD}) p99 over {args.requests} requests: {p99}")
        figures = {
            "nodes": args.nodes,
            "rows_per_s": f"{rows / seconds:.0f}",
            "errors": errors,
            "dashboard_p99_ms": p99.split()[0],
        }
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
