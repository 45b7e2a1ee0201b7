"""Fixtures: apps on temporary databases, a test client, the CLI runner, principals.

The demo school is seeded once per session into a template data directory;
each test gets its own copy, so tests never share state and stay fast.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Every response dumped and every body loaded the fast way is checked against
# marshmallow (server/api/dumping.py, server/api/loading.py),
# here and in the nodes tests serve in subprocesses.
os.environ["BAOBAB_CHECK_DUMPS"] = "1"

from server import create_app
from server import db as database
from server.auth import signin
from server.cli import prepare
from server.models import Classroom, Item, Person
from server.services import demo, schools
from server.services import people as people_service
from tests.helpers import QUICK, QUICK_SKIP_REASON

# Hypothesis: "ci" keeps hypothesis's own counts (and every test's explicit count, via
# tests.helpers.examples); "dev" is the quick mode's. CI=true always means "ci".
# No deadline: one example stalled 200 ms by a busy box is not a failure of the code.
settings.register_profile("ci", settings(max_examples=100, print_blob=True, deadline=None))
settings.register_profile("dev", settings(max_examples=10, deadline=None))
settings.load_profile("dev" if QUICK else "ci")

# Tests the quick mode skips, by marker. `browser` and `namespace` are given here
# (pytest_collection_modifyitems) to the tests that drive Chromium or make namespaces.
QUICK_SKIPS = ("browser", "namespace", "slow")


#: The databases a hub test runs on (``--hub-db``): a hub on SQLite stays possible.
HUB_DATABASES = {
    "both": ("sqlite", "postgresql"),
    "sqlite": ("sqlite",),
    "postgresql": ("postgresql",),
}


def pytest_addoption(parser):
    """``--hub-db``: run the hub's tests on SQLite, on PostgreSQL (as in production), or both."""
    parser.addoption(
        "--hub-db",
        choices=sorted(HUB_DATABASES),
        default="both",
        help="database of the hub tests (fixture hub_db_kind): sqlite, postgresql or both",
    )


def pytest_generate_tests(metafunc):
    """Parametrize ``hub_db_kind`` with the databases ``--hub-db`` names."""
    if "hub_db_kind" in metafunc.fixturenames:
        kinds = HUB_DATABASES[metafunc.config.getoption("--hub-db")]
        metafunc.parametrize("hub_db_kind", kinds)


def pytest_collection_modifyitems(config, items):
    """Mark the browser tests; in the quick mode skip the slow, browser and namespace ones."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    if not QUICK:
        return
    for item in items:
        for marker in QUICK_SKIPS:
            if item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=QUICK_SKIP_REASON.format(marker=marker)))
                break


def pytest_report_header(config):
    """Say which mode runs, so a quick run is never mistaken for a full one."""
    if QUICK:
        return "baobab: QUICK mode (fewer examples; slow, browser, namespace tests skipped)"
    return "baobab: full mode (every test, full example counts)"


@pytest.fixture(autouse=True, scope="session")
def _no_https_by_default():
    """Nodes the tests serve skip HTTPS (its fixed default port would clash between
    them) unless a test turns it on with BAOBAB_HTTPS_PORT (tests/integration/test_https.py)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAOBAB_HTTPS_PORT", "0")
        yield


# Fast, deterministic settings for tests.
BASE_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLITE_SYNCHRONOUS": "OFF"}


@dataclass
class World:
    """Ids of the things of the demo school the tests act on, and tokens per principal."""

    school_id: str
    class_a: str
    class_c: str
    student: str
    other_student: str
    student_c: str
    teacher: str
    other_teacher: str
    admin: str
    tokens: dict[str, str]
    item_choice: str
    activity: str


def _build_template(root: Path) -> World:
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(root)})
    prepare(app)
    with database.db.connection_context():
        demo.seed_demo(str(root))
        school_id = Person.get(Person.username == "teacher").school_id
        class_a = Classroom.get(Classroom.name == "Acacia class")
        class_c = schools.create_class(school_id, name="Cedar class", grade="Grade 2")
        other_teacher = people_service.create_person(
            school_id, "teacher", "Ms Other", username="other", password="other-teacher-pw",
            classroom_id=class_c.id,
        )  # fmt: skip
        student_c = people_service.create_person(
            school_id, "student", "Cedar Kid", pictures=["sun", "moon", "star"],
            classroom_id=class_c.id,
        )  # fmt: skip
        students = schools.class_students(class_a)
        student, other_student = students[0], students[1]
        teacher = Person.get(Person.username == "teacher")
        admin = Person.get(Person.username == "admin")
        people = {
            "student": student, "other_student": other_student, "teacher": teacher,
            "other_teacher": other_teacher, "admin": admin,
        }  # fmt: skip
        tokens = {name: signin.issue_token(p, "tests") for name, p in people.items()}
        item = Item.live().where(Item.type == "choice").order_by(Item.id).first()
        world = World(
            school_id=school_id, class_a=class_a.id, class_c=class_c.id, student=student.id,
            other_student=other_student.id, student_c=student_c.id, teacher=teacher.id,
            other_teacher=other_teacher.id, admin=admin.id, tokens=tokens,
            item_choice=item.id, activity=item.activity_id,
        )  # fmt: skip
    database.close_all()  # checkpoints the WAL so the file alone is the database
    return world


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> tuple[Path, World]:
    root = tmp_path_factory.mktemp("template")
    return root, _build_template(root)


@pytest.fixture
def world(template) -> World:
    return template[1]


@pytest.fixture
def app(template, tmp_path):
    source, _ = template
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir)
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(data_dir)})
    yield app
    database.close_all()


@pytest.fixture
def empty_app(tmp_path):
    """An app on a migrated database with no school."""
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path / "empty")})
    prepare(app)
    yield app
    database.close_all()


@pytest.fixture
def db(app):
    """The app's context and a database connection, open for the test's body.

    Requests the test makes close the connection when they end (as in serving);
    the queries after them open it again (peewee's autoconnect). Not a
    ``connection_context()``: a request's close inside one breaks its exit.
    """
    with app.app_context():
        database.db.connect(reuse_if_open=True)
        yield database.db
        database.db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Api:
    """A test client that signs in as someone and sends the CSRF header for them."""

    def __init__(self, client: Any, token: str | None = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def login(self, username: str, password: str) -> Any:
        response = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        if response.status_code == 200:
            self.headers["X-CSRF-Token"] = response.get_json()["csrf_token"]
        return response

    def student_login(self, student_id: str, pictures: list[str] | None = None) -> Any:
        response = self.client.post(
            "/api/v1/auth/student-login",
            json={"student_id": student_id, "pictures": pictures or []},
        )
        if response.status_code == 200:
            self.headers["X-CSRF-Token"] = response.get_json()["csrf_token"]
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        response.get_data()  # read file responses fully, then release the file
        response.close()
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    return lambda token=None: Api(client, token)


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    """Every test must stop the threads it starts (python-zeroconf's habit)."""
    before = set(threading.enumerate())
    yield
    leftover = [
        t for t in threading.enumerate()
        if t not in before and t.is_alive()
    ]  # fmt: skip
    for thread in leftover:
        thread.join(timeout=5)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, f"threads left running: {leftover}"
