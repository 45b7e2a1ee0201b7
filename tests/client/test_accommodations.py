"""Accommodations act (issue 13 item 5), in real Chromium: what a teacher records in the
learner profile changes what the child sees on every screen (larger text, more contrast,
fewer choices, no time pressure, read-aloud exposed for the read-aloud buttons); a student
sets their own interests, ways of learning and languages on the "Me" screen."""

from __future__ import annotations

import pytest

from tests.client.test_accessibility import violations
from tests.helpers.nodes import Browser
from tests.helpers.student import KEYS, api, sign_in

QUIZ = "baobab-sample:compare-numbers-quiz-en"  # its first item: a choice of three
EVERY = ["read_aloud", "extra_time", "larger_text", "fewer_choices", "high_contrast"]
CLASSES = ["read-aloud", "no-time-pressure", "larger-text", "fewer-choices", "high-contrast"]
SCREENS = ["#/home", f"#/play/{QUIZ}", "#/goals", "#/history", "#/me"]


def _look(page) -> dict:
    """What the test sees of the accommodations on the current screen."""
    return page.evaluate(
        """() => ({
          classes: [...document.body.classList],
          fontSize: parseFloat(getComputedStyle(document.body).fontSize),
          ink: getComputedStyle(document.body).color,
          paper: getComputedStyle(document.body).backgroundColor,
        })"""
    )


def _show(page, route: str) -> None:
    page.evaluate("(r) => { location.hash = r; }", route)
    page.wait_for_function(
        "() => !document.querySelector('main[aria-busy]') && document.querySelector('main h1')"
    )
    page.wait_for_function("() => document.querySelector('main h1').textContent !== '…' ")


def _set(node, person_id: str, accommodations: list[str]) -> None:
    teacher = Browser(node.url)
    teacher.login("teacher", "baobab-teacher")
    status, body = teacher.call(
        "PATCH", f"/api/v1/people/{person_id}/profile", {"accommodations": accommodations}
    )
    assert status == 200, body


def _choices_of_first_item(page) -> list[int]:
    page.evaluate("(r) => { location.hash = r; }", f"#/play/{QUIZ}")
    page.wait_for_selector(f'article[data-activity="{QUIZ}"] form.item')
    return [
        int(v)
        for v in page.eval_on_selector_all(
            "form.item input[type=radio]", "els => els.map(e => e.value)"
        )
    ]


@pytest.mark.slow
def test_each_accommodation_changes_what_the_child_sees(node, device, axe_js):
    teacher = Browser(node.url)
    teacher.login("teacher", "baobab-teacher")
    page = device.new_page()
    sign_in(page, node.url)
    me = api(node.url, "/auth/me", page)
    person = me["person"]["id"]
    assert not any(me["accommodations"].values())
    # A due date and minutes, so there is time pressure to take away.
    classes = teacher.call("GET", "/api/v1/classes")[1]
    acacia = next(c for c in classes if c["name"] == "Acacia class")
    status, _ = teacher.call(
        "POST",
        f"/api/v1/classes/{acacia['id']}/assignments",
        {
            "activity_id": "baobab-sample:letter-sounds-quiz-en",
            "person_id": person,
            "due_on": "2030-01-31",
        },
    )
    assert status == 201
    page.reload()
    page.wait_for_selector("section.recommendations")
    before = _look(page)
    meta = page.locator("main .card .meta").all_inner_texts()
    assert any(" min" in m for m in meta) and any("Due" in m for m in meta)
    all_choices = _choices_of_first_item(page)
    assert all_choices == [0, 1, 2]

    _set(node, person, EVERY)
    page.evaluate("location.hash = '#/home'")
    page.reload()  # the session (GET /auth/me) brings them
    page.wait_for_selector("section.recommendations")
    after = _look(page)
    assert set(CLASSES) <= set(after["classes"])
    # Larger text.
    assert after["fontSize"] >= before["fontSize"] * 1.2
    # More contrast: black on white.
    assert (after["ink"], after["paper"]) == ("rgb(0, 0, 0)", "rgb(255, 255, 255)")
    assert (before["ink"], before["paper"]) != (after["ink"], after["paper"])
    # No time pressure: no minutes, no due dates.
    meta = page.locator("main .card .meta").all_inner_texts()
    assert meta and not any(" min" in m or "Due" in m for m in meta)
    assert violations(page, axe_js) == []
    # Fewer choices per item: two of three, the right one among them, still right.
    shown = _choices_of_first_item(page)
    item = page.locator("form.item").get_attribute("data-item")
    assert len(shown) == 2 and KEYS[item]["answer"] in shown
    page.locator(f'form.item input[value="{KEYS[item]["answer"]}"]').check()
    page.locator("form.item button.check").click()
    page.wait_for_selector("form.item[data-result=true]")
    assert violations(page, axe_js) == []
    # Read-aloud on by default: in the session payload the read-aloud buttons read.
    assert api(node.url, "/auth/me", page)["accommodations"]["read_aloud"] is True
    assert page.evaluate(
        "JSON.parse(localStorage.getItem('baobab.session')).accommodations.read_aloud"
    )
    # On every screen.
    for route in SCREENS:
        _show(page, route)
        assert set(CLASSES) <= set(_look(page)["classes"]), route

    # Taken off by the teacher: home brings the change without signing in again.
    _set(node, person, ["larger_text"])
    _show(page, "#/goals")
    _show(page, "#/home")
    page.wait_for_function("() => !document.body.classList.contains('high-contrast')")
    assert "larger-text" in _look(page)["classes"]
    assert not {"fewer-choices", "no-time-pressure", "read-aloud"} & set(_look(page)["classes"])

    # The next student on the tablet does not inherit them.
    page.locator("#signout").click()
    page.wait_for_selector(".students")
    assert not set(CLASSES) & set(_look(page)["classes"])


