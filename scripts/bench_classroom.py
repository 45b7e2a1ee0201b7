"""Benchmark a classroom: N students do the student flow over HTTP against `baobab serve`.

The node is `baobab serve` (waitress, SQLite, default settings) in its own
process, on a copy of a data directory holding the demo school plus N students
with picture passwords in classes of 30, each class assigned a few activities.
The students are simulated by a second process of ours (asyncio, one keep-alive
connection per student, raw HTTP/1.1 so that the client costs little CPU; its
CPU share is reported, to show it is not the bottleneck). All students start at
once, as when a class starts, with no think time (a closed loop, as in the
Kolibri figures the issue cites; --think-ms adds a pause after each request,
0.5 to 1.5 times that long, for a calmer, more lifelike class). Each student,
until the time is up:

  sign_in   GET the class's students, POST /auth/student-login (picture password)
  home      GET /people/ID/home if the node has it, else what the home needs today:
            /auth/me, /people/ID/mastery, /people/ID/goals, /classes/ID/assignments
  open      GET /activities/ID
  answer    POST /answers for each item (ids made by the device; some wrong)
  finish    POST /attempts
  (home, open, answer, finish three times, then sign out: a shared device)

Each student connects from a loopback address of its own (127.0.1.x), as each
tablet of a class has its own address: the node caps connections per address.

--abuse adds a misbehaving laptop (a third process, from 127.0.0.2) for the whole
run: it keeps 150 half-sent requests and 150 idle TLS connections open (opening
new ones as the node closes them), floods the node with bare connections (300 at
a time, opened and dropped), and drops TLS connections with a reset. Its figures
and the size of the node's log are reported with the class's.

Prints p50/p99 per step, errors, requests per second, CPU of both processes and
the server's RSS, per run; then one line of name=value figures, medians over
--runs runs (errors: the sum), ending with the box's speed: the seconds a
10-million-step Python loop takes before each run (loop_s, their median) and
after the last (loop_s_after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import ssl
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench_teachers  # noqa: E402  (the teachers' side: scripts/bench_teachers.py)

CLASS_SIZE = 30
ROUNDS_PER_SIGN_IN = 3
WRONG_SHARE = 0.3  # about a third of answers are wrong, as for a child learning
ABUSER = "127.0.0.2"  # the misbehaving laptop's address
HALF_REQUESTS = 150  # idle half-requests it keeps open
IDLE_TLS = 150  # idle TLS connections it keeps open
FLOOD = 300  # bare connections it opens at once, again and again

# ---------------------------------------------------------------- the classroom (in-process)


def make_classroom(root: Path, students: int) -> dict[str, Any]:
    """Seed the demo school and ``students`` more, in classes of 30; return the plan."""
    from server import create_app
    from server import db as database
    from server.auth.passwords import PICTURES
    from server.cli import prepare
    from server.models import Activity, Item, Person
    from server.services import demo, learning, people, schools

    app = create_app({"DATA_DIR": str(root)})
    prepare(app)
    rng = random.Random(7)
    plan: dict[str, Any] = {"students": [], "activities": []}
    with database.db.connection_context():
        demo.seed_demo(str(root))
        teacher = Person.get(Person.username == demo.DEMO_TEACHER[0])
        with_items = (
            Activity.live()
            .where(Activity.language == "en")
            .where(Activity.id.in_(Item.live(Item.activity_id)))
            .order_by(Activity.id)
        )
        for activity in with_items:
            items = Item.live().where(Item.activity_id == activity.id).order_by(Item.position)
            plan["activities"].append(
                {"id": activity.id, "items": [_right_and_wrong(item) for item in items]}
            )
        classes = []
        for number in range((students + CLASS_SIZE - 1) // CLASS_SIZE):
            classroom = schools.create_class(
                teacher.school_id, name=f"Bench class {number + 1}", picture_password=True
            )
            schools.enrol(classroom, teacher, "teacher")
            for activity in plan["activities"][number : number + 4]:
                learning.create_assignment(
                    teacher,
                    classroom,
                    {"activity_id": activity["id"], "due_on": None, "pinned": False, "note": ""},
                )
            classes.append(classroom)
        for index in range(students):
            pictures = rng.sample(PICTURES, 3)
            classroom = classes[index // CLASS_SIZE]
            person = people.create_person(
                teacher.school_id, "student", f"Student {index + 1:03d}",
                picture=pictures[0], pictures=pictures, classroom_id=classroom.id,
            )  # fmt: skip
            plan["students"].append(
                {"id": person.id, "class_id": classroom.id, "pictures": pictures}
            )
    database.close_all()
    return plan


def _right_and_wrong(item: Any) -> dict[str, Any]:
    """An item's id with a right and a wrong response, as a child might give."""
    if item.type == "choice":
        right, wrong = item.answer, (item.answer + 1) % len(item.choices)
    elif item.type == "numeric":
        right, wrong = item.answer, item.answer + 1
    else:
        right, wrong = item.answer[0], "zz"
    return {"id": item.id, "right": right, "wrong": wrong}


