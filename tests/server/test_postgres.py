"""The same app on PostgreSQL (the hub's database): migrate, seed, sign in, record work."""

from __future__ import annotations

import uuid

import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.models import Answer, Item
from server.paths import MIGRATIONS_DIR
from server.services import demo
from tests.conftest import BASE_CONFIG, Api

ALL_MIGRATIONS = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


@pytest.mark.postgres
def test_node_runs_on_postgresql(postgres, tmp_path):
    url = postgres.create_database("hub")
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    try:
        # Its requests wait for the database server: no gate keeps the CPU idle meanwhile.
        assert "baobab.gate" not in app.extensions
        assert prepare(app) == ALL_MIGRATIONS
        with database.db.connection_context():
            assert not database.is_sqlite()
            demo.seed_demo(str(tmp_path))
            item = Item.live().where(Item.type == "numeric").first()
        caller = Api(app.test_client())
        assert caller.login("teacher", "baobab-teacher").status_code == 200
        classes = caller.get("/api/v1/classes").get_json()
        assert len(classes) == 2
        kids = caller.get(f"/api/v1/classes/{classes[0]['id']}/students").get_json()
        child = Api(app.test_client())
        assert child.student_login(kids[0]["id"], demo.DEMO_PICTURES).status_code == 200
        body = {"id": uuid.uuid4().hex, "item_id": item.id, "response": item.answer, "device_ms": 1}
        assert child.post("/api/v1/answers", json=body).get_json()["correct"] is True
        assert child.post("/api/v1/answers", json=body).get_json()["duplicate"] is True
        assert child.post("/api/v1/answers", json={**body, "device_ms": 2}).status_code == 409
        assert app.test_client().get("/healthz").get_json()["database"] == "postgresql"
        with database.db.connection_context():
            assert Answer.select().count() == 1
        # Recommendations read cached summaries of events (no rowid here): twice, and
        # after a new answer, the same as the SQLite node's way.
        home = f"/api/v1/people/{kids[0]['id']}/home"
        first = child.get(home).get_json()
        assert first["recommendations"] and child.get(home).get_json() == first
        body = {**body, "id": uuid.uuid4().hex, "device_ms": 3}
        assert child.post("/api/v1/answers", json=body).status_code == 201
        assert child.get(home).status_code == 200
    finally:
        database.close_all()
