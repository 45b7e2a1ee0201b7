"""Two students on one tablet: sign out, next student; their outboxes never mix."""

from __future__ import annotations

import pytest

from tests.helpers.nodes import wait_for
from tests.helpers.student import answer_item, api, current_item, right, sign_in

from .test_offline import OUTBOX_IDS, waiting


def open_first_quiz(page) -> None:
    page.locator("section.recommendations a.kind-quiz").first.click()
    page.wait_for_selector("form.item")


def sign_out(page) -> None:
    page.locator("#signout").click()
    page.wait_for_selector(".students")


@pytest.mark.slow
def test_two_students_one_tablet(node, device):
    page = device.new_page()
    sign_in(page, node.url, "Amina")
    amina = api(node.url, "/auth/me", page)["person"]["id"]
    # Amina's answer cannot reach the node (the hotspot drops it): it waits in her outbox.
    page.route("**/api/v1/answers", lambda route: route.abort())
    open_first_quiz(page)
    assert answer_item(page, right(current_item(page))) == "true"  # checked on the tablet meanwhile
    assert waiting(page) == 1
    sign_out(page)  # the next student: the class is remembered, names are shown
    assert "1 of your answers will be sent" in page.locator("p.notice").inner_text()
    assert page.locator("#outbox").is_hidden()

    sign_in(page, node.url, "Kofi")
    page.unroute("**/api/v1/answers")
    kofi = api(node.url, "/auth/me", page)["person"]["id"]
    assert waiting(page) == 0  # Amina's waiting answer is not Kofi's
    open_first_quiz(page)
    assert answer_item(page, right(current_item(page))) == "true"
    assert wait_for(lambda: waiting(page) == 0)
    assert api(node.url, f"/people/{kofi}/answers", page)["total"] == 1
    left = page.evaluate(OUTBOX_IDS, None)
    assert [(p, s) for _, p, s in left] == [(amina, "waiting")]

    sign_out(page)
    sign_in(page, node.url, "Amina")
    assert wait_for(lambda: waiting(page) == 0)
    answers = api(node.url, f"/people/{amina}/answers", page)["items"]
    assert [a["id"] for a in answers] == [left[0][0]]
    assert page.evaluate(OUTBOX_IDS, None) == []
