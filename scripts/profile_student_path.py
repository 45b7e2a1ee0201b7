"""The student's path in one process, without waitress: CPU and SQL statements per request.

Not a benchmark of the node (see `scripts/bench classroom`): a fixed, repeatable
request mix for finding where a request's CPU goes (issue 16 item 2). It seeds a
class (bench_classroom.make_classroom) in a temporary folder, then calls the Flask
app directly as waitress would (a WSGI environ per request, the session cookie
kept per student): per student, the sign-in list, sign-in, then three times home,
open an activity, answer each item (a third wrong), finish; sign-out; and five
requests of the bench's trivial ceiling endpoint. One warm-up round, then a
measured one; prints CPU (thread time) and statements per step. SQLite runs with
synchronous=NORMAL (SYNC=FULL to include the fsyncs, done once per write here
whereas a busy node shares one among many writes).

    .venv/bin/python scripts/profile_student_path.py TREE [--students N] [--loops L] [--sql]
    PASSES=6 ...            also runs 6 more rounds and prints the least CPU per request
    COUNT=1 under callgrind one more round per kind (class, ceiling), collecting
                            only inside the WSGI app: see scripts/count_student_path.py
    py-spy record --rate 500 --format raw -o out.txt -- .venv/bin/python scripts/profile_student_path.py TREE

TREE is the source tree to measure (`.`, or an export of another commit:
`git archive COMMIT | tar -x -C /tmp/old`), so before and after run the same mix.
"""
import argparse, collections, cProfile, json, os, pstats, random, sys, tempfile, time, uuid
from pathlib import Path
p = argparse.ArgumentParser(); p.add_argument("wt"); p.add_argument("--students", type=int, default=10)
p.add_argument("--loops", type=int, default=3); p.add_argument("--profile"); p.add_argument("--sql", action="store_true")
a = p.parse_args()
sys.path.insert(0, a.wt); sys.path.insert(0, a.wt + "/scripts"); os.chdir(a.wt)
os.environ["BAOBAB_HTTPS_PORT"] = "0"; os.environ["BAOBAB_BENCH_CEILING"] = "1"
import bench_classroom as bc
from server import create_app
from server import db as database
tmp = Path(tempfile.mkdtemp()) / "data"
plan = bc.make_classroom(tmp, a.students)
app = create_app({"DATA_DIR": str(tmp), "SQLITE_SYNCHRONOUS": os.environ.get("SYNC", "NORMAL")})
# count statements per request via sqlite trace callback; not under callgrind, where
# the callback (SQLite expanding each statement's text for it) would be counted as
# the class's own work: about 2% of a class request, nothing of a ceiling one
stmts = []
if not os.environ.get("COUNT"):
    orig_connect = database.db.obj._connect
    def _connect(*args, **kw):
        conn = orig_connect(*args, **kw)
        conn.set_trace_callback(lambda s: stmts.append(s))
        return conn
    database.db.obj._connect = _connect
database.close_all()

per = collections.defaultdict(list); cpu = collections.defaultdict(float); cnt = collections.Counter()
sqls = collections.defaultdict(set)
import io
profs = {}; profiling = False; counting = None
class Client:
    def __init__(self, n): self.cookie = ""; self.addr = "127.0.1.%d" % (n % 200 + 1)
def call(c, step, method, path, body=None, csrf=None):
    raw = json.dumps(body).encode() if body is not None else b""
    p, _, q = path.partition("?")
    env = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": p, "QUERY_STRING": q,
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": c.addr, "REMOTE_PORT": "5555", "HTTP_HOST": "127.0.0.1:8000",
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw), "wsgi.errors": sys.stderr,
           "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
    if raw: env["CONTENT_TYPE"] = "application/json"; env["CONTENT_LENGTH"] = str(len(raw))
    if c.cookie: env["HTTP_COOKIE"] = c.cookie
    if csrf and method != "GET": env["HTTP_X_CSRF_TOKEN"] = csrf
    got = {}
    def start_response(status, headers, exc_info=None):
        got["status"] = int(status.split()[0]); got["headers"] = headers
    del stmts[:]
    counted = counting is not None and (step == "ceiling") == (counting == "ceiling")
    pr = profs.setdefault(step, cProfile.Profile(time.thread_time)) if profiling else None
    t = time.thread_time()
    if pr: pr.enable()
    if counted: valgrind.callgrind_toggle()
    it = app(env, start_response)
    data = b"".join(it)
    if hasattr(it, "close"): it.close()
    if counted: valgrind.callgrind_toggle()
    if pr: pr.disable()
    cpu[step] += time.thread_time() - t; cnt[step] += 1
    for k, v in got["headers"]:
        if k.lower() == "set-cookie" and v.startswith("session="): c.cookie = v.split(";", 1)[0]
    per[step].append(len(stmts))
    if a.sql: sqls[step].add(tuple(s[:150] for s in stmts))
    assert 200 <= got["status"] < 300, (step, got["status"], data[:300])
    return json.loads(data) if data else {}

