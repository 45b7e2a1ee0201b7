"""axe-core, run in Chromium on every screen of the student app (English and French),
finds no serious or critical violation; and the sign-in works with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.student import PICTURES, every_page


def violations(page, axe_js: str) -> list[str]:
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated by the browser's tools, not as a <script>: the node's CSP forbids
        # inline script, as it should; the test's own tool is not the page's script.
        page.evaluate(Path(axe_js).read_text() + "\n;typeof window.axe")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_on_every_screen(node, device, axe_js, language):
    page = device.new_page()
    found, screens = {}, []
    for screen in every_page(page, node.url, language):
        screens.append(screen)
        problems = violations(page, axe_js)
        if problems:
            found[screen] = problems
    assert len(screens) >= 12
    assert found == {}
    # The check can fail: a button without a name is a critical violation.
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    assert any(v.startswith("button-name") for v in violations(page, axe_js))


@pytest.mark.slow
def test_keyboard_alone_signs_in_and_answers(node, device):
    page = device.new_page()
    page.goto(node.url + "/student/")
    page.wait_for_selector(".choices button")

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(".choices button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".students")
    tab_to(".students li:first-child button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".picture-grid")
    for key in PICTURES:
        tab_to(f'[data-picture="{key}"]')
        page.keyboard.press("Enter")
    # After the third picture the focus is already on "Sign in".
    assert page.evaluate("document.activeElement.classList.contains('primary')")
    page.keyboard.press("Enter")
    page.wait_for_selector("section.recommendations")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    tab_to("section.recommendations a.kind-quiz")
    page.keyboard.press("Enter")
    page.wait_for_selector("form.item")
    # Focus lands in the answer; arrows pick a choice, Enter checks.
    assert page.evaluate("document.activeElement.tagName") == "INPUT"
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_selector("form.item[data-result]")
