"""The student's journey in real Chromium: picture-password sign-in, a goal, a
recommended quiz with one wrong answer (feedback, hint) then right, finish, and
progress and mastery changed on home. Also at a phone viewport with the CPU 4× slower."""

from __future__ import annotations

import pytest

from tests.helpers.nodes import wait_for
from tests.helpers.student import (
    answer_all_right,
    answer_item,
    api,
    current_item,
    finish,
    next_item,
    right,
    sign_in,
    wrong,
)


def skill_state(page, skill_id: str) -> tuple[int, int]:
    """(stars, bar value) of a skill on home."""
    row = page.locator(f'li.skill[data-skill="{skill_id}"]')
    return int(row.get_attribute("data-stars")), int(row.locator("progress").get_attribute("value"))


@pytest.mark.slow
@pytest.mark.parametrize("device_kind", ["tablet", "phone-cpu4x"])
def test_journey(node, chromium, device_kind):
    if device_kind == "phone-cpu4x":
        context = chromium.new_context(
            viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
            device_scale_factor=2,
        )  # fmt: skip
    else:
        context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(30_000)
    page = context.new_page()
    if device_kind == "phone-cpu4x":
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    errors, requested = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    context.on("request", lambda r: requested.append(r.url))

    sign_in(page, node.url, wrong_first=True)
    assert page.locator("h1").inner_text() == "Hello, Amina!"

    # A goal for this week: learn the skill of the quiz we are about to do.
    card = page.locator("section.recommendations a.kind-quiz").first
    activity_id = card.get_attribute("data-activity")
    reason = page.locator(
        f'section.recommendations li:has(a[data-activity="{activity_id}"]) .reason'
    )
    assert reason.inner_text().strip()  # a reason in plain words
    detail = api(node.url, f"/activities/{activity_id}", page)
    skill_id = detail["skills"][0]
    page.locator("nav a[href='#/goals']").click()
    page.locator("select[name=kind]").select_option("master_skill")
    page.locator("select[name=skill_id]").select_option(skill_id)
    page.locator("form.goal-form button[type=submit]").click()
    page.wait_for_selector("li.goal")
    page.locator("nav a[href='#/home']").click()
    page.wait_for_selector("section.recommendations")
    goal_before = int(page.locator("li.goal progress").first.get_attribute("value"))
    stars_before, bar_before = skill_state(page, skill_id)
    assert (stars_before, bar_before) == (0, 0)

    page.locator(f'section.recommendations a[data-activity="{activity_id}"]').click()
    page.wait_for_selector("form.item")
    item_id = current_item(page)
    assert answer_item(page, wrong(item_id)) == "false"
    feedback = page.locator("form.item .feedback")
    # A node slower than the app's 1.2 s grace leaves the tablet to check, and it says so after.
    assert feedback.inner_text().startswith("Not yet. Try again!")
    assert page.locator("form.item button.next").is_hidden()  # wrong: try again, not next
    page.locator("form.item button.hint").click()
    assert page.locator("form.item .hints li").count() == 1
    assert answer_item(page, right(item_id)) == "true"
    assert feedback.inner_text().startswith("Yes! That is right.")
    next_item(page)
    answered = answer_all_right(page)
    finish(page)
    page.locator("section.done a").click()
    page.wait_for_selector("section.recommendations")

    stars_after, bar_after = skill_state(page, skill_id)
    assert stars_after > stars_before and bar_after > bar_before
    goal_after = int(page.locator("li.goal progress").first.get_attribute("value"))
    assert goal_after > goal_before
    # Everything sent: the outbox empties (the last of it may still be on its way home).
    page.wait_for_selector("#outbox[data-waiting='0']", state="attached")

    # The node holds the answers (one wrong with its hint, then the right ones) and the attempt.
    person = api(node.url, "/auth/me", page)["person"]["id"]
    answers = api(node.url, f"/people/{person}/answers?per_page=100", page)["items"]
    first = [a for a in answers if a["item_id"] == item_id]
    assert sorted((a["correct"], a["hints_used"]) for a in first) == [(False, 0), (True, 1)]
    assert len(answers) == 2 + answered
    # The attempt leaves the tablet when the activity ends: the home may have opened first.
    def attempts():
        items = api(node.url, f"/people/{person}/attempts", page)["items"]
        return [(a["activity_id"], a["completed"]) for a in items]

    wait_for(lambda: attempts() != [], timeout=30, step=0.2)
    assert attempts() == [(activity_id, True)]

    # Their own history shows it.
    page.locator("nav a[href='#/history']").click()
    page.wait_for_selector("li.attempt")
    assert page.locator(f'li.attempt[data-activity="{activity_id}"]').count() == 1
    # Stays signed in: a reload (or a browser restart: the cookie is permanent) opens home.
    page.reload()
    page.wait_for_selector("li.attempt")
    assert errors == []
    # No request leaves the node (the LAN): no CDN, font service or analytics.
    assert requested and all(
        u.startswith(node.url + "/") or u.startswith("data:") for u in requested
    )
    context.close()