# ---------------------------------------------------------------- the students (client process)


class Connection:
    """One keep-alive HTTP/1.1 connection with a session cookie, on asyncio streams.

    ``cookie_name`` is the session cookie's name: ours is "session", Kolibri's "kolibri"
    (scripts/bench_kolibri.py)."""

    def __init__(
        self, host: str, port: int, local: str | None = None, tls: ssl.SSLContext | None = None,
        cookie_name: str = "session",
    ) -> None:  # fmt: skip
        self.host, self.port, self.local, self.tls = host, port, local, tls
        self.cookie_name = cookie_name
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookie = ""
        self.csrf = ""
        # A browser's HTTP cache (the teachers' side): the last ETag per path, sent back
        # as If-None-Match; None for the students (their app polls nothing).
        self.etags: dict[str, str] | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, local_addr=(self.local, 0) if self.local else None,
                ssl=self.tls, server_hostname=self.host if self.tls else None,
            )  # fmt: skip
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookie:
            head.append(f"Cookie: {self.cookie}")
        if self.csrf and method != "GET":
            head.append(f"X-CSRF-Token: {self.csrf}")
        if self.etags is not None and method == "GET" and path in self.etags:
            head.append(f"If-None-Match: {self.etags[path]}")
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "set-cookie" and value.startswith(self.cookie_name + "="):
                self.cookie = value.split(";", 1)[0]
            elif name == "etag" and self.etags is not None:
                self.etags[path] = value
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "transfer-encoding":
                raise RuntimeError("chunked responses are not expected from the API")
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Recorder:
    """Latencies per step, and errors; pauses after each request when asked to."""

    def __init__(self, think_ms: float = 0.0) -> None:
        self.samples: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.think_s = think_ms / 1000
        self.rng = random.Random(1)

    async def call(
        self, conn: Connection, step: str, method: str, path: str, body: Any = None
    ) -> Any:
        began = time.perf_counter()
        try:
            status, payload = await conn.request(method, path, body)
        except (OSError, asyncio.IncompleteReadError, ValueError, RuntimeError) as exc:
            conn.writer = None
            self.errors.append(f"{step} {method} {path}: {exc!r}")
            return None
        self.samples.setdefault(step, []).append((time.perf_counter() - began) * 1000)
        if self.think_s:
            await asyncio.sleep(self.think_s * self.rng.uniform(0.5, 1.5))
        if status == 304:  # the view asked for again had not changed (the teachers' side)
            self.samples.setdefault(step + "_304", []).append(1.0)
            return {}
        if not 200 <= status < 300:
            self.errors.append(f"{step} {method} {path}: {status} {payload[:200]!r}")
            return None
        return json.loads(payload) if payload else {}


