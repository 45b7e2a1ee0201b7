"""The teacher's day in real Chromium: form a group (by tapping, with the keyboard),
assign it a quiz, watch a student answer it on another device in the live view and the
heatmap (no reload), read the student's work, and comment on their project through the
feedback queue. axe-core and French on every screen of it, and a phone's viewport."""

from __future__ import annotations

import pytest

from tests.helpers.student import answer_item, api, current_item, wrong
from tests.helpers.student import sign_in as student_sign_in
from tests.helpers.teacher import sign_in

from .test_accessibility import violations
from .test_csp import policy_violations
from .test_languages import catalog, english_patterns, unfilled
from .test_teacher_app import no_horizontal_scroll

QUIZ = "baobab-sample:add-within-10-quiz-en"
PROJECT = "baobab-sample:project-count-animals-en"
WAIT = 20_000  # generous: the views poll every few seconds; no timing is asserted


def _class_id(page, base: str, name: str = "Acacia class") -> str:
    return next(c["id"] for c in api(base, "/classes", page) if c["name"] == name)


def _quiz(base: str, page) -> str:
    """A quiz of the sample pack in English (the one named above, or the first)."""
    quizzes = api(base, "/activities?kind=quiz&language=en&per_page=100", page)["items"]
    ids = [a["id"] for a in quizzes]
    return QUIZ if QUIZ in ids else ids[0]


def make_group_by_tapping(page, base: str, class_id: str, student: str = "Amina") -> None:
    page.goto(f"{base}/teacher/#/groups/{class_id}")
    page.wait_for_selector("form.new-group")
    page.locator("form.new-group input[name=name]").fill("Readers")
    page.locator("form.new-group button[type=submit]").click()
    page.wait_for_selector('.group-column:has(h3:has-text("Readers"))')
    move_by_tapping(page, student)


def move_by_tapping(page, student: str) -> None:
    """Tap (here: focus and Enter) the student, then "Move here" under Readers."""
    page.locator('.group-column[data-group=""] button.member', has_text=student).focus()
    page.keyboard.press("Enter")
    readers = page.locator('.group-column:has(h3:has-text("Readers"))')
    readers.locator("button.move-here").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(
        f'.group-column:has(h3:has-text("Readers")) button.member:has-text("{student}")'
    )


def assign_to_group(page, base: str, class_id: str, activity_id: str) -> None:
    page.goto(f"{base}/teacher/#/assign/{class_id}")
    page.wait_for_selector("form.new-assignment")
    form = page.locator("form.new-assignment")
    form.locator("select[name=activity_id]").select_option(activity_id)
    target = form.locator("select[name=target] option", has_text="Readers").get_attribute("value")
    form.locator("select[name=target]").select_option(target)
    form.locator("input[name=due_on]").fill("2030-06-30")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('li.assignment:has-text("Readers")')


