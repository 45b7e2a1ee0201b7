"""Our learner home against Kolibri's, side by side in one run: `scripts/bench kolibri`.

Issue 16 quotes a run on another box where the learner home answered 24 times
Kolibri 0.19.5's requests per second, and sets 40 times as the goal. This bench
measures that ratio on this box, in one command, with the same load generator:

- Kolibri (``--kolibri-version``, 0.19.5 by default) is installed from PyPI into a
  virtual environment of its own, ``.venv/bench-kolibri-VERSION``, on first use (never
  into the project's environment) and run with its defaults (``kolibri start``:
  its own server and thread pool, SQLite), on a facility provisioned by its
  ``provisiondevice`` command with the "formal" preset (a school's: learners sign in
  with their username alone, no password, its quickest sign-in), with N learners in
  classes of 30, each class assigned four lessons.
- Our node is ``baobab serve`` with its defaults, on the bench's classroom
  (``scripts/bench_classroom.py``'s: the demo school plus N students with picture
  passwords in classes of 30, each class assigned four activities).
- Each learner has one keep-alive connection from its own loopback address. All sign
  in at once, as a class does when the lesson starts (timed: until the last is in);
  then each asks for its home for ``--warmup`` seconds (5, not counted: each server's
  caches filled); then, for ``--duration`` seconds, each asks for its home again
  as soon as the last answer has come (a closed loop, no think time): ours
  ``GET /api/v1/people/ID/home``, Kolibri's ``GET /learn/api/homehydrate`` (what its
  Learn home page asks for: the learner's classes with their lessons and quizzes, and
  the resources to resume).
- A run is our home, then Kolibri's; both servers stay up for the whole command, and
  the one not being asked is idle (its CPU meanwhile is printed).

Everything runs in a network namespace of its own (``unshare -n``, loopback only): no
zeroconf (Kolibri's is also switched off) and nothing Kolibri might try to reach leaves
the box. Needs root, as ``unshare -n`` does, and PyPI for the first install.

Ends with one line of medians over the runs:
``students=… home_req_per_s=… home_p99_ms=… kolibri_home_req_per_s=…
kolibri_home_p99_ms=… times=… signin_all_s=… kolibri_signin_all_s=… errors=…
kolibri_errors=… loop_s=…``, where ``times`` is the median of each run's ours ÷
Kolibri's requests per second, and ``signin_all_s`` the seconds from the class's first
sign-in request until its last learner was signed in (ours: the class's names, then the
picture password; Kolibri's: the username).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_classroom as bench  # noqa: E402

CLASS_SIZE = bench.CLASS_SIZE
LESSONS_PER_CLASS = 4  # as many as the bench's classes have assignments
IN_NAMESPACE = "BAOBAB_BENCH_KOLIBRI_NETNS"

# ---------------------------------------------------------------- Kolibri, installed and set up


def kolibri_install(version: str) -> Path:
    """Kolibri's own virtual environment, .venv/bench-kolibri-VERSION, made once; its `kolibri`."""
    folder = ROOT / ".venv" / f"bench-kolibri-{version}"
    program, stamp = folder / "bin" / "kolibri", folder / ".installed"
    if program.exists() and stamp.exists():
        return program
    print(f"making {folder.relative_to(ROOT)} with kolibri=={version} from PyPI (once)", flush=True)
    venv.create(folder, with_pip=True, clear=True)
    for attempt in range(3):  # a registry that drops a download now and then
        done = subprocess.run(
            [folder / "bin" / "python", "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", f"kolibri=={version}"],
            stdout=sys.stderr,
        )  # fmt: skip
        if done.returncode == 0:
            stamp.write_text(version + "\n")
            return program
        time.sleep(5 * (attempt + 1))
    raise SystemExit(f"could not install kolibri=={version} from PyPI")


