"""Offline-first in real Chromium: with the node stopped the app opens from its
service worker and the student's activities play; answers wait in the IndexedDB
outbox, survive a reload, and reach the node exactly once each when it is back."""

from __future__ import annotations

import pytest

from tests.helpers.nodes import ServedNode, wait_for
from tests.helpers.student import (
    answer_all_right,
    answer_item,
    api,
    current_item,
    finish,
    right,
    sign_in,
)

OUTBOX_IDS = """async (kind) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("baobab"); r.onsuccess = () => ok(r.result); r.onerror = no; });
  const all = await new Promise((ok) => { const r = db.transaction("outbox").objectStore("outbox").getAll(); r.onsuccess = () => ok(r.result); });
  return all.filter((r) => !kind || r.kind === kind).map((r) => [r.id, r.person_id, r.state]);
}"""


def waiting(page) -> int:
    return int(page.locator("#outbox").get_attribute("data-waiting") or 0)


@pytest.mark.slow
def test_offline_journey(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    page.wait_for_selector("body[data-offline-ready=true]")
    person = api(node.url, "/auth/me", page)["person"]["id"]
    cards = page.locator("section.recommendations a.activity")
    first = page.locator("section.recommendations a.kind-quiz").first.get_attribute("data-activity")
    second = next(
        a for a in (cards.nth(i).get_attribute("data-activity") for i in range(cards.count()))
        if a != first and "read" in a
    )  # fmt: skip

    node.stop()
    # Activity one, with the node away: answers are saved, and checked on the tablet.
    page.locator(f'a[data-activity="{first}"]').click()
    page.wait_for_selector("form.item")
    assert answer_item(page, right(current_item(page))) == "true"
    assert "Checked on this tablet" in page.locator("form.item .feedback").inner_text()
    page.locator("form.item button.next").click()
    answer_all_right(page)
    finish(page)
    # The indicator's count is read from the tablet's store just after the page shows "done".
    page.wait_for_function("() => +document.querySelector('#outbox').dataset.waiting >= 6")

    # Reload with the node away: the shell comes from the service worker, the
    # session and home from the tablet, and the next activity still plays.
    page.reload()
    page.wait_for_selector("section.recommendations")
    assert page.locator("p.notice").count() == 1
    page.locator(f'a[data-activity="{second}"]').first.click()
    page.wait_for_selector("form.item")
    answer_all_right(page)
    finish(page)
    queued = page.evaluate(OUTBOX_IDS, "answer")
    assert len(queued) >= 7 and {p for _, p, _ in queued} == {person}
    stored = len(page.evaluate(OUTBOX_IDS, None))
    page.wait_for_function("n => +document.querySelector('#outbox').dataset.waiting === n", arg=stored)

    # The node comes back on the same port and data: the outbox empties.
    back = ServedNode(node.data_dir, port=node.port).start()
    try:
        assert wait_for(lambda: waiting(page) == 0, timeout=60, step=0.5)
        answers = api(node.url, f"/people/{person}/answers?per_page=500", page)["items"]
        assert sorted(a["id"] for a in answers) == sorted(i for i, _, _ in queued)
        attempts = api(node.url, f"/people/{person}/attempts", page)["items"]
        assert sorted(a["activity_id"] for a in attempts) == sorted([first, second])
        # The same id posted again is one event on the node.
        again = page.evaluate(
            """async (id) => { const [r] = await Promise.all([fetch("/api/v1/answers", {method: "POST",
                 headers: {"Content-Type": "application/json", "X-CSRF-Token": JSON.parse(localStorage.getItem("baobab.session")).csrf},
                 body: JSON.stringify((await (await fetch(`/api/v1/people/${id[1]}/answers?per_page=500`)).json()).items
                   .filter((a) => a.id === id[0]).map((a) => ({id: a.id, item_id: a.item_id, attempt_id: a.attempt_id,
                     response: a.response, hints_used: a.hints_used, duration_ms: a.duration_ms, device_ms: a.device_ms}))[0])})]);
               return [r.status, await r.json()]; }""",
            [queued[0][0], person],
        )
        assert again[0] == 201 and again[1]["duplicate"] is True
        total = api(node.url, f"/people/{person}/answers?per_page=500", page)["total"]
        assert total == len(queued)
    finally:
        back.stop()
