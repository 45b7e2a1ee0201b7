"""Finishing means something (issue 13, item 3): "I have finished" appears only once
there is something to finish, and a quiz left with no answer is neither "Well done!"
nor listed as finished."""

from __future__ import annotations

import pytest

from tests.helpers.nodes import wait_for
from tests.helpers.student import answer_item, api, current_item, finish, right, sign_in, wrong

from .test_offline import waiting

POST_ATTEMPT = """async (attempt) => {
  const me = await (await fetch("/api/v1/auth/me")).json();
  const reply = await fetch("/api/v1/attempts", { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
    body: JSON.stringify(attempt) });
  return reply.status;
}"""


def open_first_quiz(page) -> str:
    quiz = page.locator("section.recommendations a.kind-quiz").first
    activity = quiz.get_attribute("data-activity")
    quiz.click()
    page.wait_for_selector("form.item")
    return activity


@pytest.mark.slow
def test_unanswered_quiz_cannot_be_finished(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    open_first_quiz(page)
    finish_button = page.locator("button.finish")
    assert finish_button.count() == 1 and finish_button.is_hidden()  # nothing to finish yet
    # Even pressed by a script, nothing is marked finished and no "Well done!" shows.
    page.evaluate("() => document.querySelector('button.finish').click()")
    assert page.locator("section.done").count() == 0
    assert wait_for(lambda: waiting(page) == 0)
    person = api(node.url, "/auth/me", page)["person"]["id"]
    assert api(node.url, f"/people/{person}/attempts", page)["total"] == 0

    # One answer (even a wrong one) is something to finish.
    assert answer_item(page, wrong(current_item(page))) == "false"
    assert finish_button.is_visible()
    assert answer_item(page, right(current_item(page))) == "true"
    finish(page)
    assert page.locator("section.done h1").inner_text() == "Well done!"


@pytest.mark.slow
def test_quiz_closed_without_answers_is_not_listed_finished(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    activity = open_first_quiz(page)
    # An attempt marked completed with no answer (as an older app could send).
    empty = {"id": "emptyAttempt0000000001", "activity_id": activity, "started_ms": 1,
             "ended_ms": 2, "completed": True}  # fmt: skip
    assert page.evaluate(POST_ATTEMPT, empty) == 201
    page.evaluate("location.hash = '#/history'")
    row = page.locator(f'li.attempt[data-activity="{activity}"]')
    row.first.wait_for()
    assert row.count() == 1
    assert row.get_attribute("data-finished") == "false"
    assert "Not finished" in row.inner_text()
