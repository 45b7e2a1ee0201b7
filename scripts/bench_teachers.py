"""The teachers' side of `scripts/bench classroom`: five teachers watching while the class works.

A teacher's open screens poll as the teacher app does: the live class view every
``LIVE_POLL_S`` (client/teacher/live.js) and the mastery heatmap, the class summary,
every ``HEATMAP_POLL_S`` (client/teacher/heatmap.js). Each teacher signs in with the
demo teacher's password (a session of their own) and watches one of the bench
classes, from a loopback address of its own (127.0.2.x), as a laptop would.

Each teacher's connection keeps the last ETag of each view and sends it back as
If-None-Match, as the browser's HTTP cache does for the app (the views answer
``Cache-Control: private, no-cache`` with an ETag): an unchanged view is a 304.

In each run of the classroom bench, on the same serving processes, after the class
alone and the ceiling:

  summary  ``SUMMARY_CLIENTS`` teachers ask for the heatmap as fast as answers come,
           no students: the class summary's rate alone (``summary_req_per_s``) and the
           serving processes' CPU per request;
  floor    the same teachers ask for ``FLOOR_PATH`` (half as long): what any signed-in
           request costs, so ``summary_floor_ratio`` says what the heatmap adds;
  alone, watched, watched, alone
           the class four times more, the middle two with ``TEACHERS`` teachers polling:
           the students' rate with and without teachers, each side an early and a late
           phase (the data grows as phases go, the box's load swings), and the heatmap's
           p99 while the class works (``summary_p99_ms``, both watched phases).

``students_slowdown`` = 1 − (students' requests ÷ seconds over the watched phases) ÷
(the same over the two alone phases).

Five teachers polling for two 20-second phases make only ~50 heatmap polls a run, so
their p99 was nearly their maximum and swung from run to run. The watched phases
therefore have ``WATCHERS`` teacher sessions (the issue's five, five times over: a
heavier load than asked, never a lighter one), each polling at the app's cadence for
the whole phase, and ``summary_p99_ms`` is taken over the heatmap polls of every run
pooled (~250 a run): still the latency of the app's own polls, never of the hammering.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import bench_classroom as bench

TEACHERS = 5  # the five teachers
WATCHERS = 25  # sessions polling while the class works: the five, five times over
# (``--teacher-sessions 5`` measures the students' slowdown under the issue's five alone)
SUMMARY_CLIENTS = 10
LIVE_POLL_S = 3.0
HEATMAP_POLL_S = 4.0
FLOOR_PATH = "/api/v1/auth/me"  # what every signed-in request pays: session, person, JSON
TEACHER = ("teacher", "baobab-teacher")  # server/services/demo.py; teaches every bench class


def _classes(plan: dict[str, Any]) -> list[str]:
    return sorted({s["class_id"] for s in plan["students"]})


async def _sign_in(conn: bench.Connection) -> None:
    """Sign in, waiting as asked while the node checks other sign-ins (429)."""
    body = {"username": TEACHER[0], "password": TEACHER[1]}
    for _ in range(60):
        status, payload = await conn.request("POST", "/api/v1/auth/login", body)
        if status == 200:
            conn.csrf = json.loads(payload)["csrf_token"]
            return
        if status != 429:
            raise SystemExit(f"a teacher could not sign in: {status} {payload[:200]!r}")
        await asyncio.sleep(json.loads(payload)["error"]["details"].get("retry_after", 1))
    raise SystemExit("a teacher could not sign in: the node stayed busy")


async def _watch(
    plan: dict[str, Any], index: int, conn: bench.Connection, deadline: float, rec: bench.Recorder
) -> None:
    """One teacher with the live view and the heatmap open, polling as the app does."""
    classes = _classes(plan)
    class_id = classes[index % len(classes)]
    try:
        # Staggered, as teachers open their laptops at different moments.
        watchers = plan.get("teacher_sessions", WATCHERS)
        next_live = time.perf_counter() + LIVE_POLL_S * index / watchers
        next_map = time.perf_counter() + HEATMAP_POLL_S * index / watchers
        while time.perf_counter() < deadline:
            now = time.perf_counter()
            if now >= next_live:
                await rec.call(conn, "live", "GET", f"/api/v1/classes/{class_id}/live")
                next_live = time.perf_counter() + LIVE_POLL_S  # the app waits after each answer
            if now >= next_map:
                await rec.call(conn, "summary", "GET", f"/api/v1/classes/{class_id}/heatmap")
                next_map = time.perf_counter() + HEATMAP_POLL_S
            await asyncio.sleep(max(0.0, min(next_live, next_map) - time.perf_counter()))
    finally:
        conn.close()


async def _hammer(
    plan: dict[str, Any], index: int, conn: bench.Connection, deadline: float, rec: bench.Recorder,
    path: str = "/api/v1/classes/{class_id}/heatmap",
) -> None:  # fmt: skip
    """One teacher asking for the heatmap as fast as answers come (the summary's rate)."""
    classes = _classes(plan)
    path = path.format(class_id=classes[index % len(classes)])
    try:
        began = time.perf_counter()
        while time.perf_counter() < deadline:
            if await rec.call(conn, "summary", "GET", path) is None:
                await asyncio.sleep(0.01)
        rec.samples.setdefault("summary_window_s", []).append(time.perf_counter() - began)
    finally:
        conn.close()


async def _teachers(
    plan: dict[str, Any], mode: str, duration: float, ready: Path
) -> dict[str, Any]:
    """Sign every teacher in, say so (``ready``), then poll or hammer for ``duration``."""
    rec = bench.Recorder()
    count = plan.get("teacher_sessions", WATCHERS) if mode == "watch" else SUMMARY_CLIENTS
    conns = [
        bench.Connection(plan["host"], plan["port"], f"127.0.2.{i % 250 + 1}") for i in range(count)
    ]
    for conn in conns:  # a browser's cache: the last ETag sent back, a 304 when unchanged
        conn.etags = {}
    for conn in conns:  # one at a time: the node checks few passwords at once
        await _sign_in(conn)
    ready.write_text("ready")
    deadline = time.perf_counter() + duration
    if mode == "watch":
        await asyncio.gather(*(_watch(plan, i, c, deadline, rec) for i, c in enumerate(conns)))
    else:  # the summary, or the floor: the cheapest signed-in request, for comparison
        path = FLOOR_PATH if mode == "floor" else "/api/v1/classes/{class_id}/heatmap"
        await asyncio.gather(
            *(_hammer(plan, i, c, deadline, rec, path) for i, c in enumerate(conns))
        )
    return {"samples": rec.samples, "errors": rec.errors}


def _run(plan_path: Path, out_path: Path, mode: str, duration: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--" + mode, str(plan_path), str(out_path), str(duration)],
        cwd=bench.ROOT,
    )


def _wait_ready(process: subprocess.Popen, out_path: Path) -> None:
    ready = out_path.with_suffix(".ready")
    for _ in range(1200):
        if ready.exists() or process.poll() is not None:
            return
        time.sleep(0.1)
    raise SystemExit("the teachers could not sign in within two minutes")


def _done(process: subprocess.Popen, out_path: Path) -> dict[str, Any]:
    if process.wait(timeout=300) != 0:
        raise SystemExit(f"the teachers' load generator failed ({process.returncode})")
    return json.loads(out_path.read_text())


def _served(pids: list[int], process: subprocess.Popen, out_path: Path) -> tuple[dict, float]:
    """Wait for a teachers' phase; its result and the serving processes' CPU meanwhile."""
    before = sum(bench.cpu_seconds(pid) for pid in pids)
    result = _done(process, out_path)
    return result, sum(bench.cpu_seconds(pid) for pid in pids) - before


def _watched(
    plan: dict[str, Any], tmp: Path, label: str, duration: float, pids: list[int],
    drive: Callable[..., Any],
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """The class with the teachers polling: the class's figures and the teachers'."""
    plan_path = tmp / "plan-teachers.json"
    out = tmp / f"out-teachers-{label}.json"
    teachers = _run(plan_path, out, "watch", duration + 1)
    _wait_ready(teachers, out)  # signed in and watching when the class starts
    class_watched = drive(plan, tmp, label, duration, pids)
    return class_watched, _done(teachers, out)


def phases(
    plan: dict[str, Any], tmp: Path, duration: float, pids: list[int], drive: Callable[..., Any]
) -> dict[str, Any]:
    """The summary alone, then the class alone and watched, interleaved; their figures."""
    plan_path = tmp / "plan-teachers.json"
    plan_path.write_text(json.dumps(plan))
    summary_out = tmp / "out-summary.json"
    alone, summary_cpu = _served(
        pids, _run(plan_path, summary_out, "summary", duration), summary_out
    )
    times = alone["samples"].get("summary", [])
    windows = alone["samples"].get("summary_window_s", [duration])
    floor_out = tmp / "out-floor.json"
    floor, floor_cpu = _served(pids, _run(plan_path, floor_out, "floor", duration / 2), floor_out)
    floor_count = len(floor["samples"].get("summary", []))
    floor_rate = floor_count / max(
        max(floor["samples"].get("summary_window_s", [duration / 2])), 1e-9
    )
    # Alone, watched, watched, alone: the data grows as the phases go (every answer
    # stays), so each side gets an early and a late phase, and the box's swings of a
    # minute fall on both; the slowdown is taken over the four phases' requests.
    order = ("alone", "watched", "watched", "alone")
    classes: dict[str, list[dict[str, Any]]] = {"alone": [], "watched": []}
    polled: list[float] = []
    live: list[float] = []
    revalidated = 0
    errors: list[str] = []
    for number, kind in enumerate(order):
        label = f"{kind}-{number}"
        if kind == "alone":
            classes[kind].append(drive(plan, tmp, label, duration, pids))
            continue
        class_watched, watching = _watched(plan, tmp, label, duration, pids, drive)
        classes[kind].append(class_watched)
        polled += watching["samples"].get("summary", [])
        live += watching["samples"].get("live", [])
        revalidated += len(watching["samples"].get("summary_304", []))
        revalidated += len(watching["samples"].get("live_304", []))
        errors += watching["errors"]

    def rate(kind: str) -> float:
        phases_ = classes[kind]
        return sum(c["requests"] for c in phases_) / sum(
            c["requests"] / max(c["req_per_s"], 1e-9) for c in phases_
        )

    def cpu(kind: str) -> float:  # server CPU per students' request, over the kind's phases
        phases_ = classes[kind]
        return sum(c["server_cpu_ms_per_request"] * c["requests"] for c in phases_) / max(
            sum(c["requests"] for c in phases_), 1
        )

    return {
        "alone_cpu_ms": cpu("alone"),
        "watched_cpu_ms": cpu("watched"),
        "summary_req_per_s": len(times) / max(max(windows), 1e-9),
        "summary_alone_p99_ms": bench.percentile(times, 99) if times else 0.0,
        "summary_alone_errors": len(alone["errors"]),
        "summary_304_share": len(alone["samples"].get("summary_304", [])) / max(len(times), 1),
        "summary_cpu_ms_per_request": 1000 * summary_cpu / max(len(times), 1),
        "floor_req_per_s": floor_rate,
        "floor_cpu_ms_per_request": 1000 * floor_cpu / max(floor_count, 1),
        "summary_p99_ms": bench.percentile(polled, 99) if polled else 0.0,
        "sessions": plan.get("teacher_sessions", WATCHERS),
        "summary_polls": len(polled),
        "summary_polled_ms": polled,  # pooled over the runs for the last line
        "live_p99_ms": bench.percentile(live, 99) if live else 0.0,
        "live_polls": len(live),
        "revalidated_polls": revalidated,
        "teacher_errors": len(errors) + len(alone["errors"]),
        "teacher_error_samples": (alone["errors"] + errors)[:5],
        "alone_req_per_s": rate("alone"),
        "watched_req_per_s": rate("watched"),
        "phases": [
            (kind, c["req_per_s"], c["server_cpu_ms_per_request"])
            for kind, c in zip(
                order, [*classes["alone"][:1], *classes["watched"], *classes["alone"][1:]]
            )
        ],
        "watched": classes["watched"][-1],
        "students_errors": sum(c["errors"] for kind in classes.values() for c in kind),
    }


def report(run: dict[str, Any]) -> None:
    """The teachers' lines of a run's report."""
    t = run["teachers"]
    print(
        f"  teachers: summary alone {t['summary_req_per_s']:.0f} req/s "
        f"(p99 {t['summary_alone_p99_ms']:.1f} ms, {SUMMARY_CLIENTS} teachers, no students, "
        f"{t['summary_cpu_ms_per_request']:.2f} ms CPU/req, "
        f"{100 * t['summary_304_share']:.0f}% answered 304; GET /auth/me alike "
        f"{t['floor_req_per_s']:.0f} req/s, {t['floor_cpu_ms_per_request']:.2f} ms CPU/req)"
    )
    print(
        f"  class alone/watched by {t['sessions']} teacher sessions, interleaved: students alone "
        f"{t['alone_req_per_s']:.0f} req/s, watched {t['watched_req_per_s']:.0f} req/s "
        f"(phases: "
        + ", ".join(f"{k} {r:.0f} req/s {c:.2f} ms CPU/req" for k, r, c in t["phases"])
        + f"); summary p99 {t['summary_p99_ms']:.1f} ms over {t['summary_polls']} polls "
        f"(every {HEATMAP_POLL_S:.0f} s each), "
        f"live p99 {t['live_p99_ms']:.1f} ms over {t['live_polls']}, "
        f"{t['revalidated_polls']} answered 304; errors {t['teacher_errors']} "
        f"(students alone and watched: {t['students_errors']})"
    )
    print(
        f"  server CPU per students' request: alone {t['alone_cpu_ms']:.2f} ms, watched "
        f"{t['watched_cpu_ms']:.2f} ms (the teachers' polls included)"
    )
    for sample in t["teacher_error_samples"]:
        print(f"    error: {sample}")


def figures(runs: list[dict[str, Any]], median: Callable[[str], float]) -> str:
    """The teachers' part of the last line: medians over runs, but ``summary_p99_ms``,
    taken over every run's polls together (a p99 wants hundreds of them)."""
    for run in runs:
        t = run["teachers"]
        run["summary_req_per_s"] = t["summary_req_per_s"]
        run["summary_p99_ms"] = t["summary_p99_ms"]
        run["summary_floor_ratio"] = t["summary_req_per_s"] / max(t["floor_req_per_s"], 1e-9)
        run["summary_cpu_ms"] = t["summary_cpu_ms_per_request"]
        run["students_watched_req_per_s"] = t["watched_req_per_s"]
        run["students_slowdown"] = 1 - t["watched_req_per_s"] / max(t["alone_req_per_s"], 1e-9)
        # What the teachers' polls add to the CPU the class's requests need: on a box
        # the class saturates, its rate is the cores over that CPU, so this is the
        # slowdown the polls cause, steadier than the rates on a shared box.
        run["students_cpu_slowdown"] = 1 - t["alone_cpu_ms"] / max(t["watched_cpu_ms"], 1e-9)
    polled = [ms for run in runs for ms in run["teachers"]["summary_polled_ms"]]
    pooled = bench.percentile(polled, 99) if polled else 0.0
    print(f"summary p99 over the {len(polled)} heatmap polls of {len(runs)} run(s): {pooled:.1f} ms")
    return (
        f" summary_req_per_s={median('summary_req_per_s'):.0f}"
        f" summary_p99_ms={pooled:.1f}"
        f" students_slowdown={median('students_slowdown'):.3f}"
        f" students_watched_req_per_s={median('students_watched_req_per_s'):.0f}"
        f" summary_floor_ratio={median('summary_floor_ratio'):.2f}"
        f" summary_cpu_ms={median('summary_cpu_ms'):.2f}"
        f" students_cpu_slowdown={median('students_cpu_slowdown'):.3f}"
    )


def main() -> None:
    mode, plan_path, out_path, duration = sys.argv[1][2:], sys.argv[2], sys.argv[3], sys.argv[4]
    plan = json.loads(Path(plan_path).read_text())
    ready = Path(out_path).with_suffix(".ready")
    result = asyncio.run(_teachers(plan, mode, float(duration), ready))
    Path(out_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