def run():
    rng = random.Random(1)
    acts = plan["activities"]
    for loop in range(a.loops):
        for i, me in enumerate(plan["students"]):
            c = Client(i)
            pid, cid = me["id"], me["class_id"]
            call(c, "sign_in_list", "GET", f"/api/v1/signin/classes/{cid}/students")
            s = call(c, "sign_in", "POST", "/api/v1/auth/student-login", {"student_id": pid, "pictures": me["pictures"]})
            csrf = s["csrf_token"]
            for r_ in range(3):
                call(c, "home", "GET", f"/api/v1/people/{pid}/home?language=en")
                act = acts[(i + loop * 3 + r_) % len(acts)]
                call(c, "open", "GET", f"/api/v1/activities/{act['id']}")
                att = uuid.uuid4().hex; started = int(time.time() * 1000)
                for it in act["items"]:
                    wrong = rng.random() < 0.3
                    call(c, "answer", "POST", "/api/v1/answers", {"id": uuid.uuid4().hex, "item_id": it["id"], "attempt_id": att, "response": it["wrong" if wrong else "right"], "hints_used": 0, "duration_ms": 4000, "device_ms": int(time.time()*1000)}, csrf)
                call(c, "finish", "POST", "/api/v1/attempts", {"id": att, "activity_id": act["id"], "started_ms": started, "ended_ms": int(time.time()*1000), "completed": True}, csrf)
            call(c, "sign_out", "POST", "/api/v1/auth/logout", {}, csrf)
            for _ in range(5): call(c, "ceiling", "GET", "/bench/ceiling")

import gc
gcstat = {"t": 0.0, "n": collections.Counter(), "t0": 0.0}
def _gccb(phase, info):
    if phase == "start": gcstat["t0"] = time.perf_counter()
    else: gcstat["t"] += time.perf_counter() - gcstat["t0"]; gcstat["n"][info["generation"]] += 1
gc.callbacks.append(_gccb)
if os.environ.get("GCFREEZE"): gc.freeze()
run()  # warm up
gcstat["t"] = 0.0; gcstat["n"].clear()
per.clear(); cpu.clear(); cnt.clear(); sqls.clear()
if os.environ.get("COUNT"):
    # Under `valgrind --tool=callgrind --collect-atstart=no`: one round collected only
    # inside the app's calls to the class's requests, dumped, then one for the ceiling's.
    import ctypes
    valgrind = ctypes.CDLL(os.environ["COUNT"])
    for counting in ("class", "ceiling"):
        cnt.clear(); valgrind.callgrind_zero(); run()
        n_counted = sum(v for k, v in cnt.items() if (k == "ceiling") == (counting == "ceiling"))
        valgrind.callgrind_dump(f"{counting} {n_counted}".encode())
    import shutil
    database.close_all(); shutil.rmtree(tmp.parent, ignore_errors=True)
    sys.exit(0)
prof = None; profiling = bool(a.profile)
passes = []
for _ in range(int(os.environ.get("PASSES", "0"))):
    cpu.clear(); cnt.clear()
    run()
    nn = sum(v for k, v in cnt.items() if k != "ceiling")
    passes.append(((sum(cpu.values()) - cpu["ceiling"]) / nn * 1000, cpu["ceiling"] / cnt["ceiling"] * 1000))
if passes:
    print("passes", " ".join(f"{c:.3f}/{e:.3f}" for c, e in passes))
    print(f"min class {min(p[0] for p in passes):.3f} ms, min ceiling {min(p[1] for p in passes):.3f} ms")
per.clear(); cpu.clear(); cnt.clear()
t0 = time.thread_time()
if prof: prof.enable()
run()
if prof: prof.disable()
total = time.thread_time() - t0
n = sum(v for k, v in cnt.items() if k != "ceiling")
total -= cpu["ceiling"]
print(f"requests {n}  cpu/request {1000*total/n:.3f} ms")
print(f"gc: {1000*gcstat['t']/n:.3f} ms/request wall, collections {dict(gcstat['n'])}, objects {len(gc.get_objects())}")
for step in cnt:
    print(f"  {step:13s} n={cnt[step]:5d} cpu {1000*cpu[step]/cnt[step]:.3f} ms  statements {min(per[step])}-{max(per[step])} (mean {sum(per[step])/len(per[step]):.1f})")
if a.sql:
    for step, variants in sqls.items():
        print("==", step)
        for s in sorted(variants, key=len)[-1]: print("   ", s)
if profiling:
    for step, pr in profs.items():
        pr.dump_stats(f"{a.profile}.{step}")

import shutil  # noqa: E402

database.close_all()
shutil.rmtree(tmp.parent, ignore_errors=True)