# Run by `kolibri manage shell -c`: the classes, their lessons and the learners.
KOLIBRI_CLASSES = """
from kolibri.core.auth.constants.demographics import NOT_SPECIFIED
from kolibri.core.auth.models import Classroom, Facility, FacilityUser
from kolibri.core.lessons.models import Lesson, LessonAssignment
facility = Facility.get_default_facility()
admin = FacilityUser.objects.get(username="admin")
classes = []
for number in range(({students} + {class_size} - 1) // {class_size}):
    classroom = Classroom.objects.create(name=f"Bench class {{number + 1}}", parent=facility)
    for lesson_number in range({lessons}):
        lesson = Lesson.objects.create(
            title=f"Lesson {{lesson_number + 1}}", collection=classroom, created_by=admin,
            is_active=True, resources=[],
        )
        LessonAssignment.objects.create(lesson=lesson, collection=classroom, assigned_by=admin)
    classes.append(classroom)
for index in range({students}):
    learner = FacilityUser.objects.create_user(
        username=f"learner{{index + 1:03d}}", password=NOT_SPECIFIED, facility=facility
    )  # no password, as Kolibri makes such learners: signed in by their username
    classes[index // {class_size}].add_member(learner)
"""


def kolibri_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KOLIBRI_HOME": str(home),
        "KOLIBRI_ZEROCONF_ENABLED": "False",  # no mDNS from the bench, even in its namespace
        "KOLIBRI_LISTEN_ADDRESS": "127.0.0.1",
    }


def kolibri_setup(program: Path, home: Path, students: int) -> None:
    """Provision a facility with an admin, then add the classes and learners."""
    env = kolibri_env(home)
    quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [program, "manage", "--no-input", "provisiondevice", "--", "--facility", "Bench school",
         "--superusername", "admin", "--superuserpassword", "admin-password-1",
         "--preset", "formal", "--language_id", "en", "--noinput"],
        **quiet,
    )  # fmt: skip
    script = KOLIBRI_CLASSES.format(
        students=students, class_size=CLASS_SIZE, lessons=LESSONS_PER_CLASS
    )
    subprocess.run([program, "manage", "shell", "--", "-c", script], **quiet)


def kolibri_start(program: Path, home: Path, port: int) -> subprocess.Popen:
    """`kolibri start --foreground` with its defaults; return once its API answers."""
    with open(home / "bench-serve.log", "wb") as log:
        proc = subprocess.Popen(
            [program, "start", "--foreground", "--port", str(port)],
            env=kolibri_env(home), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"Kolibri exited with {proc.returncode}: see {home}/bench-serve.log")
        try:
            url = f"http://127.0.0.1:{port}/api/public/v1/facility/"
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("Kolibri did not start")


def kolibri_facility(port: int) -> str:
    """The id of Kolibri's one facility (its sign-in asks for it)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/public/v1/facility/") as answer:
        (facility,) = json.load(answer)
    return facility["id"]


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- the load generator (a process)


async def sign_in(plan: dict[str, Any], index: int, rec: bench.Recorder) -> bench.Connection | None:
    """One learner's connection, signed in, or None if the sign-in failed."""
    me = plan["learners"][index]
    address = f"127.0.1.{index % 250 + 1}"
    if plan["server"] == "kolibri":
        conn = bench.Connection(plan["host"], plan["port"], address, cookie_name="kolibri")
        body = {"username": me["username"], "facility": plan["facility"]}
        signed = await rec.call(conn, "sign_in", "POST", "/api/auth/session/", body)
    else:
        conn = bench.Connection(plan["host"], plan["port"], address)
        await rec.call(conn, "sign_in", "GET", f"/api/v1/signin/classes/{me['class_id']}/students")
        body = {"student_id": me["id"], "pictures": me["pictures"]}
        signed = await rec.call(conn, "sign_in", "POST", "/api/v1/auth/student-login", body)
    if signed is None:
        conn.close()
        return None
    return conn


