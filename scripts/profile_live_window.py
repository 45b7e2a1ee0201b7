"""What keeping the live view's window costs: read whole against counted (issue 16).

Seeds a class of 30 (bench_classroom.make_classroom) in a temporary folder, stores
``ANSWERS`` answers of its students spread over the last 25 minutes, then times, in
thread CPU (the least of five rounds), reading the class's window whole
(``live._Window``, a teacher's first poll in a process) and the minute's check of a
kept window (``_Window.still_whole``: its rows counted against the tables).

    .venv/bin/python scripts/profile_live_window.py [TREE] [ANSWERS]   (20000 by default)
"""

import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

tree = sys.argv[1] if len(sys.argv) > 1 else "."
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
sys.path.insert(0, tree)
sys.path.insert(0, os.path.join(tree, "scripts"))
os.chdir(tree)
os.environ["BAOBAB_HTTPS_PORT"] = "0"

import bench_classroom  # noqa: E402

from server import create_app  # noqa: E402
from server import db as database  # noqa: E402
from server.models import Answer, Attempt, Classroom, Item, Person  # noqa: E402
from server.services import live  # noqa: E402
from server.services.heatmap import class_roster  # noqa: E402
from sync.hlc import wall_ms  # noqa: E402

data = Path(tempfile.mkdtemp(prefix="baobab-live-window-")) / "data"
plan = bench_classroom.make_classroom(data, 30)
app = create_app({"DATA_DIR": str(data)})
rng = random.Random(1)
with app.app_context(), database.db.connection_context():
    ids = [s["id"] for s in plan["students"]]
    classroom = Classroom.get_by_id(plan["students"][0]["class_id"])
    partition = Person.get_by_id(ids[0]).partition
    items = [Item.get_by_id(i["id"]) for a in plan["activities"] for i in a["items"]]
    now = wall_ms()
    rows = []
    for n in range(count):
        item = rng.choice(items)
        rows.append({
            "id": uuid.uuid4().hex, "partition": partition, "origin": "seed",
            "counter": n + 1, "hlc": n + 1, "deleted": False, "person_id": rng.choice(ids),
            "attempt_id": None, "activity_id": item.activity_id, "item_id": item.id,
            "response": 0, "correct": rng.random() < 0.7, "hints_used": 0, "duration_ms": 1,
            "device_ms": now, "received_ms": now - rng.randint(0, 25 * 60 * 1000),
        })  # fmt: skip
    with database.db.atomic():
        for start in range(0, count, 500):
            Answer.insert_many(rows[start : start + 500]).execute()
    roster = tuple(class_roster(classroom.id))
    marks = live.change_mark((Answer, Attempt))
    best = {"read whole": float("inf"), "counted": float("inf")}
    for _ in range(5):
        began = time.thread_time()
        window = live._Window(roster, marks, wall_ms())
        best["read whole"] = min(best["read whole"], time.thread_time() - began)
        began = time.thread_time()
        assert window.still_whole(wall_ms())
        best["counted"] = min(best["counted"], time.thread_time() - began)
print(f"{count} answers in the window: "
      + ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in best.items()))  # fmt: skip
database.close_all()
shutil.rmtree(data.parent, ignore_errors=True)  # the seeded class, gone with the probe