async def student(
    plan: dict[str, Any], me: dict[str, Any], index: int, deadline: float, rec: Recorder
) -> None:
    """One student's day: sign in, three activities, sign out; again until the deadline."""
    conn = Connection(plan["host"], plan["port"], f"127.0.1.{index % 250 + 1}", _tls(plan))
    rng = random.Random(index)
    activities = plan["activities"]
    turn = index
    pid, cid = me["id"], me["class_id"]
    try:
        while time.perf_counter() < deadline:
            await rec.call(conn, "sign_in", "GET", f"/api/v1/signin/classes/{cid}/students")
            body = {"student_id": pid, "pictures": me["pictures"]}
            signed = await rec.call(conn, "sign_in", "POST", "/api/v1/auth/student-login", body)
            if signed is None:
                return
            conn.csrf = signed["csrf_token"]
            for _ in range(ROUNDS_PER_SIGN_IN):
                if plan["home_endpoint"]:
                    await rec.call(conn, "home", "GET", f"/api/v1/people/{pid}/home?language=en")
                else:
                    await rec.call(conn, "home", "GET", "/api/v1/auth/me")
                    await rec.call(conn, "home", "GET", f"/api/v1/people/{pid}/mastery")
                    await rec.call(conn, "home", "GET", f"/api/v1/people/{pid}/goals")
                    await rec.call(conn, "home", "GET", f"/api/v1/classes/{cid}/assignments")
                activity = activities[turn % len(activities)]
                turn += 1
                started = int(time.time() * 1000)
                await rec.call(conn, "open", "GET", f"/api/v1/activities/{activity['id']}")
                attempt_id = uuid.uuid4().hex
                for item in activity["items"]:
                    wrong = rng.random() < WRONG_SHARE
                    answer = {
                        "id": uuid.uuid4().hex,
                        "item_id": item["id"],
                        "attempt_id": attempt_id,
                        "response": item["wrong" if wrong else "right"],
                        "hints_used": 0,
                        "duration_ms": 4000,
                        "device_ms": int(time.time() * 1000),
                    }
                    await rec.call(conn, "answer", "POST", "/api/v1/answers", answer)
                attempt = {
                    "id": attempt_id,
                    "activity_id": activity["id"],
                    "started_ms": started,
                    "ended_ms": int(time.time() * 1000),
                    "completed": True,
                }
                await rec.call(conn, "finish", "POST", "/api/v1/attempts", attempt)
                if time.perf_counter() >= deadline:
                    break
            await rec.call(conn, "sign_out", "POST", "/api/v1/auth/logout", {})
            conn.cookie = conn.csrf = ""
    finally:
        conn.close()


def _tls(plan: dict[str, Any]) -> ssl.SSLContext | None:
    """For a class over https: trust the node's own CA, as a tablet does after /trust."""
    if not plan.get("cafile"):
        return None
    tls = ssl.create_default_context(cafile=plan["cafile"])
    tls.set_alpn_protocols(["http/1.1"])
    return tls


async def ceiling(
    plan: dict[str, Any], index: int, deadline: float, rec: Recorder
) -> None:  # fmt: skip
    """One tablet asking the trivial bench-only endpoint, as fast as answers come."""
    conn = Connection(plan["host"], plan["port"], f"127.0.1.{index % 250 + 1}", _tls(plan))
    try:
        while time.perf_counter() < deadline:
            if await rec.call(conn, "ceiling", "GET", "/bench/ceiling") is None:
                await asyncio.sleep(0.01)  # an error: don't spin on it
    finally:
        conn.close()


async def classroom(plan: dict[str, Any], duration: float) -> dict[str, Any]:
    rec = Recorder(plan["think_ms"])
    began = time.perf_counter()
    deadline = began + duration
    if plan.get("mode") == "ceiling":  # the same connections, one per student, no work
        await asyncio.gather(
            *(ceiling(plan, i, deadline, rec) for i in range(len(plan["students"])))
        )
    else:
        await asyncio.gather(
            *(student(plan, me, i, deadline, rec) for i, me in enumerate(plan["students"]))
        )
    elapsed = time.perf_counter() - began
    return {"elapsed_s": elapsed, "samples": rec.samples, "errors": rec.errors}


