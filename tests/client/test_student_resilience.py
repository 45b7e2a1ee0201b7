"""The student app under what a classroom does to it (issue 13, items 9-11): a node that
accepts connections and never answers, the next student signing in while the node is
away, storage cleared or closed under the page. Each ends with every answer on the node
exactly once, under the right student."""

from __future__ import annotations

import signal

import pytest

from server.services.demo import DEMO_TEACHER
from tests.helpers.nodes import Browser, wait_for
from tests.helpers.student import (
    answer_item,
    api,
    current_item,
    next_item,
    right,
    sign_in,
)

from .test_offline import OUTBOX_IDS, waiting


def open_first_quiz(page) -> None:
    page.locator("section.recommendations a.kind-quiz").first.click()
    page.wait_for_selector("form.item")


def answers_of(node, person: str, page) -> list[str]:
    return sorted(a["id"] for a in api(node.url, f"/people/{person}/answers?per_page=500", page)["items"])


def staff_answers(node, person: str) -> list[str]:
    """The node's record, read as the demo teacher (whoever the tablet's cookie is)."""
    teacher = Browser(node.url)
    teacher.login(*DEMO_TEACHER)
    status, body = teacher.call("GET", f"/api/v1/people/{person}/answers?per_page=500")
    assert status == 200, body
    return sorted(a["id"] for a in body["items"])


@pytest.mark.slow
def test_hanging_node_cannot_freeze_the_child(node, device):
    page = device.new_page()
    page.clock.install()
    sign_in(page, node.url)
    page.wait_for_selector("body[data-offline-ready=true]")
    amina = api(node.url, "/auth/me", page)["person"]["id"]
    open_first_quiz(page)
    # The node accepts connections and never answers; the page's clock stands still, so
    # only what the app does at once (or within a moment it waits by design) shows.
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    node.proc.send_signal(signal.SIGSTOP)
    try:
        form = page.locator("form.item").last
        form.locator("label.choice").nth(int(right(current_item(page)))).click()
        form.locator("button.check").click()
        page.wait_for_function("() => !!document.querySelector('form.item')")
        page.clock.run_for(1500)  # less than any request timeout: the node is never given up
        page.wait_for_selector("form.item[data-result=true]")
        assert form.get_attribute("data-checked-by") == "device"
        assert not form.locator("button.check").is_disabled()
        queued = [i for i, p, _ in page.evaluate(OUTBOX_IDS, "answer")]
        assert len(queued) == 1

        # Home reloaded with the node hanging opens, not a blank page.
        # (7 s of the page's time at most: less than one request's timeout, 8 s.)
        page.goto(node.url + "/student/#/home")
        for _ in range(14):
            if page.locator("section.recommendations").count():
                break
            page.clock.run_for(500)
            page.wait_for_timeout(300)
        page.wait_for_selector("section.recommendations", timeout=5000)
    finally:
        node.proc.send_signal(signal.SIGCONT)
    page.clock.resume()
    assert wait_for(lambda: waiting(page) == 0, timeout=60, step=0.5)
    assert staff_answers(node, amina) == sorted(queued)
