"""The teacher app in real Chromium: staff sign-in, classes and students, a OneRoster
import previewed then done (and a bad one refused with its report), the live class view
following a student answering on another device; axe-core on every teacher screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.student import answer_item, api, current_item, wrong
from tests.helpers.student import sign_in as student_sign_in
from tests.helpers.teacher import ADMIN, bad_bundle, good_bundle, sign_in, upload

from .test_accessibility import violations
from .test_csp import policy_violations
from .test_languages import catalog, english_patterns, unfilled


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [(1024, 768), (360, 640)], ids=["laptop", "phone"])
def test_teacher_signs_in_sees_the_class_adds_and_edits_a_student(node, chromium, viewport):
    context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, node.url)
    assert page.locator("#who").inner_text() == "Mr Mensah"
    assert page.locator("#nav-roster").is_hidden()  # a teacher imports no roster
    names = page.locator("ul.classes li > a").all_inner_texts()
    assert names == ["Acacia class", "Baobab class"]
    page.locator("ul.classes a", has_text="Acacia class").click()
    page.wait_for_selector("table.students")
    assert page.locator("table.students tbody tr").count() == 13
    assert no_horizontal_scroll(page)
    # Regression: the actions cell was laid out as a flex box, not a table cell, so each
    # row's buttons sat lower than its name, off the row's lines.
    assert page.evaluate(
        """() => [...document.querySelectorAll("table.students tbody tr")].every((row) => {
             const [name, actions] = [row.querySelector("th"), row.querySelector("td.actions")];
             const [a, b] = [name.getBoundingClientRect(), actions.getBoundingClientRect()];
             return getComputedStyle(actions).display === "table-cell"
               && Math.abs(a.top - b.top) < 1 && Math.abs(a.bottom - b.bottom) < 1; })"""
    )
    assert "null" not in page.locator("main").inner_text()  # regression: an empty part shown
    # Add a student with a picture password, chosen with the keyboard.
    page.locator("form.new-student input[name=display_name]").fill("Ama Owusu")
    for key in ("sun", "moon", "star"):
        page.locator(f'form.new-student [data-picture="{key}"]').focus()
        page.keyboard.press("Enter")
    assert page.locator('form.new-student [aria-pressed="true"]').count() == 3
    page.locator("form.new-student button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelectorAll('table.students tbody tr').length === 14"
    )
    row = page.locator("table.students tbody tr", has_text="Ama Owusu")
    assert "Has a picture password" in row.inner_text()
    row.locator("a").click()  # the student: profile, goals, plan, work
    page.wait_for_selector("text=Edit name and pictures")
    assert page.locator("main h1").inner_text() == "Ama Owusu"
    page.locator("text=Edit name and pictures").click()
    page.wait_for_selector("form.edit-student")
    assert page.locator("a", has_text="Learning plan and work").is_visible()
    page.locator("input[name=display_name]").fill("Ama B. Owusu")
    page.locator("form.edit-student button[type=submit]").click()
    page.wait_for_selector("text=Saved: Ama B. Owusu.")
    assert page.locator("main h1").inner_text() == "Ama B. Owusu"
    assert no_horizontal_scroll(page)
    assert errors == []
    context.close()


@pytest.mark.slow
def test_the_roster_screen_offers_an_example_and_tells_a_teacher_who_imports(
    node, device, chromium
):
    page = device.new_page()
    sign_in(page, node.url)  # a teacher: the node refuses their import
    page.goto(node.url + "/teacher/#/roster")
    page.wait_for_selector("p.admins-only")
    assert page.locator("form.roster-form").count() == 0
    admins = chromium.new_context()  # a browser of its own: the teacher's is signed in
    admin = admins.new_page()
    sign_in(admin, node.url, ADMIN)
    admin.goto(node.url + "/teacher/#/roster")
    with admin.expect_download() as download:
        admin.locator("form.roster-form a.example").click()
    assert download.value.suggested_filename == "roster-example.csv"
    example = Path(download.value.path()).read_text(encoding="utf-8")
    assert example.startswith("class,given_name,family_name")
    admin.locator("input[type=file]").set_input_files(
        {"name": "roster-example.csv", "mimeType": "text/csv", "buffer": example.encode()}
    )
    admin.locator("button.preview").click()
    admin.wait_for_selector("h2.preview-title")  # the example reads without a problem
    admins.close()


@pytest.mark.slow
def test_admin_imports_a_oneroster_bundle_preview_then_result(node, device):
    page = device.new_page()
    sign_in(page, node.url, ADMIN)
    upload(page, good_bundle())
    page.wait_for_selector("h2.preview-title")
    students = page.locator('ul.counts li[data-kind="students"]').inner_text()
    assert "3 new" in students
    assert page.locator("table.changes").inner_text().count("New student") == 3
    # The preview changed nothing.
    assert "Mango class" not in [c["name"] for c in api(node.url, "/classes", page)]
    page.locator("button.import").click()
    page.wait_for_selector("h2.done-title")
    assert "3 created" in page.locator('ul.counts li[data-kind="students"]').inner_text()
    assert "Mango class" in [c["name"] for c in api(node.url, "/classes", page)]
    # The same bundle again: nothing to change.
    upload(page, good_bundle())
    page.wait_for_selector("p.no-changes")
    page.goto(node.url + "/teacher/#/classes")
    page.locator("ul.classes a", has_text="Mango class").click()
    page.wait_for_selector("table.students")
    assert page.locator("table.students tbody tr").count() == 3
    # An admin archives a student (after saying yes): gone from the class, work kept.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("table.students tbody tr", has_text="Ada Okafor").locator("button.archive").click()
    page.wait_for_function(
        "() => document.querySelectorAll('table.students tbody tr').length === 2"
    )
    assert "Ada Okafor is archived" in page.locator("main").inner_text()


@pytest.mark.slow
def test_bad_bundle_report_names_file_line_and_problem_and_nothing_changed(node, device):
    page = device.new_page()
    sign_in(page, node.url, ADMIN)
    before = api(node.url, "/classes", page)
    upload(page, bad_bundle())
    page.wait_for_selector("table.problems")
    assert "nothing was imported" in page.locator("p.nothing-imported").inner_text()
    cells = page.locator("table.problems tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["users.csv", "5", "givenName"]
    assert "Empty" in cells[3]
    assert page.locator("button.import").count() == 0
    assert api(node.url, "/classes", page) == before


@pytest.mark.slow
def test_live_view_shows_a_student_answering_on_another_device(node, chromium):
    teacher = chromium.new_context(viewport={"width": 1024, "height": 768})
    tablet = chromium.new_context(viewport={"width": 1024, "height": 768})
    for context in (teacher, tablet):
        context.set_default_timeout(20_000)
    page = teacher.new_page()
    sign_in(page, node.url)
    page.locator("ul.classes li", has_text="Acacia class").locator("a.live-link").click()
    page.wait_for_selector("table.live")
    amina = page.locator("table.live tr", has_text="Amina")
    assert amina.get_attribute("data-state") == "away"
    assert page.locator("p.nobody").is_visible()
    amina.locator("a.student-link").focus()  # a keyboard user on her name, to open her

    child = tablet.new_page()
    student_sign_in(child, node.url)
    child.locator("section.recommendations a.kind-quiz").first.click()
    child.wait_for_selector("form.item")
    title = child.locator("main h1").inner_text()
    assert answer_item(child, wrong(current_item(child))) == "false"

    # No reload: the view polls, and shows Amina working on the quiz.
    page.wait_for_selector('table.live tr[data-state="working"]', timeout=30_000)
    row = page.locator('table.live tr[data-state="working"]')
    assert "Amina" in row.inner_text() and title in row.inner_text()
    assert "wrong" in row.inner_text()
    # The view was drawn again, and the focus is still on her name.
    focused = page.evaluate(
        "() => [document.activeElement.textContent, document.activeElement.closest('tr')?.dataset.state]"
    )
    assert focused == ["Amina", "working"]
    page.keyboard.press("Enter")
    page.wait_for_selector("section.profile-section")
    assert page.locator("main h1").inner_text() == "Amina"
    teacher.close()
    tablet.close()


def teacher_screens(page, base: str, language: str):
    """Every screen of the teacher app, as an admin: yields each one's name once shown."""
    page.add_init_script(f"localStorage.setItem('baobab.language', '{language}')")
    page.goto(base + "/teacher/")
    page.wait_for_selector("form.signin")
    yield "signin"
    sign_in(page, base, ADMIN)
    yield "classes"
    page.locator("ul.classes li > a").first.click()
    page.wait_for_selector("table.students")
    yield "class"
    page.locator("table.students tbody tr a").first.click()  # the student (learner screen)
    page.locator("main a[href^='#/student/']").click()  # their name and pictures
    page.wait_for_selector("form.edit-student")
    yield "student"
    page.goto(base + "/teacher/#/classes")
    page.locator("a.live-link").first.click()
    page.wait_for_selector("table.live")
    yield "live"
    upload(page, good_bundle())
    page.wait_for_selector("h2.preview-title")
    yield "roster-preview"
    upload(page, bad_bundle())
    page.wait_for_selector("table.problems")
    yield "roster-problems"


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_on_every_teacher_screen(node, device, axe_js, language):
    page = device.new_page()
    blocked = policy_violations(page)  # every screen works under the policy too
    found, screens = {}, []
    for screen in teacher_screens(page, node.url, language):
        screens.append(screen)
        assert page.evaluate("document.documentElement.lang") == language
        problems = violations(page, axe_js)
        if problems:
            found[screen] = problems
        assert not unfilled(page), (screen, unfilled(page))
    assert len(screens) == 7
    assert found == {}
    assert blocked == []


