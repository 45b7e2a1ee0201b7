"""A teacher reads and edits a student's learner profile on the student page, in real
Chromium: interests, what motivates them, ways of learning, languages, accommodations and
notes. What the child set meanwhile on their own "Me" screen is not written over; the
accommodations change the child's app; earlier versions are listed; an edit the node does
not receive stays on the form; axe-core and French on the open form."""

from __future__ import annotations

import pytest

from tests.helpers.student import api
from tests.helpers.student import sign_in as student_sign_in
from tests.helpers.teacher import sign_in

from .test_accessibility import violations
from .test_languages import unfilled
from .test_teacher_app import no_horizontal_scroll
from .test_teacher_goals import _amina
from .test_teacher_undo import _context


def _open(page, base: str, student: str) -> None:
    page.goto(f"{base}/teacher/#/learner/{student}")
    page.wait_for_selector("section.profile-section button.edit-profile")


def _edit(page):
    """Open the profile's form with the keyboard; return it."""
    page.locator("button.edit-profile").focus()
    page.keyboard.press("Enter")
    form = page.locator("form.profile-form")
    form.wait_for(state="visible")
    return form


def _shown(page) -> dict[str, str]:
    """The profile as the page reads it out, by field."""
    page.wait_for_selector("dl.profile dd[data-field=notes]")
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('dl.profile dd')]
            .map((dd) => [dd.dataset.field, dd.textContent]))"""
    )


def _child_likes_to_listen(chromium, base: str):
    """Amina, on her tablet's "Me" screen, says she likes to learn by listening."""
    tablet = _context(chromium)
    child = tablet.new_page()
    student_sign_in(child, base)
    child.evaluate("location.hash = '#/me'")
    child.locator("form.me-form input[value=listen]").check()
    child.locator("form.me-form button[type=submit]").click()
    child.wait_for_selector("form.me-form[data-saved=true]")
    return tablet, child


@pytest.mark.slow
def test_a_teacher_edits_the_profile_and_the_childs_own_choices_stay(node, chromium, axe_js):
    context = _context(chromium)
    page = context.new_page()
    sign_in(page, node.url)
    amina = _amina(page, node.url)
    _open(page, node.url, amina)
    assert set(_shown(page).values()) == {"–"}
    form = _edit(page)
    # While the teacher's form is open, the child changes her own ways of learning.
    tablet, child = _child_likes_to_listen(chromium, node.url)
    form.locator("input[name=interests]").fill("football, drawing, Football, ")
    form.locator("input[name=motivations]").fill("stars")
    form.locator("input[name=accommodations][value=larger_text]").check()
    form.locator("input[name=accommodations][value=extra_time]").check()
    form.locator("textarea[name=notes]").fill("Sits near the front.")
    form.locator("button.save-profile").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("p.profile-notice:has-text('Profile saved.')")
    shown = _shown(page)
    assert shown["interests"] == "football, drawing"  # the repeat and the empty one dropped
    assert shown["motivations"] == "stars"
    assert shown["accommodations"] == "No time pressure, Larger text"
    assert shown["notes"] == "Sits near the front."
    # The teacher did not touch the ways of learning: the child's choice is kept.
    assert shown["modalities"] == "Listening"
    profile = api(node.url, f"/people/{amina}/profile", page)
    assert profile["modalities"] == ["listen"] and profile["interests"] == ["football", "drawing"]
    assert profile["accommodations"] == ["extra_time", "larger_text"]

    # The child's app follows the accommodations from her next screen.
    child.evaluate("location.hash = '#/home'")
    child.reload()
    child.wait_for_selector("section.recommendations")
    classes = child.evaluate("[...document.body.classList]")
    assert {"larger-text", "no-time-pressure"} <= set(classes), classes
    tablet.close()

    # The version the teacher's edit replaced (the child's) is listed, with what it held.
    history = page.locator("details.profile-history")
    assert history.locator("summary").inner_text() == "Earlier versions (1)"
    history.locator("summary").click()
    earlier = history.locator("li").first.inner_text()
    assert earlier.startswith("Version of") and "Interests: –" in earlier
    assert "Accommodations: –" in earlier and "How they like to learn" not in earlier

    # Saving what is already saved says so and sends nothing.
    form = _edit(page)
    form.locator("button.save-profile").click()
    assert form.locator("p.error").inner_text() == "Nothing has changed."

    # Cancel puts the form back as the node has it: words, ticks and notes.
    form.locator("input[name=interests]").fill("music")
    form.locator("input[name=accommodations][value=larger_text]").uncheck()
    form.locator("input[name=modalities][value=read]").check()
    form.locator("textarea[name=notes]").fill("")
    form.locator("button[type=reset]").click()
    form.wait_for(state="hidden")
    form = _edit(page)
    assert form.locator("input[name=interests]").input_value() == "football, drawing"
    assert form.locator("input[name=accommodations][value=larger_text]").is_checked()
    assert form.locator("input[name=modalities][value=listen]").is_checked()
    assert not form.locator("input[name=modalities][value=read]").is_checked()
    assert form.locator("textarea[name=notes]").input_value() == "Sits near the front."

    # An edit the node never receives stays on the form, to send again.
    page.route("**/api/v1/people/*/profile", lambda route: route.abort())
    form.locator("input[name=interests]").fill("music, dance")
    form.locator("button.save-profile").click()
    form.locator("p.error:not(:empty)").wait_for()
    assert (
        form.is_visible() and form.locator("input[name=interests]").input_value() == "music, dance"
    )
    page.unroute("**/api/v1/people/*/profile")
    form.locator("button.save-profile").click()
    page.wait_for_selector("p.profile-notice:has-text('Profile saved.')")
    assert _shown(page)["interests"] == "music, dance"
    assert page.locator("details.profile-history summary").inner_text() == "Earlier versions (2)"

    _edit(page)
    assert violations(page, axe_js) == []
    context.close()


@pytest.mark.slow
def test_the_profile_form_in_french_on_a_phone(node, chromium, axe_js):
    context = _context(chromium, width=360, height=640)
    page = context.new_page()
    sign_in(page, node.url, language="fr")
    _open(page, node.url, _amina(page, node.url))
    form = _edit(page)
    text = page.locator("section.profile-section").inner_text()
    assert "Aménagements" in text and "Lecture à voix haute" in text
    assert "Accommodations" not in text and unfilled(page) == []
    assert no_horizontal_scroll(page)  # the accommodations' words wrap on a phone
    # Languages are named in the teacher's language.
    assert form.locator("fieldset.profile-languages").inner_text().count("anglais") == 1
    assert violations(page, axe_js) == []
    # The printable plan, from its link, in the teacher's language too.
    page.locator("a.plan-link").click()
    page.wait_for_selector("main.plan h1")
    assert page.locator("main.plan h1").inner_text().startswith("Plan d'apprentissage individuel")
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert violations(page, axe_js) == []
    context.close()
