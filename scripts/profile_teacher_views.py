"""The teacher's polled views in one process: CPU per request, kept (hit) and made (miss).

Not a benchmark of the node (see `scripts/bench classroom` and its teachers' side): a
repeatable measure of what a poll of the heatmap (``GET /classes/ID/heatmap``) and of
the live view (``GET /classes/ID/live``) costs in CPU, without waitress. It seeds the
demo school and a class of ``--students`` (bench_classroom.make_classroom), stores
``--answers`` answers from them (the last half hour), signs the demo teacher in, then
times, per view and ``--loops`` times each (thread CPU, the least of ``PASSES`` rounds):

  hit       the same poll again, nothing changed (the kept view's bytes);
  revalidate  the same with If-None-Match of the last answer's ETag (304 when unchanged);
  miss      one new answer by a student of the class, then the poll;
  busy      ``--busy`` new answers by the class's students (as between two polls while
            the class works), then the poll (a tenth of ``--loops`` times).

    .venv/bin/python scripts/profile_teacher_views.py [TREE] [--students 50] [--answers 3000]
    PROFILE=heatmap-miss ... also prints cProfile's top functions of that step

TREE is the source tree to measure (`.` by default, or `git archive COMMIT | tar -x -C
/tmp/old`), so before and after run the same mix.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("tree", nargs="?", default=".")
parser.add_argument("--students", type=int, default=50)
parser.add_argument("--answers", type=int, default=3000)
parser.add_argument("--loops", type=int, default=30)
parser.add_argument(
    "--busy", type=int, default=1200,
    help="answers of the class between two polls in the busy step (1,200: a heatmap's 4 s "
    "while the bench's class of 30 answers ~300 a second; 0: no busy step)",
)  # fmt: skip
args = parser.parse_args()
tree = os.path.abspath(args.tree)
sys.path.insert(0, tree)
sys.path.insert(0, tree + "/scripts")
os.chdir(tree)
os.environ["BAOBAB_HTTPS_PORT"] = "0"

import bench_classroom as bc  # noqa: E402

from server import create_app  # noqa: E402
from server import db as database  # noqa: E402
from server.models import Item, Person  # noqa: E402
from server.services import learning  # noqa: E402

data = Path(tempfile.mkdtemp()) / "data"
bc.CLASS_SIZE = args.students  # one class of them all
plan = bc.make_classroom(data, args.students)
app = create_app({"DATA_DIR": str(data), "SQLITE_SYNCHRONOUS": "NORMAL"})
rng = random.Random(3)
class_id = plan["students"][0]["class_id"]
members = [s["id"] for s in plan["students"] if s["class_id"] == class_id]
items = [(i["id"], i["right"], i["wrong"]) for a in plan["activities"] for i in a["items"]]


def answer(person: Person) -> None:
    item_id, right, wrong = rng.choice(items)
    learning.record_answer(
        person,
        {
            "id": uuid.uuid4().hex,
            "item_id": item_id,
            "response": wrong if rng.random() < 0.3 else right,
            "device_ms": int(time.time() * 1000),
            "hints_used": 0,
        },
    )


with database.db.connection_context():
    people = {p.id: p for p in Person.select().where(Person.id.in_(members))}
    Item.select().count()
    for _ in range(args.answers):
        answer(people[rng.choice(members)])
database.close_all()

client = app.test_client()
login = client.post(
    "/api/v1/auth/login", json={"username": "teacher", "password": "baobab-teacher"}
)
assert login.status_code == 200, login.get_data()
paths = {
    "heatmap": f"/api/v1/classes/{class_id}/heatmap",
    "live": f"/api/v1/classes/{class_id}/live",
}
PASSES = int(os.environ.get("PASSES", "3"))
profiled = os.environ.get("PROFILE")
profile = cProfile.Profile(time.thread_time)


def class_works() -> None:
    """``--busy`` answers of the class's students, as between two polls while it works."""
    with database.db.atomic():
        for _ in range(args.busy):
            answer(people[rng.choice(members)])


def step(name: str, path: str, before=None, headers=None, loops: int | None = None) -> float:
    best = None
    loops = loops or args.loops
    for _ in range(PASSES):
        spent = 0.0
        for _ in range(loops):
            if before:
                with database.db.connection_context():
                    before()
            sent = headers() if headers else None
            on = name == profiled
            began = time.thread_time()
            if on:
                profile.enable()
            response = client.get(path, headers=sent)
            response.get_data()
            if on:
                profile.disable()
            spent += time.thread_time() - began
            assert response.status_code in (200, 304), (name, response.status_code)
        per = spent / loops * 1000
        best = per if best is None else min(best, per)
    return best


def etag(path: str) -> dict[str, str]:
    tag = client.get(path).headers.get("ETag")
    return {"If-None-Match": tag} if tag else {}


someone = people[members[0]]
print(f"students {len(members)} in the class, answers {args.answers}, tree {tree}")
for view, path in paths.items():
    client.get(path)
    hit = step(f"{view}-hit", path)
    revalidate = step(f"{view}-revalidate", path, headers=lambda p=path: etag(p))
    miss = step(f"{view}-miss", path, before=lambda: answer(someone))
    busy = (
        step(f"{view}-busy", path, before=class_works, loops=max(1, args.loops // 10))
        if args.busy
        else float("nan")
    )
    print(
        f"{view:8} hit {hit:.2f} ms  revalidate {revalidate:.2f} ms"
        f"  miss {miss:.2f} ms  busy {busy:.2f} ms  ({len(client.get(path).get_data())} bytes)"
    )
floor = step("floor", "/api/v1/auth/me")
print(f"floor    GET /auth/me {floor:.2f} ms")
if profiled:
    pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
