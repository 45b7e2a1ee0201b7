"""Wrong pictures in an offline sign-in must not credit one child's work to another
(issue 13, the last note). Broke: a child signed in with the node away under another
child's name; the node later refused the pictures; the work stayed on the tablet under
the named child and went out as theirs at the named child's next proper sign-in.
Now it goes to the node as unclaimed work, a teacher of the child sees it in the
teacher app and gives it to the child who did it: nothing lost, nothing misplaced."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from server.services.demo import DEMO_ADMIN, DEMO_TEACHER
from tests.helpers import teacher
from tests.helpers.nodes import Browser, wait_for
from tests.helpers.student import answer_item, api, current_item, right, sign_in

from .test_accessibility import violations
from .test_offline import OUTBOX_IDS
from .test_student_resilience import (
    next_student,
    open_first_quiz,
    restarted,
    sign_in_here,
    staff_answers,
)

WRONG = ("moon", "moon", "moon")


def unclaimed(node) -> list[dict]:
    """The sittings of unclaimed work the demo teacher sees."""
    staff = Browser(node.url)
    staff.login(*DEMO_TEACHER)
    status, body = staff.call("GET", "/api/v1/unclaimed-work")
    assert status == 200, body
    return body


@pytest.mark.slow
def test_wrong_pictures_offline_cannot_credit_work_to_the_named_child(
    node, device, chromium, axe_js
):
    page = device.new_page()
    sign_in(page, node.url, "Amina")  # both children have used this tablet before
    amina = api(node.url, "/auth/me", page)["person"]["id"]
    page.wait_for_selector("body[data-offline-ready=true]")
    next_student(page)
    sign_in_here(page, "Kofi")
    kofi = api(node.url, "/auth/me", page)["person"]["id"]
    page.wait_for_selector("body[data-offline-ready=true]")
    next_student(page)

    node.stop()  # the link is cut; Kofi signs in under Amina's name, with wrong pictures
    page.locator(".students button", has_text="Amina").click()
    for key in WRONG:
        page.locator(f'[data-picture="{key}"]').click()
    page.locator("button.primary").click()
    page.wait_for_selector("section.recommendations")
    open_first_quiz(page)
    assert answer_item(page, right(current_item(page))) == "true"
    his = [i for i, p, _ in page.evaluate(OUTBOX_IDS, "answer")]
    assert len(his) == 1

    back = restarted(node)
    try:
        # The node refuses the pictures: the tablet asks for a sign-in, sends nothing.
        page.wait_for_selector(".students", timeout=60_000)
        page.wait_for_selector("p.notice")  # said to the child, on the sign-in screen
        assert staff_answers(node, amina) == [] and unclaimed(node) == []

        # Amina signs in properly later: her answers do not include Kofi's work.
        sign_in_here(page, "Amina")
        assert wait_for(lambda: page.evaluate(OUTBOX_IDS, None) == [], timeout=60, step=0.5)
        assert staff_answers(node, amina) == []
        assert staff_answers(node, kofi) == []
        [sitting] = unclaimed(node)
        assert sitting["named"]["id"] == amina
        assert [w["id"] for w in sitting["work"]] == his

        # Not lost: the teacher sees it, under no one's name, and gives it to Kofi.
        context = chromium.new_context(viewport={"width": 1024, "height": 768})
        try:
            staff = context.new_page()
            teacher.sign_in(staff, node.url)
            staff.locator("a[href='#/unclaimed']").click()
            article = staff.locator(f"article[data-named='{amina}']")
            article.wait_for()
            assert article.locator(f"li[data-work='{his[0]}']").count() == 1
            assert violations(staff, axe_js) == []
            article.locator("select[name=student]").select_option(kofi)
            article.locator("button.give").click()
            staff.wait_for_selector("p.nobody")
            assert "Kofi" in staff.locator("p.notice").inner_text()
        finally:
            context.close()
        assert staff_answers(node, kofi) == his
        assert staff_answers(node, amina) == []
        assert unclaimed(node) == []
    finally:
        back.stop()


SECRET = "I miss my dog Rex"


def _hold_under(node, named: str, carrier: str) -> list[str]:
    """A sitting as a tablet handed it to the node under ``named`` (written to its database,
    as ``POST /unclaimed-work`` keeps it): a choice answer and a reflection in words."""
    db = sqlite3.connect(Path(node.data_dir) / "baobab.db")
    try:
        item = db.execute(
            "SELECT id, answer FROM item WHERE type = 'choice' AND NOT deleted ORDER BY id"
        ).fetchone()
        made = [uuid.uuid4().hex, uuid.uuid4().hex]
        bodies = [
            ("answer", {"id": made[0], "item_id": item[0], "response": json.loads(item[1]),
                        "hints_used": 0, "duration_ms": None, "attempt_id": None, "device_ms": 7}),
            ("reflection", {"id": made[1], "confidence": 3, "text": SECRET, "activity_id": None,
                            "attempt_id": None, "device_ms": 8}),
        ]  # fmt: skip
        with db:
            for kind, body in bodies:
                db.execute(
                    "INSERT INTO unclaimed_work (id, batch, kind, body, named_id, sent_by, made_ms,"
                    " received_ms, state) VALUES (?, 'sitting-x', ?, ?, ?, ?, 7, 7, 'waiting')",
                    (body["id"], kind, json.dumps(body), named, carrier),
                )
    finally:
        db.close()
    return made


def _person(node, name: str) -> str:
    with sqlite3.connect(Path(node.data_dir) / "baobab.db") as db:
        return db.execute("SELECT id FROM person WHERE display_name = ?", (name,)).fetchone()[0]


@pytest.mark.slow
def test_a_sitting_under_an_erased_childs_name_is_shown_blanked_for_the_teacher_to_place(
    node, chromium, axe_js
):
    """Erasing Amina on request blanks the words of a sitting held under her name; the
    teacher still sees the sitting (it may be Kofi's work), told why, and places it."""
    amina, kofi = _person(node, "Amina"), _person(node, "Kofi")
    choice, thought = _hold_under(node, amina, kofi)
    admin = Browser(node.url)
    admin.login(*DEMO_ADMIN)
    status, body = admin.call("POST", f"/api/v1/district/students/{amina}/erase")
    assert status == 200, body
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        staff = context.new_page()
        teacher.sign_in(staff, node.url)
        staff.goto(node.url + "/teacher/#/unclaimed")
        article = staff.locator(f"article[data-named='{amina}']")
        article.wait_for()
        assert article.locator("p.notice.erased").count() == 1
        assert SECRET not in article.inner_text()
        assert "erased" in article.locator(f"li[data-work='{thought}']").inner_text()
        owner = article.locator("select[name=student]")
        assert owner.input_value() == ""  # no child preselected: the teacher chooses
        assert violations(staff, axe_js) == []
        owner.select_option(kofi)
        article.locator("button.give").click()
        staff.wait_for_selector("p.nobody")
        assert "Kofi" in staff.locator("p.notice").inner_text()
    finally:
        context.close()
    assert staff_answers(node, kofi) == [choice]
    assert unclaimed(node) == []
