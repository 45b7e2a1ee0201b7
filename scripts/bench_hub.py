"""Benchmark the district hub as deployed: ten nodes sync into it at once, then its pages.

A throw-away PostgreSQL run as a district would run it (tests/helpers/pg.py DEPLOYED:
durable, no fsync=off), two app hosts (`baobab serve --role hub`, one data directory
and port each) behind a real nginx that ends TLS, as in scripts/deploy/. Ten nodes,
each a school of its own (`baobab demo`: two classes, 25 students) whose students made
--events events over --days days (answers over the sample pack's items and skills, a
tenth attempts), are enrolled through nginx and then all run `baobab sync --hub` at the
same moment: the hub then holds 1,000,000 events, every one through the ingest path.

Figures: rows ingested per second over the wall time from the first sync's start to
the last one's end; syncs that failed; CPU seconds per 1,000 rows of the hub hosts, of
PostgreSQL and of the node processes; whether the rollups equal the rollups recomputed
from the events; then the p99 latency of every page of the admin app's dashboard
(district, each school, each class, sync health, schools, audit, enrolment codes) as a
district admin through nginx. dashboard_p99_ms is the worst page's p99. Ends with one
line of name=value figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
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
from server.models import Classroom, Person, School  # noqa: E402
from server.paths import SAMPLE_PACK_DIR  # noqa: E402
from server.services import district, people  # noqa: E402
from sync.stamp import school_partition  # noqa: E402
from tests.helpers import rollup_check  # noqa: E402
from tests.helpers.hub_hosts import HubCluster, node_cli, school_work  # noqa: E402
from tests.helpers.pg import DEPLOYED  # noqa: E402

API = "/api/v1/district"
_PUSHED = re.compile(r"pushed (\d+) rows")
_TICK = os.sysconf("SC_CLK_TCK")


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


# ---------------------------------------------------------------- CPU time from /proc


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its reaped children and its live descendants."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # utime, stime, cutime, cstime (fields 14-17 of proc(5); 3 is the first after the name)
    seconds = sum(int(v) for v in fields[11:15]) / _TICK
    return seconds + sum(tree_cpu(child) for child in _children(pid))


def postmaster_pid(cluster: HubCluster) -> int:
    return int((cluster.pg.dir / "data" / "postmaster.pid").read_text().split()[0])


class Cpu:
    """CPU seconds spent by each side during a phase."""

    def __init__(self, cluster: HubCluster) -> None:
        self.pids = {
            "hub": [h.proc.pid for h in cluster.hosts],
            "postgres": [postmaster_pid(cluster)],
            "nginx": [cluster.nginx.proc.pid],
        }

    def read(self) -> dict[str, float]:
        found = {side: sum(tree_cpu(p) for p in pids) for side, pids in self.pids.items()}
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the node syncs, once reaped
        found["nodes"] = usage.ru_utime + usage.ru_stime
        return found


# ---------------------------------------------------------------- the pages


def _get(url: str, headers: dict, context) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=120, context=context) as response:
        return response.read()


def pages(base: str, token: str, context) -> dict[str, list[str]]:
    """Every page of the admin app's dashboard and sync views, by name: its URLs."""
    headers = {"Authorization": f"Bearer {token}"}
    district = json.loads(_get(base + API + "/dashboard", headers, context))
    schools = [c["id"] for c in district["children"]]
    classes = []
    for school in schools:
        body = json.loads(_get(f"{base}{API}/dashboard?school={school}", headers, context))
        classes += [c["id"] for c in body["children"]]
    return {
        "district": [f"{API}/dashboard"],
        "school": [f"{API}/dashboard?school={s}" for s in schools],
        "class": [f"{API}/dashboard?class={c}" for c in classes],
        "sync-health": [f"{API}/nodes"],
        "schools": [f"{API}/schools"],
        "audit": [f"{API}/audit?per_page=100"],
        "enrolment-codes": [f"{API}/enrolment-codes"],
    }


