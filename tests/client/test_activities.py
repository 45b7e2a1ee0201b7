"""Every activity kind plays: a practice set counts down its mastery rule, a project and
a reflection reach the node, a reading plays its audio and a video its captions."""

from __future__ import annotations

import pytest

from tests.helpers.student import answer_item, api, current_item, finish, next_item, right, sign_in


def open_activity(page, activity_id: str) -> None:
    page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", activity_id)
    page.wait_for_selector(f'article.activity[data-activity="{activity_id}"] .work > *')


@pytest.mark.slow
def test_every_kind(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    person = api(node.url, "/auth/me", page)["person"]["id"]

    # Practice: "k more right to master", m of the last n (server/learning/tracing.py).
    open_activity(page, "baobab-sample:letter-sounds-practice-en")
    rule = page.locator("p.rule")
    assert "Get 5 right out of your last 6." in rule.inner_text()
    needed = [int(rule.get_attribute("data-needed"))]
    while page.locator("form.item").count():
        assert answer_item(page, right(current_item(page))) == "true"
        needed.append(int(rule.get_attribute("data-needed")))
        next_item(page)
    assert needed == [5, 4, 3, 2, 1, 0]
    assert "You mastered it!" in rule.inner_text()
    finish(page)

    # A project: a text answer (and a photo kept on the tablet) handed in.
    open_activity(page, "baobab-sample:project-count-animals-en")
    page.locator("textarea[name=text]").fill("I counted 7 goats and 4 hens.")
    page.locator("input[name=confidence][value='3']").check()
    page.locator("form.reflect button[type=submit]").click()
    page.wait_for_selector("section.done")

    # A reflection: confidence 1-4 and a sentence; nothing picked is refused kindly.
    open_activity(page, "baobab-sample:reflection-numbers-en")
    page.locator("textarea[name=text]").fill("Adding is easy now.")
    page.locator("form.reflect button[type=submit]").click()
    assert page.locator("form.reflect p.error").inner_text() == "Pick how sure you feel first."
    page.locator("input[name=confidence][value='4']").check()
    page.locator("form.reflect button[type=submit]").click()
    page.wait_for_selector("section.done")

    page.wait_for_function("() => document.querySelector('#outbox').dataset.waiting === '0'")
    reflections = api(node.url, f"/people/{person}/reflections", page)["items"]
    assert sorted((r["activity_id"], r["confidence"], r["text"]) for r in reflections) == [
        ("baobab-sample:project-count-animals-en", 3, "I counted 7 goats and 4 hens."),
        ("baobab-sample:reflection-numbers-en", 4, "Adding is easy now."),
    ]
    attempts = api(node.url, f"/people/{person}/attempts", page)["items"]
    assert len(attempts) == 3 and all(a["completed"] for a in attempts)

    # Media from the node's own files: a reading's audio, a video with captions.
    kinds = {a["kind"] for a in api(node.url, "/activities?per_page=500", page)["items"]}
    open_activity(page, "baobab-sample:read-simple-sentences-read-en")
    media = [("audio", "baobab-sample:read-simple-sentences-read-en")]
    if "video" in kinds:
        video = next(a for a in api(node.url, "/activities?kind=video&language=en", page)["items"])
        media.append(("video", video["id"]))
    for tag, activity_id in media:
        open_activity(page, activity_id)
        page.wait_for_function(
            f"() => document.querySelector('{tag}')?.readyState >= 1", timeout=20_000
        )
        if tag == "video":
            assert page.locator("video track[kind=captions]").count() == 1


@pytest.mark.slow
def test_continue_where_left_off(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    person = api(node.url, "/auth/me", page)["person"]["id"]
    quiz = "baobab-sample:count-to-10-quiz-en"
    open_activity(page, quiz)
    assert answer_item(page, right(current_item(page))) == "true"
    page.locator("nav a[href='#/home']").click()
    page.wait_for_selector("section.continue")
    page.locator(f'section.continue a[data-activity="{quiz}"]').click()
    page.wait_for_selector("form.item")
    assert current_item(page).endswith(":q2")  # where it was left off
    next_item_count = 0
    while page.locator("form.item").count():
        assert answer_item(page, right(current_item(page))) == "true"
        next_item(page)
        next_item_count += 1
    finish(page)
    page.wait_for_function("() => document.querySelector('#outbox').dataset.waiting === '0'")
    # One attempt, begun at the first opening, holds the answers of both sittings.
    attempts = api(node.url, f"/people/{person}/attempts", page)["items"]
    answers = api(node.url, f"/people/{person}/answers", page)["items"]
    assert len(attempts) == 1 and attempts[0]["completed"]
    assert {a["attempt_id"] for a in answers} == {attempts[0]["id"]}
    assert len(answers) == 1 + next_item_count == 5
    page.locator("section.done a").click()
    page.wait_for_selector("section.recommendations")
    assert page.locator("section.continue").count() == 0