def client_main(plan_path: str, out_path: str, duration: float) -> None:
    """The load generator's own process: run the students, write what it measured."""
    plan = json.loads(Path(plan_path).read_text())
    result = asyncio.run(classroom(plan, duration))
    Path(out_path).write_text(json.dumps(result))


# ---------------------------------------------------------------- the misbehaving laptop


class Abuse:
    """What the misbehaving laptop did, and what the node did to it."""

    def __init__(self) -> None:
        self.counts = {
            "half_requests": 0, "idle_tls": 0, "flood": 0, "resets": 0,
            "refused": 0, "closed_by_node": 0,
        }  # fmt: skip

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


async def _hold(reader: asyncio.StreamReader, abuse: Abuse, held: set, token: object) -> None:
    """Wait until the node closes a held connection (or tells it 503), then forget it."""
    try:
        first = await reader.read(64)
        abuse.add("refused" if first.startswith(b"HTTP/1.1 503") else "closed_by_node")
    except (OSError, ssl.SSLError):
        abuse.add("closed_by_node")
    finally:
        held.discard(token)


async def _open(host: str, port: int, tls: ssl.SSLContext | None) -> tuple:
    return await asyncio.wait_for(
        asyncio.open_connection(
            host, port, local_addr=(ABUSER, 0), ssl=tls,
            server_hostname="localhost" if tls else None,
        ),
        timeout=10,
    )  # fmt: skip


async def _keep_open(
    host: str, port: int, count: int, kind: str, abuse: Abuse, deadline: float,
    tls: ssl.SSLContext | None = None,
) -> None:  # fmt: skip
    """Keep ``count`` idle connections of one kind open until the deadline."""
    held: set = set()
    writers = []
    while time.perf_counter() < deadline:
        while len(held) < count and time.perf_counter() < deadline:
            try:
                reader, writer = await _open(host, port, tls)
            except (OSError, ssl.SSLError, asyncio.TimeoutError):
                abuse.add("refused")
                await asyncio.sleep(0.05)
                continue
            abuse.add(kind)
            if tls is None:  # a request whose headers never end
                writer.write(b"GET /api/v1/auth/me HTTP/1.1\r\nHost: node\r\nX-Slow: ")
            token = object()
            held.add(token)
            writers.append(writer)
            asyncio.ensure_future(_hold(reader, abuse, held, token))
        await asyncio.sleep(0.2)
    for writer in writers:
        writer.transport.abort()


async def _flood(host: str, port: int, https_port: int, abuse: Abuse, deadline: float) -> None:
    """Open FLOOD bare connections at once, drop them, again; reset a few TLS ones too."""
    tls = _abuser_tls()
    while time.perf_counter() < deadline:
        opened = await asyncio.gather(
            *(_open(host, port, None) for _ in range(FLOOD)), return_exceptions=True
        )
        for result in opened:
            if isinstance(result, BaseException):
                abuse.add("refused")
                continue
            abuse.add("flood")
            result[1].transport.abort()
        for _ in range(10):  # handshake, then vanish with a reset (no TLS goodbye)
            try:
                _reader, writer = await _open(host, https_port, tls)
            except (OSError, ssl.SSLError, asyncio.TimeoutError):
                abuse.add("refused")
                continue
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            abuse.add("resets")
        await asyncio.sleep(0.1)


def _abuser_tls() -> ssl.SSLContext:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE  # it does not care whom it bothers
    return tls


async def abuse_class(plan: dict[str, Any], duration: float) -> dict[str, int]:
    abuse = Abuse()
    deadline = time.perf_counter() + duration
    host, port, https_port = plan["host"], plan["port"], plan["https_port"]
    await asyncio.gather(
        _keep_open(host, port, HALF_REQUESTS, "half_requests", abuse, deadline),
        _keep_open(host, https_port, IDLE_TLS, "idle_tls", abuse, deadline, _abuser_tls()),
        _flood(host, port, https_port, abuse, deadline),
    )
    return abuse.counts