@pytest.mark.slow
def test_french_teacher_screens_leave_no_english_teacher_string(node, device):
    keys = {k for k in catalog("en") if k.startswith("teacher.")}
    patterns = [(k, p) for k, p in english_patterns() if k in keys]
    page = device.new_page()
    for screen in teacher_screens(page, node.url, "fr"):
        text = page.locator("body").inner_text()
        found = [key for key, pattern in patterns if pattern.search(text)]
        assert found == [], f"{screen}: English strings {found}"


@pytest.mark.slow
def test_the_open_live_view_revalidates_instead_of_downloading_again(node, chromium):
    """The app's polls go through the browser's HTTP cache: with the view's ETag and
    no-cache, Chromium asks with If-None-Match, and the unchanged view comes back 304."""
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    page = context.new_page()
    polls = []
    page.on(
        "requestfinished",
        lambda request: request.url.endswith("/live") and polls.append(request),
    )
    sign_in(page, node.url)
    page.locator("ul.classes li", has_text="Acacia class").locator("a.live-link").click()
    page.wait_for_selector("table.live")
    for _ in range(40):  # the app polls every 3 s: three polls are enough
        if len(polls) >= 3:
            break
        page.wait_for_timeout(500)
    asked = [request.all_headers().get("if-none-match") for request in polls]
    tag = polls[0].response().all_headers()["etag"]
    assert "no-cache" in polls[0].response().all_headers()["cache-control"]
    # Later polls send the tag back: the class did nothing meanwhile, so the node
    # answers 304 (tests/server/test_polled_views.py) and the page gets the kept copy.
    assert asked[0] is None and asked[1:] == [tag] * (len(polls) - 1), (asked, tag)
    assert page.locator("table.live").is_visible()  # the kept copy was drawn again
    context.close()