def page_p99(base: str, urls: list[str], token: str, context, requests: int, threads: int):
    """p99 and p50 in ms over ``requests`` GETs cycling through ``urls``; failures."""
    headers = {"Authorization": f"Bearer {token}"}
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker(offset: int, count: int) -> None:
        for n in range(count):
            url = base + urls[(offset + n * threads) % len(urls)]
            began = time.perf_counter()
            try:
                _get(url, headers, context)
            except (urllib.error.URLError, OSError) as exc:
                with lock:
                    failures.append(f"{url}: {exc}")
                continue
            with lock:
                times.append(time.perf_counter() - began)

    pool = [threading.Thread(target=worker, args=(i, requests // threads)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    times.sort()
    if not times:
        return None, None, failures
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    return p99, times[len(times) // 2] * 1000, failures


def check_rollups(cluster: HubCluster, work: Path) -> list[str]:
    """What the rollups folded on ingest, against the rollups recomputed from the events."""
    app = create_app({"DATA_DIR": str(work / "setup"), "DATABASE_URL": cluster.url, "ROLE": "hub"})
    try:
        with app.app_context(), database.db.connection_context():
            return rollup_check.differences(rollup_check.expected(), rollup_check.held())
    finally:
        database.close_all()


_SCAN = re.compile(r"Seq Scan on (\w+)")


def page_plans(cluster: HubCluster, work: Path, office: str) -> tuple[dict[str, int], list[str]]:
    """EXPLAIN every statement the dashboard's pages run: tables scanned whole, and how often.

    The pages are called in this process (the services behind each endpoint, as the
    district admin) with every statement traced, then each SELECT is explained with
    its parameters on the loaded database.
    """
    app = create_app({"DATA_DIR": str(work / "setup"), "DATABASE_URL": cluster.url, "ROLE": "hub"})
    seen: list[tuple[str, object]] = []
    scans: dict[str, int] = {}
    events: list[str] = []
    try:
        with app.app_context(), database.db.connection_context():
            admin = Person.get(Person.username == "district")
            target = database.db.obj
            original = target.execute_sql

            def traced(sql, params=None, *rest, **options):
                seen.append((sql, params))
                return original(sql, params, *rest, **options)

            target.execute_sql = traced
            try:
                district.dashboard(admin, office)
                for school in School.select(School.id):
                    district.dashboard(admin, office, school.id)
                for classroom in Classroom.select(Classroom.id).limit(5):
                    district.dashboard(admin, office, None, classroom.id)
                district.list_nodes(admin, office, str(work / "setup"))
                district.list_schools(admin, office)
                list(district.audit_entries(admin, office).limit(100))
                district.enrolment_codes(admin, office)
            finally:
                del target.execute_sql
            for sql, params in {(sql, tuple(params or ())): 0 for sql, params in seen}:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                plan = "\n".join(r[0] for r in original("EXPLAIN " + sql, params).fetchall())
                for table in _SCAN.findall(plan):
                    scans[table] = scans.get(table, 0) + 1
                    if table in ("answer", "attempt"):
                        events.append(sql[:200])
    finally:
        database.close_all()
    return scans, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10, help="nodes syncing at once")
    parser.add_argument("--events", type=int, default=100_000, help="events per node")
    parser.add_argument("--days", type=int, default=60, help="days the events spread over")
    parser.add_argument("--hosts", type=int, default=2, help="hub app hosts behind nginx")
    parser.add_argument("--workers", type=int, default=1, help="serving processes per host")
    parser.add_argument("--requests", type=int, default=200, help="requests timed per page")
    parser.add_argument("--threads", type=int, default=4, help="clients asking for pages")
    parser.add_argument("--profile", type=Path, help="py-spy the hub hosts into this folder")
    parser.add_argument("--no-check", action="store_true", help="skip the rollup check")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="baobab-bench-hub-"))
    cluster = HubCluster(work / "hub", hosts=args.hosts, workers=args.workers, pg_settings=DEPLOYED)
    try:
        office, token = district_admin(cluster, work)
        for host in cluster.hosts:
            host.env["BAOBAB_DISTRICT_SCHOOL"] = office
        cluster.start()
        cluster.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        # The district publishes the content its schools use: the hub knows the sample
        # pack's activities and skills, so ingest folds skills and mastery too.
        cluster.cli("import-content", str(SAMPLE_PACK_DIR))
        env = cluster.node_env()
        nodes = [work / f"node{i}" for i in range(args.nodes)]
        began = time.perf_counter()
        for n, data_dir in enumerate(nodes):
            node_cli(data_dir, env, "demo")
            school_work(data_dir, args.events, days=args.days, seed=n)
            code = cluster.cli("pair-code", "--any-school").stdout.split()[2]
            node_cli(data_dir, env, "pair", cluster.public_url, code, "--hub")
        print(
            f"{args.nodes} nodes (schools of 25 students) of {args.events:,} events each over "
            f"{args.days} days, enrolled through nginx in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        cluster.query("SELECT pg_stat_statements_reset()")
        cpu = Cpu(cluster)
        profilers = []
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            spy = str(ROOT / ".venv" / "bin" / "py-spy")
            profilers = [
                subprocess.Popen(
                    [
                        spy,
                        "record",
                        "--subprocesses",
                        "--idle",
                        "-f",
                        "raw",
                        "-r",
                        "50",
                        "-o",
                        str(args.profile / f"host{i}.txt"),
                        "--pid",
                        str(h.proc.pid),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
                for i, h in enumerate(cluster.hosts)
            ]
            time.sleep(1)
        before = cpu.read()
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
        after = cpu.read()
        for spy in profilers:
            spy.send_signal(2)  # SIGINT: py-spy writes what it has
        for spy in profilers:
            spy.wait(60)
        errors = sum(1 for p in syncs if p.returncode != 0)
        rows = sum(int(m.group(1)) for out, _ in outputs for m in _PUSHED.finditer(out))
        for (out, err), proc in zip(outputs, syncs):
            if proc.returncode != 0:
                print(f"sync failed: {(out + err).strip()[-400:]}")
        answers = cluster.query("SELECT count(*) FROM answer")[0][0]
        attempts = cluster.query("SELECT count(*) FROM attempt")[0][0]
        print(
            f"{args.nodes} syncs at once: {rows:,} rows in {seconds:.1f} s = "
            f"{rows / seconds:,.0f} rows/s; {errors} failed; the hub holds {answers:,} answers "
            f"and {attempts:,} attempts",
            flush=True,
        )
        per_k = {side: (after[side] - before[side]) * 1000 / max(rows, 1) for side in after}
        print(
            "CPU s per 1,000 rows: "
            + ", ".join(f"{side} {value:.3f}" for side, value in per_k.items())
            + f" (total {sum(per_k.values()):.3f})"
        )
        top = cluster.query(
            "SELECT calls, round(total_exec_time::numeric, 0), left(regexp_replace(query, "
            "'\\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC "
            "LIMIT 8"
        )
        print("PostgreSQL, most time during the syncs (calls, ms, statement):")
        for calls, ms, query in top:
            print(f"  {calls:>8} {ms:>8} {query}")
        if args.no_check:
            check = "skipped"
        else:
            wrong = check_rollups(cluster, work)
            check = "equal to the rollups recomputed from the events" if not wrong else "WRONG"
            for line in wrong:
                print(f"  {line}")
        print(f"rollups after ingest: {check}", flush=True)
        scans, events = page_plans(cluster, work, office)
        sizes = cluster.query(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables "
            "WHERE left(relname, 7) = 'rollup_' OR relname IN ('answer', 'attempt') "
            "ORDER BY relname"
        )
        print("rows: " + ", ".join(f"{name} {count:,}" for name, count in sizes))
        print(
            "plans of every page's statements: "
            + ("no event table read" if not events else f"EVENT TABLES READ: {events}")
            + "; whole-table scans (small tables): "
            + (", ".join(f"{t} x{n}" for t, n in sorted(scans.items())) or "none")
        )
        context = ssl.create_default_context(cafile=str(cluster.nginx.cert))
        base = cluster.public_url
        worst = 0.0
        failed = 0
        for name, urls in pages(base, token, context).items():
            p99, p50, failures = page_p99(base, urls, token, context, args.requests, args.threads)
            failed += len(failures)
            for line in failures[:3]:
                print(f"  failed: {line}")
            if p99 is None:
                print(f"page {name}: no answer")
                continue
            worst = max(worst, p99)
            print(f"page {name} ({len(urls)} URLs): p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        figures = {
            "nodes": args.nodes,
            "rows_per_s": f"{rows / seconds:.0f}",
            "errors": errors + failed + (check == "WRONG") + len(events),
            "dashboard_p99_ms": f"{worst:.0f}" if worst else "na",
        }
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