@pytest.mark.slow
def test_me_screen_saves_interests_ways_and_languages(node, device, axe_js):
    page = device.new_page()
    sign_in(page, node.url)
    page.locator("#nav a[href='#/me']").click()
    form = page.locator("form.me-form")
    form.wait_for()
    assert page.locator("main h1").inner_text() == "All about me"
    assert violations(page, axe_js) == []
    form.locator("input[name=interests]").fill("birds, football,  birds , drums")
    form.locator("input[name=modality][value=watch]").check()
    form.locator("input[name=modality][value=do]").check()
    form.locator("input[name=language][value=fr]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("form.me-form[data-saved=true]")
    assert page.locator("form.me-form [role=status]").inner_text() == "Saved!"
    person = api(node.url, "/auth/me", page)["person"]["id"]
    profile = api(node.url, f"/people/{person}/profile", page)
    assert profile["interests"] == ["birds", "football", "drums"]
    assert set(profile["modalities"]) == {"watch", "do"}
    assert profile["languages"] == ["fr"]
    page.reload()
    page.locator("form.me-form").wait_for()
    assert page.locator("input[name=interests]").input_value() == "birds, football, drums"
    assert page.locator("input[name=modality][value=watch]").is_checked()
    assert page.locator("input[name=language][value=fr]").is_checked()
    assert not page.locator("input[name=modality][value=read]").is_checked()


@pytest.mark.slow
def test_fewer_choices_never_hides_a_right_one_nor_leaves_only_right_ones(node, device):
    page = device.new_page()
    page.goto(node.url + "/student/")
    page.wait_for_selector(".choices button")
    shown = page.evaluate(
        """async () => {
          const { sha256Hex } = await import('/client/student/check.js');
          const { shownChoices } = await import('/client/student/play.js');
          const item = (n, right) => ({ id: `p:a:i${n}${right}`, type: 'choice',
            choices: [...Array(n)].map((_, i) => `c${i}`),
            check: { hashes: right.map((r) => sha256Hex(`p:a:i${n}${right}\\n${r}`)) } });
          return [shownChoices(item(4, [1]), true), shownChoices(item(4, [0, 2]), true),
            shownChoices(item(5, [4]), true), shownChoices(item(3, [2]), false),
            shownChoices({ id: 'x', type: 'choice', choices: ['a', 'b', 'c'] }, true)];
        }"""
    )
    one_of_four, two_of_four, one_of_five, not_asked, uncheckable = shown
    assert len(one_of_four) == 2 and 1 in one_of_four
    assert len(two_of_four) == 3 and {0, 2} < set(two_of_four)
    assert len(one_of_five) == 3 and 4 in one_of_five
    assert not_asked == [0, 1, 2] and uncheckable == [0, 1, 2]
