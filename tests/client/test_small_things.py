"""Small things a child hits (issue 13 items 7 and 12), in real Chromium: "Home" on the
"Well done!" screen, the "Continue" card when the app reopens offline, no raw id as a
title for an activity the tablet does not keep, and a video as wide as its column."""

from __future__ import annotations

import pytest

from tests.helpers.student import answer_item, api, current_item, right, sign_in


@pytest.fixture
def plain_tablet(chromium):
    """A tablet on plain http at a LAN address: no service worker (blocked, as there)."""
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, service_workers="block")
    context.set_default_timeout(20_000)
    yield context
    context.close()


def _first(node, page, kind: str) -> str:
    return api(node.url, f"/activities?kind={kind}&language=en", page)["items"][0]["id"]


@pytest.mark.slow
def test_home_in_the_menu_works_on_the_well_done_screen(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    reflection = _first(node, page, "reflection")

    def well_done() -> None:
        page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", reflection)
        page.locator("input[name=confidence]").first.check()
        page.locator("form.reflect button[type=submit]").click()
        page.wait_for_selector("section.done")

    well_done()
    page.locator("#nav a[href='#/home']").click()  # the address already says #/home
    page.wait_for_selector("section.recommendations")
    assert page.locator("section.done").count() == 0
    # And the big button of the done screen too.
    well_done()
    page.locator("section.done a.button").click()
    page.wait_for_selector("section.recommendations")


@pytest.mark.slow
def test_reopened_offline_home_has_a_continue_card(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    page.wait_for_selector("body[data-offline-ready=true]")
    quiz = page.locator("section.recommendations a.kind-quiz").first.get_attribute("data-activity")
    page.locator(f'a[data-activity="{quiz}"]').first.click()
    page.wait_for_selector("form.item")
    title = page.locator("article h1").inner_text()
    assert answer_item(page, right(current_item(page))) == "true"
    node.stop()
    page.evaluate("location.hash = '#/home'")
    page.reload()  # reopened with the node away: the service worker's shell, the tablet's home
    page.wait_for_selector("section.recommendations")
    assert page.locator("p.notice").count() == 1
    card = page.locator("section.continue a.activity")
    assert card.get_attribute("data-activity") == quiz
    assert card.inner_text() == title


@pytest.mark.slow
def test_activity_not_kept_never_shows_its_raw_id(node, plain_tablet):
    page = plain_tablet.new_page()
    sign_in(page, node.url)
    listed = page.locator("section.recommendations a.activity").first
    listed_id, listed_title = listed.get_attribute("data-activity"), listed.inner_text()
    # One activity played while the node answered (so the page has the play screen's code).
    page.locator("section.recommendations a.activity").nth(1).click()
    page.wait_for_selector("article .work > *")
    page.evaluate("location.hash = '#/home'")
    page.wait_for_selector("section.recommendations")
    node.stop()
    # Listed on home but not kept (plain http keeps nothing): its title, as home showed it.
    page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", listed_id)
    page.wait_for_selector("main p[role=alert]")
    assert page.locator("main h1").inner_text() == listed_title
    # Never seen on this tablet: a plain "An activity", not "baobab-sample:…".
    page.evaluate("location.hash = '#/play/baobab-sample%3Acompare-numbers-quiz-fr'")
    page.wait_for_function("() => document.querySelector('main h1').textContent === 'An activity'")
    assert "baobab-sample" not in page.locator("main").inner_text()


@pytest.mark.slow
def test_video_fills_the_width_it_has(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    video = _first(node, page, "video")
    for width in (1024, 420):
        page.set_viewport_size({"width": width, "height": 768})
        page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", video)
        page.wait_for_selector("article video")
        page.wait_for_function("() => document.querySelector('article video').readyState >= 1")
        shown = page.locator("article video").bounding_box()
        column = page.locator("article .body").bounding_box()
        assert abs(shown["width"] - column["width"]) <= 2, (width, shown, column)
        page.evaluate("location.hash = '#/home'")
        page.wait_for_selector("section.recommendations")