async def homes(plan: dict[str, Any], duration: float) -> dict[str, Any]:
    """Sign every learner in (timed), warm up, say so, wait for the go, then ask for homes
    until the time is up."""
    signing = bench.Recorder()
    began = time.perf_counter()
    conns = await asyncio.gather(*(sign_in(plan, i, signing) for i in range(len(plan["learners"]))))
    signin_all_s = time.perf_counter() - began
    signed = [(c, me) for c, me in zip(conns, plan["learners"]) if c is not None]
    path = (
        "/learn/api/homehydrate"
        if plan["server"] == "kolibri"
        else "/api/v1/people/{id}/home?language=en"
    )
    sizes: list[int] = []

    async def learner(
        conn: bench.Connection, me: dict[str, Any], until: float, rec: bench.Recorder
    ) -> None:
        while time.perf_counter() < until:
            home = await rec.call(conn, "home", "GET", path.format(id=me.get("id")))
            if home is None:
                await asyncio.sleep(0.01)  # an error: don't spin on it
            elif len(sizes) < 1000:
                sizes.append(len(json.dumps(home)))

    # Warm up: each server's caches filled, its first-request work done, before the count.
    warming = bench.Recorder()
    until = time.perf_counter() + plan["warmup_s"]
    await asyncio.gather(*(learner(c, me, until, warming) for c, me in signed))
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    rec = bench.Recorder()
    began = time.perf_counter()
    await asyncio.gather(*(learner(c, me, began + duration, rec) for c, me in signed))
    elapsed = time.perf_counter() - began
    for conn, _ in signed:
        conn.close()
    return {
        "elapsed_s": elapsed,
        "samples": rec.samples.get("home", []),
        "errors": signing.errors + warming.errors + rec.errors,
        "signed_in": len(signed),
        "signin_all_s": signin_all_s,
        "home_bytes": statistics.median(sizes) if sizes else 0,
    }


def client_main(plan_path: str, out_path: str, duration: float) -> None:
    plan = json.loads(Path(plan_path).read_text())
    Path(out_path).write_text(json.dumps(asyncio.run(homes(plan, duration))))


# ---------------------------------------------------------------- a run


def drive(
    plan: dict[str, Any], tmp: Path, duration: float, pids: list[int], idle: list[int]
) -> dict[str, Any]:  # fmt: skip
    """One server's learners: signed in, then timed asking for homes; CPU of both servers."""
    plan_path, out_path = tmp / f"plan-{plan['server']}.json", tmp / f"out-{plan['server']}.json"
    plan_path.write_text(json.dumps(plan))
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", str(plan_path), str(out_path), str(duration)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    if client.stdout.readline().strip() != "ready":
        client.kill()
        raise SystemExit(
            f"the load generator failed before its learners signed in ({plan['server']})"
        )
    cpu0 = sum(bench.cpu_seconds(pid) for pid in pids)
    idle0 = sum(bench.cpu_seconds(pid) for pid in idle)
    began = time.perf_counter()
    client.stdin.write("go\n")
    client.stdin.flush()
    if client.wait() != 0:
        raise SystemExit(f"the load generator failed ({client.returncode})")
    wall = time.perf_counter() - began
    cpu = sum(bench.cpu_seconds(pid) for pid in pids) - cpu0
    idle_cpu = sum(bench.cpu_seconds(pid) for pid in idle) - idle0
    result = json.loads(out_path.read_text())
    samples = result["samples"]
    return {
        "requests": len(samples),
        "req_per_s": len(samples) / result["elapsed_s"],
        "p50_ms": bench.percentile(samples, 50),
        "p99_ms": bench.percentile(samples, 99),
        "errors": len(result["errors"]),
        "error_samples": result["errors"][:5],
        "signed_in": result["signed_in"],
        "signin_all_s": result["signin_all_s"],
        "home_bytes": result["home_bytes"],
        "cpu_ms_per_request": 1000 * cpu / max(len(samples), 1),
        "cpu_pct": 100 * cpu / wall,
        "other_cpu_pct": 100 * idle_cpu / wall,
    }


def describe(name: str, phase: dict[str, Any]) -> str:
    return (
        f"  {name:8s} {phase['req_per_s']:7.1f} req/s, p50 {phase['p50_ms']:7.1f} ms, "
        f"p99 {phase['p99_ms']:7.1f} ms, {phase['signed_in']} signed in within "
        f"{phase['signin_all_s']:.2f} s, errors {phase['errors']}, "
        f"server CPU {phase['cpu_pct']:.0f}% ({phase['cpu_ms_per_request']:.2f} ms a request), "
        f"the other server {phase['other_cpu_pct']:.1f}%, home {phase['home_bytes']:.0f} bytes"
    )