@pytest.mark.slow
def test_assign_to_a_group_watch_the_answer_and_leave_feedback(node, chromium):
    teacher = chromium.new_context(viewport={"width": 1024, "height": 768})
    tablet = chromium.new_context(viewport={"width": 1024, "height": 768})
    for context in (teacher, tablet):
        context.set_default_timeout(WAIT)
    page = teacher.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, node.url)
    class_id = _class_id(page, node.url)
    quiz = _quiz(node.url, page)
    make_group_by_tapping(page, node.url, class_id)
    move_by_tapping(page, "Kofi")
    assign_to_group(page, node.url, class_id, quiz)
    item = page.locator("li.assignment", has_text="Readers")
    assert "0 of 2 finished" in item.inner_text() and "2030-06-30" in item.inner_text()

    # The student finds it assigned on her tablet, and answers a question wrong.
    child = tablet.new_page()
    student_sign_in(child, node.url)
    # Her home says which group she is in, and who with.
    assert child.locator("section.groups li.group").inner_text() == "Readers: with Kofi"
    child.locator(f'section.assignments a[data-activity="{quiz}"]').click()
    child.wait_for_selector("form.item")
    assert answer_item(child, wrong(current_item(child))) == "false"

    # The live view shows it without a reload.
    page.goto(f"{node.url}/teacher/#/live/{class_id}")
    page.wait_for_selector('table.live tr[data-state="working"]', timeout=WAIT)
    assert "Amina" in page.locator('table.live tr[data-state="working"]').inner_text()
    # The heatmap too: Amina's row has a practised cell, in words as well as colour.
    page.goto(f"{node.url}/teacher/#/heatmap/{class_id}")
    page.wait_for_selector(
        'table.heatmap tr:has-text("Amina") td.cell:not([data-level="not_started"])', timeout=WAIT
    )
    cell = page.locator(
        'table.heatmap tr:has-text("Amina") td.cell:not([data-level="not_started"])'
    ).first
    level = cell.get_attribute("data-level")
    assert catalog("en")[f"teacher.level.{level}"] in cell.inner_text()
    # Sorting by skills mastered keeps every row; the row opens the student and her answer.
    rows = page.locator("table.heatmap tbody tr").count()
    page.locator('button.sort[data-sort="mastered"]').click()
    assert page.locator("table.heatmap tbody tr").count() == rows
    page.locator("table.heatmap tbody th a", has_text="Amina").click()
    page.wait_for_selector("article.work-piece")
    assert page.locator('ul.answers li[data-correct="false"]').count() >= 1
    # Grouping by level: the skills the class practised come first, the first one chosen.
    practised = [k["skill_id"] for k in api(node.url, f"/classes/{class_id}/heatmap", page)["skills"]]
    page.goto(f"{node.url}/teacher/#/groups/{class_id}")
    page.wait_for_selector("form.suggest-groups")
    first = page.locator("form.suggest-groups optgroup").first
    assert first.get_attribute("label") == "Practised in this class"
    offered = first.locator("option").evaluate_all("os => os.map((o) => o.value)")
    assert sorted(offered) == sorted(practised) and practised
    assert page.locator("form.suggest-groups select[name=skill_id]").input_value() == offered[0]
    assert page.locator("form.suggest-groups optgroup").nth(1).get_attribute("label") == "Not practised yet"

    # She sends a project answer; the teacher comments on it from the queue.
    child.goto(f"{node.url}/student/#/play/{PROJECT}")
    child.wait_for_selector("form.reflect")
    child.locator("form.reflect textarea[name=text]").fill("I counted 7 goats and 3 hens")
    child.locator("form.reflect input[name=confidence]").nth(2).check()
    child.locator("form.reflect button[type=submit]").click()
    child.wait_for_selector("section.done")
    page.goto(f"{node.url}/teacher/#/queue/{class_id}")
    page.wait_for_selector("p.queue-count")
    for _ in range(40):  # the project reaches the node through the tablet's outbox
        if page.locator("article.work", has_text="7 goats").count():
            break
        page.wait_for_timeout(500)
        page.reload()
        page.wait_for_selector("p.queue-count")
    work = page.locator("article.work", has_text="7 goats")
    assert work.get_attribute("data-kind") == "project"
    work.locator("textarea[name=comment]").fill("Well counted, Amina!")
    work.locator("button.send").click()
    page.wait_for_selector("text=Comment sent to Amina")
    assert page.locator("article.work", has_text="7 goats").count() == 0
    student_id = next(
        s["id"]
        for s in api(node.url, f"/classes/{class_id}/students", page)
        if s["display_name"].startswith("Amina")
    )
    comments = api(node.url, f"/people/{student_id}/feedback", page)["items"]
    assert [c["text"] for c in comments] == ["Well counted, Amina!"]
    assert errors == []
    teacher.close()
    tablet.close()


