"""The teacher app lists every row of a long list, not the first page of it.

Regression: the content library, the assign screen and a class's archived students
asked for one page of 500 and showed that: a district with more activities than that
could neither browse nor assign the rest (the library even said "500 activities").
"""

from __future__ import annotations

import pytest

from server import db as database
from server.cli import opened
from server.models import Activity
from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.student import api
from tests.helpers.teacher import sign_in

EXTRA = 520  # beyond one page of the largest size the node serves (500)


@pytest.fixture
def crowded(tmp_path):
    """A demo node whose district has more activities than one page holds."""
    data_dir = tmp_path / "node"
    baobab("demo", "--data-dir", str(data_dir))
    with opened(str(data_dir)):
        Activity.create_many(
            [
                {
                    "id": f"district-many:a{n:04d}",
                    "partition": "district",
                    "pack_id": "district-many",
                    "slug": f"a{n:04d}",
                    "kind": "reading",
                    "language": "en",
                    "title": f"Reading number {n:04d}",
                    "difficulty": 1,
                    "minutes": 5,
                    "modality": "read",
                    "interests": [],
                    "culture": [],
                    "body": {"text": "A short text."},
                }  # fmt: skip
                for n in range(EXTRA)
            ]
        )
    database.close_all()
    node = ServedNode(data_dir, demo=False).start()
    yield node
    node.stop()


@pytest.mark.slow
def test_the_library_and_the_assign_screen_list_every_activity_beyond_one_page(crowded, chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        sign_in(page, crowded.url)
        total = api(crowded.url, "/activities?per_page=1", page)["total"]
        assert total > 500
        page.goto(crowded.url + "/teacher/#/library")
        page.wait_for_selector("table.library")
        assert page.locator("table.library tr[data-activity]").count() == total
        last = f"district-many:a{EXTRA - 1:04d}"
        assert page.locator(f'tr[data-activity="{last}"]').count() == 1
        classes = api(crowded.url, "/classes", page)
        class_id = (classes["items"] if isinstance(classes, dict) else classes)[0]["id"]
        page.goto(f"{crowded.url}/teacher/#/assign/{class_id}")
        page.wait_for_selector("select[name=activity_id] option", state="attached")
        assert page.locator(f'option[value="{last}"]').count() == 1
    finally:
        context.close()