def in_private_network() -> None:
    """Run this bench again inside a network namespace of its own (loopback only)."""
    if os.environ.get(IN_NAMESPACE) == "1":
        return
    script = 'ip link set lo up && exec "$@"'
    command = ["unshare", "-n", "--", "sh", "-c", script, "sh", sys.executable, *sys.argv]
    os.environ[IN_NAMESPACE] = "1"
    os.execvp("unshare", command)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50, help="learners (50)")
    parser.add_argument(
        "--duration", type=float, default=15.0, help="seconds per server per run (15)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs, each ours then Kolibri's (3)")
    parser.add_argument(
        "--warmup", type=float, default=5.0,
        help="seconds of homes before each timed phase, not counted (5)",
    )  # fmt: skip
    parser.add_argument("--kolibri-version", default="0.19.5", help="Kolibri from PyPI (0.19.5)")
    args = parser.parse_args()
    if args.students < 1 or args.runs < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--students, --runs and --duration must be positive, --warmup not negative")
    program = kolibri_install(args.kolibri_version)  # needs PyPI: before leaving the network
    in_private_network()

    from tests.helpers.pg import free_port

    print(f"{args.students} learners, {args.duration:.0f} s per server per run, {args.runs} runs, "
          f"Kolibri {args.kolibri_version}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="baobab-bench-kolibri-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir, home = tmp / "data", tmp / "kolibri"
        home.mkdir()
        classroom = bench.make_classroom(data_dir, args.students)
        kolibri_setup(program, home, args.students)
        ours_port, kolibri_port = free_port(), free_port()
        ours = bench.start_server(data_dir, ours_port, None, None, free_port())
        kolibri = None
        try:
            kolibri = kolibri_start(program, home, kolibri_port)
            ours_plan = {"server": "ours", "host": "127.0.0.1", "port": ours_port,
                         "learners": classroom["students"], "warmup_s": args.warmup}  # fmt: skip
            kolibri_plan = {
                "server": "kolibri", "host": "127.0.0.1", "port": kolibri_port,
                "learners": [{"username": f"learner{i + 1:03d}"} for i in range(args.students)],
                "facility": kolibri_facility(kolibri_port),
                "warmup_s": args.warmup,
            }  # fmt: skip
            runs = []
            for number in range(1, args.runs + 1):
                loop_s = bench.loop_seconds()
                ours_pids = bench.server_pids(ours.pid)
                kolibri_pids = bench.server_pids(kolibri.pid)
                run = {
                    "loop_s": loop_s,
                    "ours": drive(ours_plan, tmp, args.duration, ours_pids, kolibri_pids),
                    "kolibri": drive(kolibri_plan, tmp, args.duration, kolibri_pids, ours_pids),
                }
                run["times"] = run["ours"]["req_per_s"] / max(run["kolibri"]["req_per_s"], 1e-9)
                runs.append(run)
                print(f"run {number}: loop {loop_s:.2f} s, ours ÷ Kolibri {run['times']:.1f}")
                for name in ("ours", "kolibri"):
                    print(describe(name, run[name]))
                    for sample in run[name]["error_samples"]:
                        print(f"    error: {sample}")
        finally:
            if kolibri is not None:
                stop(kolibri)
            stop(ours)

    def median(side: str, key: str) -> float:
        return statistics.median(run[side][key] for run in runs)

    print(
        f"students={args.students} home_req_per_s={median('ours', 'req_per_s'):.0f} "
        f"home_p99_ms={median('ours', 'p99_ms'):.1f} "
        f"kolibri_home_req_per_s={median('kolibri', 'req_per_s'):.1f} "
        f"kolibri_home_p99_ms={median('kolibri', 'p99_ms'):.1f} "
        f"times={statistics.median(run['times'] for run in runs):.1f} "
        f"signin_all_s={median('ours', 'signin_all_s'):.2f} "
        f"kolibri_signin_all_s={median('kolibri', 'signin_all_s'):.2f} "
        f"errors={sum(run['ours']['errors'] for run in runs)} "
        f"kolibri_errors={sum(run['kolibri']['errors'] for run in runs)} "
        f"loop_s={statistics.median(run['loop_s'] for run in runs):.2f}"
    )


if __name__ == "__main__":
    main()
