"""Wrong pictures in an offline sign-in must not credit one child's work to another
(issue 13, the last note). Broke: a child signed in with the node away under another
child's name; the node later refused the pictures; the work stayed on the tablet under
the named child and went out as theirs at the named child's next proper sign-in.
Now it goes to the node as unclaimed work, a teacher of the child sees it in the
teacher app and gives it to the child who did it: nothing lost, nothing misplaced."""

from __future__ import annotations

import pytest

from server.services.demo import DEMO_TEACHER
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