def abuser_main(plan_path: str, out_path: str, duration: float) -> None:
    """The misbehaving laptop's own process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    plan = json.loads(Path(plan_path).read_text())
    counts = asyncio.run(abuse_class(plan, duration))
    Path(out_path).write_text(json.dumps(counts))


# ---------------------------------------------------------------- one run (orchestration)


def loop_seconds() -> float:
    """How long this box takes for a 10-million-step Python loop, least of three.

    Printed beside the figures, as the issue asks: a rate means little without the
    speed of the box that gave it (the same build gives half the rate on a box whose
    loop takes twice as long)."""
    loop = compile("for i in range(10_000_000): pass", "loop", "exec")
    best = float("inf")
    for _ in range(3):  # at module level (a global name), as `python3 -c` runs it
        began = time.perf_counter()
        exec(loop, {})
        best = min(best, time.perf_counter() - began)
    return best


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(pid: int) -> list[int]:
    """The node's serving processes: `baobab serve` and the workers it started."""
    children = []  # of any thread: the workers are started by a thread of `serve`
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += Path(task, "children").read_text().split()
    return [pid, *sorted(map(int, children))]


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS now, peak RSS) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(value.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def wait_for_workers(pid: int, workers: int, port: int) -> None:
    """Wait until every serving process answers (each listens on the port once it is up)."""
    deadline = time.monotonic() + 60
    answered: set[int] = set()
    while time.monotonic() < deadline:
        pids = server_pids(pid)
        if len(pids) >= workers and set(pids) <= answered:
            return
        try:  # a fresh connection each time: the kernel spreads them over the processes
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                answered.add(json.load(r)["pid"])
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"not every serving process answered: {answered} of {server_pids(pid)}")


def start_server(
    data_dir: Path, port: int, threads: int | None, workers: int | None, https_port: int,
    running: int | None = None,
) -> subprocess.Popen:
    env = {**os.environ, "BAOBAB_DISCOVERY": "0", "BAOBAB_LOG_LEVEL": "WARNING",
           "BAOBAB_HTTPS_PORT": str(https_port), "BAOBAB_BENCH_CEILING": "1"}  # fmt: skip
    if running is not None:
        env["BAOBAB_RUNNING"] = str(running)
    args = [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir),
            "--host", "127.0.0.1", "--port", str(port), "--no-demo"]  # fmt: skip
    if threads:
        args += ["--threads", str(threads)]
    if workers:
        args += ["--workers", str(workers)]
    with open(data_dir.parent / "serve.log", "wb") as log:  # waitress's queue warnings
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                from server.node.workers import worker_count

                wait_for_workers(proc.pid, workers or worker_count(0), port)
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start")


def has_home_endpoint(port: int) -> bool:
    """Say whether the node serves GET /people/ID/home (the personalization branch adds it)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=10) as r:
        paths = json.load(r)["paths"]
    return any(p.endswith("/people/{person_id}/home") for p in paths)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def wait_for_https(port: int, cafile: Path) -> None:
    """Wait until the node's HTTPS answers /healthz, trusting its CA."""
    tls = ssl.create_default_context(cafile=str(cafile)) if cafile.exists() else None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if tls is None and cafile.exists():
            tls = ssl.create_default_context(cafile=str(cafile))
        if tls is not None:
            try:
                url = f"https://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=2, context=tls):
                    return
            except OSError:
                pass
        time.sleep(0.1)
    raise SystemExit("the node's HTTPS did not answer")