def teacher_work_screens(page, base: str, language: str):
    """Every screen of this part of the teacher app: yields each one's name once shown."""
    sign_in(page, base, language=language)
    class_id = _class_id(page, base)
    page.goto(f"{base}/teacher/#/class/{class_id}")
    page.wait_for_selector("a.heatmap-link")
    yield "class"
    page.goto(f"{base}/teacher/#/groups/{class_id}")
    page.wait_for_selector("form.suggest-groups")
    page.locator("form.suggest-groups button.suggest").click()
    page.wait_for_selector("button.accept")
    # Nobody of this new class has answered yet: the suggestion says its levels are a guess.
    assert page.locator("p.no-levels").is_visible()
    yield "groups"
    page.goto(f"{base}/teacher/#/assign/{class_id}")
    page.wait_for_selector("form.new-assignment")
    before = page.locator("li.assignment").count()
    page.locator("form.new-assignment button[type=submit]").click()
    page.wait_for_function("n => document.querySelectorAll('li.assignment').length > n", arg=before)
    yield "assign"
    page.goto(f"{base}/teacher/#/heatmap/{class_id}")
    page.wait_for_selector("table.heatmap, p.nobody")
    yield "heatmap"
    skill = api(base, f"/classes/{class_id}/heatmap", page)["skills"]
    skill_id = skill[0]["skill_id"] if skill else api(base, "/skills", page)[0]["id"]
    page.goto(f"{base}/teacher/#/skill/{class_id}/{skill_id}")
    page.wait_for_selector("table.skill-levels")
    yield "skill"
    student = api(base, f"/classes/{class_id}/students", page)[0]["id"]
    page.goto(f"{base}/teacher/#/learner/{student}")
    page.wait_for_selector("#work-title")
    yield "learner"
    page.goto(f"{base}/teacher/#/queue/{class_id}")
    page.wait_for_selector("p.queue-count")
    yield "queue"


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_on_the_assign_heatmap_and_queue_screens(node, device, axe_js, language):
    page = device.new_page()
    blocked = policy_violations(page)  # every screen works under the policy too
    found, screens = {}, []
    for screen in teacher_work_screens(page, node.url, language):
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
def test_french_leaves_no_english_on_the_assign_heatmap_and_queue_screens(node, device):
    keys = {k for k in catalog("en") if k.startswith("teacher.")}
    patterns = [(k, p) for k, p in english_patterns() if k in keys]
    page = device.new_page()
    for screen in teacher_work_screens(page, node.url, "fr"):
        text = page.locator("body").inner_text()
        found = [key for key, pattern in patterns if pattern.search(text)]
        assert found == [], f"{screen}: English strings {found}"


@pytest.mark.slow
def test_phone_viewport_uses_the_screens_without_sideways_scroll(node, chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 640})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    for screen in teacher_work_screens(page, node.url, "en"):
        if screen != "heatmap":  # the heatmap scrolls inside its own frame, not the page
            assert no_horizontal_scroll(page), screen
    context.close()


@pytest.mark.slow
def test_a_screen_still_loading_when_the_teacher_moves_on_does_not_cover_the_next(node, device):
    """Regression: the assign screen, still fetching when the teacher opened the heatmap,
    drew itself over the heatmap when its fetches came back (and the heatmap went on
    polling into a table no one could see)."""
    page = device.new_page()
    sign_in(page, node.url)
    class_id = _class_id(page, node.url)
    held = []
    page.route(f"**/api/v1/classes/{class_id}/assignments", lambda route: held.append(route))
    page.goto(f"{node.url}/teacher/#/assign/{class_id}")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the assign screen never asked for its assignments"
    page.goto(f"{node.url}/teacher/#/heatmap/{class_id}")
    page.wait_for_selector("table.heatmap, p.nobody")
    with page.expect_response(f"**/api/v1/classes/{class_id}/assignments"):
        held[0].continue_()
    page.wait_for_timeout(1000)  # the assign screen draws within moments of its last answer
    assert page.locator("form.new-assignment").count() == 0
    assert page.locator("table.heatmap, p.nobody").first.is_visible()
    assert page.evaluate("document.querySelectorAll('main#view, #view').length") == 1


def test_the_screen_left_cannot_be_used_while_the_next_one_loads(node, device):
    """Regression: while the next screen's module loaded, the screen left stayed in sight
    and live, so a click on it (a second tap, impatient) acted on a screen already left."""
    page = device.new_page()
    sign_in(page, node.url)
    class_id = _class_id(page, node.url)
    page.goto(f"{node.url}/teacher/#/class/{class_id}")
    page.wait_for_selector("a.assign-link")
    held = []
    page.route("**/teacher/heatmap.js*", lambda route: held.append(route))
    page.click("a.heatmap-link")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the heatmap's module was never asked for"
    assert page.locator("a.assign-link").is_visible()  # still in sight, as it was
    page.click("a.assign-link", force=True)  # a tap where the link is
    page.wait_for_timeout(300)
    assert page.evaluate("location.hash") == f"#/heatmap/{class_id}"
    held[0].continue_()
    # The heatmap's own legend: the class screen left has a p.nobody of its own.
    page.wait_for_selector("#view ul.legend")
    assert page.evaluate("location.hash") == f"#/heatmap/{class_id}"
    assert page.locator("#view [inert]").count() == 0
