"""The teacher's words reach the child (issue 13 item 1), in real Chromium: a comment and
an assignment note written on another node of the school come by sync and show on home
("From your teacher", marked new), on the activity and in "What I did"; the mark goes once
seen, per student, and the words stay readable with the node away."""

from __future__ import annotations

import pytest

from server.paths import SAMPLE_PACK_DIR
from tests.client.test_accessibility import violations
from tests.helpers.nodes import Browser, ServedNode, baobab, join_and_sync, wait_for
from tests.helpers.student import sign_in

ACTIVITY = "baobab-sample:compare-numbers-quiz-en"
COMMENT = "You compared the numbers so carefully. Bravo!"
NOTE = "Say each number out loud before you choose."


def _new_marks(page) -> list[str]:
    return page.eval_on_selector_all(
        "section.teacher-words li.word[data-new=true] .word-text",
        "els => els.map(e => e.textContent)",
    )


@pytest.fixture
def school(tmp_path):
    """Node A (the classroom's, the tablet's) and node B paired with it, both serving."""
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False)
    try:
        join_and_sync(b.data_dir, a)
        # A school without a hub imports its packs on each node (docs/sync.md).
        baobab("import-content", str(SAMPLE_PACK_DIR), "--data-dir", str(b.data_dir))
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.mark.slow
def test_comment_written_on_a_paired_node_reaches_the_childs_home_marked_new(
    school, device, axe_js
):
    a, b = school
    teacher = Browser(b.url)
    teacher.login("teacher", "baobab-teacher")  # the account came from A by sync
    status, classes = teacher.call("GET", "/api/v1/classes")
    assert status == 200, classes
    acacia = next(c for c in classes if c["name"] == "Acacia class")
    status, students = teacher.call("GET", f"/api/v1/classes/{acacia['id']}/students")
    assert status == 200, students
    amina = next(s["id"] for s in students if s["display_name"] == "Amina")
    status, made = teacher.call(
        "POST", "/api/v1/feedback", {"person_id": amina, "activity_id": ACTIVITY, "text": COMMENT}
    )
    assert status == 201, made
    status, assigned = teacher.call(
        "POST",
        f"/api/v1/classes/{acacia['id']}/assignments",
        {"activity_id": ACTIVITY, "person_id": amina, "note": NOTE},
    )
    assert status == 201, assigned
    # B's teacher presses "sync now"; A then has the comment, written on B.
    status, peers = teacher.call("GET", "/api/v1/sync/peers")
    status, result = teacher.call("POST", f"/api/v1/sync/peers/{peers[0]['id']}/sync")
    assert status == 200, result
    admin = Browser(a.url)
    admin.login("admin", "baobab-admin")

    def arrived() -> bool:
        listed = admin.call("GET", f"/api/v1/people/{amina}/feedback")[1]["items"]
        return COMMENT in [f["text"] for f in listed]

    assert wait_for(arrived)
    title = admin.call("GET", f"/api/v1/activities/{ACTIVITY}")[1]["title"]

    page = device.new_page()
    sign_in(page, a.url)
    words = page.locator("section.teacher-words")
    assert words.locator("h2").inner_text() == "From your teacher"
    assert sorted(_new_marks(page)) == sorted([COMMENT, NOTE])
    assert words.locator(".new-mark").first.inner_text() == "New"
    assert f"About: {title}" in words.inner_text()  # what it is about, by its title
    assert violations(page, axe_js) == []

    # On the activity it is about: the words, no longer new.
    page.locator(f'a[data-activity="{ACTIVITY}"]').first.click()
    aside = page.locator("article aside.teacher-words")
    aside.wait_for()
    assert COMMENT in aside.inner_text() and NOTE in aside.inner_text()
    assert aside.locator("li[data-new=true]").count() == 0
    assert violations(page, axe_js) == []

    # In "What I did".
    page.evaluate("location.hash = '#/history'")
    page.wait_for_selector("section[aria-labelledby=h-attempts]")
    assert COMMENT in page.locator("section.teacher-words").inner_text()
    assert violations(page, axe_js) == []

    # Seen survives a reload: home shows the words without the mark.
    page.evaluate("location.hash = '#/home'")
    page.reload()
    page.wait_for_selector("section.teacher-words li.word")
    assert _new_marks(page) == []
    assert COMMENT in page.locator("section.teacher-words").inner_text()

    # A newer comment is new; the ones seen are not.
    status, _ = admin.call("POST", "/api/v1/feedback", {"person_id": amina, "text": "One more!"})
    assert status == 201
    page.reload()
    page.wait_for_selector("section.teacher-words li.word")
    assert _new_marks(page) == ["One more!"]

    # With the node away, what the tablet fetched is still there.
    a.stop()
    page.reload()
    page.wait_for_selector("section.recommendations")
    assert page.locator("p.notice").count() == 1
    assert COMMENT in page.locator("section.teacher-words").inner_text()
    page.locator(f'a[data-activity="{ACTIVITY}"]').first.click()
    page.wait_for_selector("article aside.teacher-words")
    assert NOTE in page.locator("article aside.teacher-words").inner_text()


@pytest.mark.slow
def test_seen_marks_are_per_student_on_a_shared_tablet(node, device):
    admin = Browser(node.url)
    admin.login("admin", "baobab-admin")
    status, people = admin.call("GET", "/api/v1/people?per_page=100")
    ids = {p["display_name"]: p["id"] for p in people["items"]}
    for name in ("Amina", "Kofi"):
        status, _ = admin.call(
            "POST", "/api/v1/feedback", {"person_id": ids[name], "text": f"For {name}"}
        )
        assert status == 201
    page = device.new_page()
    sign_in(page, node.url)
    assert _new_marks(page) == ["For Amina"]
    page.locator("#signout").click()
    page.wait_for_selector(".students")
    # Amina having seen hers marks nothing of Kofi's; his home never shows hers.
    sign_in(page, node.url, name="Kofi")
    assert _new_marks(page) == ["For Kofi"]
    assert "For Amina" not in page.locator("main").inner_text()
    page.locator("#signout").click()
    page.wait_for_selector(".students")
    sign_in(page, node.url)
    page.wait_for_selector("section.teacher-words li.word")
    assert _new_marks(page) == []