def drive(
    plan: dict[str, Any], tmp: Path, name: str, duration: float, pids: list[int]
) -> dict[str, Any]:  # fmt: skip
    """Run the load generator once (its own process) and measure both sides."""
    plan_path, out_path = tmp / f"plan-{name}.json", tmp / f"out-{name}.json"
    plan_path.write_text(json.dumps(plan))
    server_cpu0 = sum(cpu_seconds(pid) for pid in pids)
    began = time.perf_counter()
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", str(plan_path), str(out_path), str(duration)],
        cwd=ROOT,
    )
    client_cpu = 0.0
    while client.poll() is None:
        try:
            client_cpu = cpu_seconds(client.pid)  # last value before it exits
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - began
    server_cpu = sum(cpu_seconds(pid) for pid in pids) - server_cpu0
    if client.returncode != 0:
        raise SystemExit(f"the load generator failed ({client.returncode})")
    result = json.loads(out_path.read_text())
    everything = [v for values in result["samples"].values() for v in values]
    return {
        "requests": len(everything),
        "req_per_s": len(everything) / result["elapsed_s"],
        "p50_ms": percentile(everything, 50),
        "p99_ms": percentile(everything, 99),
        "errors": len(result["errors"]),
        "error_samples": result["errors"][:5],
        "steps": {
            step: (len(v), percentile(v, 50), percentile(v, 99))
            for step, v in result["samples"].items()
        },
        "server_cpu_pct": 100 * server_cpu / wall,
        "server_cpu_ms_per_request": 1000 * server_cpu / max(len(everything), 1),
        "client_cpu_pct": 100 * client_cpu / wall,
    }


