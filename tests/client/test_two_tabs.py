"""Two tabs of one tablet share the session cookie but each keeps its own CSRF token:
a student's waiting answers are never given up because another tab signed someone
else in, and the header says "saved" only when it is true (issue 13, item 8)."""

from __future__ import annotations

import json

import pytest

from tests.helpers.nodes import wait_for
from tests.helpers.student import answer_item, api, current_item, next_item, right, sign_in

from .test_offline import OUTBOX_IDS, waiting


def open_first_quiz(page) -> None:
    page.locator("section.recommendations a.kind-quiz").first.click()
    page.wait_for_selector("form.item")


def sign_out(page) -> None:
    page.locator("#signout").click()
    page.wait_for_selector(".students")


@pytest.mark.slow
def test_other_tab_sign_in_cannot_make_answers_refused_for_good(node, device):
    # The hotspot drops every answer for a while: Amina's two answers wait in tab one.
    device.route("**/api/v1/answers", lambda route: route.abort())
    tab1 = device.new_page()
    sign_in(tab1, node.url, "Amina")
    amina = api(node.url, "/auth/me", tab1)["person"]["id"]
    open_first_quiz(tab1)
    assert answer_item(tab1, right(current_item(tab1))) == "true"
    next_item(tab1)
    assert answer_item(tab1, right(current_item(tab1))) == "true"
    assert waiting(tab1) == 2
    mine = [i for i, p, _ in tab1.evaluate(OUTBOX_IDS, "answer") if p == amina]
    assert len(mine) == 2

    # Kofi signs in in another tab of the same tablet: the cookie is now his.
    tab2 = device.new_page()
    tab2.goto(node.url + "/student/")
    tab2.wait_for_selector("section.recommendations")  # the shared cookie: Amina
    sign_out(tab2)
    sign_in(tab2, node.url, "Kofi")
    kofi = api(node.url, "/auth/me", tab2)["person"]["id"]
    device.unroute("**/api/v1/answers")

    # Tab one's sync loop runs with Kofi's cookie and Amina's token: her answers wait.
    tab1.wait_for_function(
        "() => document.getElementById('outbox').textContent.includes('sign in again')"
    )
    status = tab1.locator("#outbox").inner_text()
    assert "saved" not in status and "could not be sent" not in status
    assert waiting(tab1) == 2
    assert sorted((i, s) for i, p, s in tab1.evaluate(OUTBOX_IDS, "answer")) == sorted(
        (i, "waiting") for i in mine
    )
    assert api(node.url, f"/people/{kofi}/answers", tab2)["total"] == 0

    # Amina signs in again (in tab two): every answer of hers arrives, once, as hers.
    sign_out(tab2)
    sign_in(tab2, node.url, "Amina")
    assert wait_for(lambda: tab2.evaluate(OUTBOX_IDS, "answer") == [])
    answers = api(node.url, f"/people/{amina}/answers", tab2)["items"]
    assert sorted(a["id"] for a in answers) == sorted(mine)
    tab1.reload()  # tab one too, now Amina's again, has nothing left and says so
    tab1.wait_for_function(
        "() => document.getElementById('outbox').textContent === 'All your work is saved'"
    )
    sign_out(tab2)
    sign_in(tab2, node.url, "Kofi")
    assert api(node.url, f"/people/{kofi}/answers", tab2)["total"] == 0


@pytest.mark.slow
def test_refused_answer_is_not_called_saved(node, device):
    page = device.new_page()
    sign_in(page, node.url, "Amina")
    refusal = {"error": {"status": 422, "code": "invalid", "message": "No.", "details": {}}}
    page.route(
        "**/api/v1/answers",
        lambda route: route.fulfill(
            status=422, content_type="application/json", body=json.dumps(refusal)
        ),
    )
    open_first_quiz(page)
    answer_item(page, right(current_item(page)))
    page.wait_for_function(
        "() => document.getElementById('outbox').textContent.includes('could not be sent')"
    )
    assert "saved" not in page.locator("#outbox").inner_text()
    assert [s for _, _, s in page.evaluate(OUTBOX_IDS, "answer")] == ["rejected"]


@pytest.mark.slow
def test_forbidden_without_error_code_keeps_answer_waiting(node, device):
    """A 403 (a stale token, a proxy) is not a refusal of the answer: it is sent later."""
    page = device.new_page()
    sign_in(page, node.url, "Amina")
    amina = api(node.url, "/auth/me", page)["person"]["id"]
    page.route("**/api/v1/answers", lambda route: route.fulfill(status=403, body=""))
    open_first_quiz(page)
    answer_item(page, right(current_item(page)))
    assert [s for _, _, s in page.evaluate(OUTBOX_IDS, "answer")] == ["waiting"]
    page.unroute("**/api/v1/answers")
    assert wait_for(lambda: page.evaluate(OUTBOX_IDS, "answer") == [])
    assert api(node.url, f"/people/{amina}/answers", page)["total"] == 1