def one_run(template: Path, plan: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Copy the classroom, serve it, let the students loose, and measure.

    In one run, on the same serving processes and with the same load generator: the
    class over http, then the stack's ceiling (the same connections asking a trivial
    bench-only endpoint), then with --https the class again over the node's HTTPS.
    """
    from server.node import certs
    from tests.helpers.pg import free_port

    with tempfile.TemporaryDirectory(prefix="baobab-bench-classroom-") as tmp:
        data_dir = Path(tmp) / "data"
        shutil.copytree(template, data_dir)
        port, https_port = free_port(), free_port()
        server = start_server(
            data_dir, port, args.threads, args.workers, https_port, args.running
        )
        abuser = None
        https = ceiling = None
        try:
            plan = {**plan, "host": "127.0.0.1", "port": port, "https_port": https_port}
            plan["home_endpoint"] = has_home_endpoint(port)
            plan["think_ms"] = args.think_ms
            plan["teacher_sessions"] = args.teacher_sessions
            plan_path = Path(tmp) / "plan.json"
            plan_path.write_text(json.dumps(plan))
            pids = server_pids(server.pid)
            abuse_path = Path(tmp) / "abuse.json"
            if args.abuse:  # from a process of its own, for the whole class
                abuser = subprocess.Popen(
                    [sys.executable, __file__, "--abuser", str(plan_path), str(abuse_path),
                     str(args.duration + 2)],
                    cwd=ROOT,
                )  # fmt: skip
                time.sleep(2)  # the laptop is already misbehaving when the class starts
            run = drive(plan, Path(tmp), "class", args.duration, pids)
            if server_pids(server.pid) != pids:
                raise SystemExit("a serving process died during the run; see serve.log")
            rss_mb, peak_mb = (sum(m) for m in zip(*(memory_mb(pid) for pid in pids)))
            abuse = None
            if abuser is not None:
                if abuser.wait(timeout=60) != 0:
                    raise SystemExit(f"the misbehaving client failed ({abuser.returncode})")
                abuse = json.loads(abuse_path.read_text())
            if args.ceiling_duration > 0:
                ceiling_plan = {**plan, "mode": "ceiling"}
                ceiling = drive(ceiling_plan, Path(tmp), "ceiling", args.ceiling_duration, pids)
            if args.https:
                cafile = certs.tls_dir(data_dir) / certs.CA_CERT_FILE
                wait_for_https(https_port, cafile)
                https_plan = {**plan, "port": https_port, "cafile": str(cafile)}
                https = drive(https_plan, Path(tmp), "https", args.duration, pids)
            teachers = (
                bench_teachers.phases(plan, Path(tmp), args.duration, pids, drive)
                if args.teachers
                else None
            )
            if server_pids(server.pid) != pids:
                raise SystemExit("a serving process died during the run; see serve.log")
        finally:
            if abuser is not None and abuser.poll() is None:
                abuser.kill()
                abuser.wait()
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)
        log_kb = (data_dir.parent / "serve.log").stat().st_size / 1024
    return {
        **run,
        "home_endpoint": plan["home_endpoint"],
        "rss_mb": rss_mb,
        "peak_rss_mb": peak_mb,
        "abuse": abuse,
        "log_kb": log_kb,
        "ceiling": ceiling,
        "https": https,
        "teachers": teachers,
    }


def report(number: int, run: dict[str, Any]) -> None:
    home = "GET /people/ID/home" if run["home_endpoint"] else "me+mastery+goals+assignments"
    print(
        f"run {number}: {run['requests']} requests, {run['req_per_s']:.0f} req/s, "
        f"p50 {run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms, errors {run['errors']}, "
        f"server CPU {run['server_cpu_pct']:.0f}% "
        f"({run['server_cpu_ms_per_request']:.2f} ms per request), load generator CPU "
        f"{run['client_cpu_pct']:.0f}%, server RSS {run['rss_mb']:.0f} MB "
        f"(peak {run['peak_rss_mb']:.0f}); home = {home}"
    )
    for step, (count, p50, p99) in run["steps"].items():
        print(f"  {step:9s} {count:7d} requests  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    if run["abuse"] is not None:
        print("  misbehaving laptop: " + ", ".join(f"{k} {v}" for k, v in run["abuse"].items())
              + f"; the node's log grew {run['log_kb']:.0f} kB")  # fmt: skip
    for sample in run["error_samples"]:
        print(f"  error: {sample}")
    for name, phase in (("ceiling", run["ceiling"]), ("https", run["https"])):
        if phase is None:
            continue
        print(
            f"  {name}: {phase['requests']} requests, {phase['req_per_s']:.0f} req/s, "
            f"p50 {phase['p50_ms']:.1f} ms, p99 {phase['p99_ms']:.1f} ms, "
            f"errors {phase['errors']}, server CPU {phase['server_cpu_pct']:.0f}% "
            f"({phase['server_cpu_ms_per_request']:.2f} ms per request), "
            f"load generator CPU {phase['client_cpu_pct']:.0f}%"
        )
        if name == "https":
            for step, (count, p50, p99) in phase["steps"].items():
                print(f"    {step:9s} {count:7d} requests  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
        for sample in phase["error_samples"]:
            print(f"    error: {sample}")
    if run["teachers"] is not None:
        bench_teachers.report(run)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_main(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--abuser":
        abuser_main(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60, help="simulated students (60)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run (20)")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh copy (3)")
    parser.add_argument("--threads", type=int, default=None, help="waitress threads (default 8)")
    parser.add_argument(
        "--workers", type=int, default=None, help="serving processes (default: serve's, per core)"
    )
    parser.add_argument(
        "--running", type=int, default=None,
        help="requests a serving process runs at once (default: the RUNNING setting's; 0: all)",
    )  # fmt: skip
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="pause after each request (0: none)"
    )
    parser.add_argument(
        "--ceiling-duration", type=float, default=5.0,
        help="seconds of the stack's ceiling, a trivial endpoint, per run (5; 0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--https", action="store_true",
        help="also run the class over the node's HTTPS, in the same run",
    )  # fmt: skip
    parser.add_argument(
        "--abuse", action="store_true",
        help="a misbehaving laptop during the class: idle half-requests, idle TLS, floods",
    )  # fmt: skip
    parser.add_argument(
        "--no-teachers", dest="teachers", action="store_false",
        help="leave out the teachers' side (scripts/bench_teachers.py)",
    )  # fmt: skip
    parser.add_argument(
        "--teacher-sessions", type=int, default=bench_teachers.WATCHERS,
        help=f"teacher sessions polling while the class works ({bench_teachers.WATCHERS})",
    )  # fmt: skip
    args = parser.parse_args()
    if (
        args.students < 1 or args.runs < 1 or args.duration <= 0 or args.think_ms < 0
        or args.ceiling_duration < 0 or args.teacher_sessions < 1
    ):  # fmt: skip
        parser.error("--students, --runs and --duration must be positive, --think-ms not negative")
    load = os.getloadavg()[0]
    print(f"{args.students} students, {args.duration:.0f} s per run, {args.runs} runs, "
          f"think time {args.think_ms:.0f} ms; "
          f"{os.cpu_count()} CPUs, load average {load:.2f} before the runs")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="baobab-bench-template-") as tmp:
        template = Path(tmp) / "data"
        plan = make_classroom(template, args.students)
        runs = []
        for number in range(1, args.runs + 1):
            loop_s = loop_seconds()
            runs.append({**one_run(template, plan, args), "loop_s": loop_s})
            report(number, runs[-1])
        after_s = loop_seconds()
        print(
            "10-million-step Python loop: "
            + ", ".join(f"{run['loop_s']:.2f}" for run in runs)
            + f" s before the runs, {after_s:.2f} s after"
        )

    for run in runs:
        if run["ceiling"] is not None:
            run["ceiling_req_per_s"] = run["ceiling"]["req_per_s"]
            run["ratio"] = run["req_per_s"] / run["ceiling"]["req_per_s"]
        if run["https"] is not None:
            run["https_req_per_s"] = run["https"]["req_per_s"]
            run["https_p99_ms"] = run["https"]["p99_ms"]
            run["https_errors"] = run["https"]["errors"]
            if run["ceiling"] is not None:  # the https class against the http ceiling
                run["https_ceiling_ratio"] = run["https_req_per_s"] / run["ceiling_req_per_s"]
            run["https_ratio"] = run["https_req_per_s"] / run["req_per_s"]
        if run["abuse"] is not None:
            counts = run["abuse"]
            run["abuser_connections"] = sum(
                counts[k] for k in ("half_requests", "idle_tls", "flood", "resets")
            )
            run["abuser_refused"] = counts["refused"]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(
        f"median server CPU per request {median('server_cpu_ms_per_request'):.2f} ms, "
        f"load average {os.getloadavg()[0]:.2f} after the runs"
    )
    print(
        f"students={args.students} req_per_s={median('req_per_s'):.0f} "
        f"p50_ms={median('p50_ms'):.1f} p99_ms={median('p99_ms'):.1f} "
        f"errors={sum(r['errors'] for r in runs)} rss_mb={median('peak_rss_mb'):.0f}"
        + (
            f" ceiling_req_per_s={median('ceiling_req_per_s'):.0f} ratio={median('ratio'):.2f}"
            if args.ceiling_duration > 0
            else ""
        )
        + (
            f" https_req_per_s={median('https_req_per_s'):.0f}"
            f" https_p99_ms={median('https_p99_ms'):.1f}"
            f" https_errors={sum(r['https_errors'] for r in runs)}"
            f" https_ratio={median('https_ratio'):.2f}"
            + (
                f" https_ceiling_ratio={median('https_ceiling_ratio'):.2f}"
                if args.ceiling_duration > 0
                else ""
            )
            if args.https
            else ""
        )
        + (
            f" abuser_connections={median('abuser_connections'):.0f}"
            f" abuser_refused={median('abuser_refused'):.0f} log_kb={median('log_kb'):.0f}"
            if args.abuse
            else ""
        )
        + (bench_teachers.figures(runs, median) if args.teachers else "")
        + f" loop_s={median('loop_s'):.2f} loop_s_after={after_s:.2f}"
    )


if __name__ == "__main__":
    main()
