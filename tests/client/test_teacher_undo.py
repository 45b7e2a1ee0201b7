"""Taking things back in the teacher app, in real Chromium: an archived student brought
back into the class, work marked seen by mistake put back in the feedback queue, and an
activity authored on the device edited (on one node, played edited on a paired node
after sync). axe-core, French and a phone's width on these screens; the keyboard alone."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from server.paths import SAMPLE_PACK_DIR
from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.student import answer_item, api
from tests.helpers.student import sign_in as student_sign_in
from tests.helpers.teacher import sign_in

from .test_accessibility import violations
from .test_languages import catalog, english_patterns
from .test_teacher_app import no_horizontal_scroll
from .test_teacher_library import author_quiz

PROJECT = "baobab-sample:project-count-animals-en"
WAIT = 20_000

#: POST as the signed-in page (its session cookie and CSRF token): [path, body] -> [status, reply].
POST_AS_PAGE = """async ([path, body]) => {
  const me = await (await fetch('/api/v1/auth/me', {headers: {Accept: 'application/json'}})).json();
  const reply = await fetch('/api/v1' + path, {method: 'POST', body: JSON.stringify(body),
    headers: {'Content-Type': 'application/json', Accept: 'application/json',
              'X-CSRF-Token': me.csrf_token || ''}});
  return [reply.status, await reply.json()];
}"""


def _context(chromium, width=1024, height=768):
    context = chromium.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(WAIT)
    return context


def _class_id(page, base: str) -> str:
    return next(c["id"] for c in api(base, "/classes", page) if c["name"] == "Acacia class")


def _reflect(chromium, base: str, text: str, name: str = "Amina") -> None:
    """A student of the class sends a project answer (through the API, as her tablet)."""
    tablet = _context(chromium)
    child = tablet.new_page()
    student_sign_in(child, base, name=name)
    body = {"id": f"r{abs(hash(text)):x}"[:22].ljust(22, "0"), "activity_id": PROJECT,
            "confidence": 3, "text": text, "device_ms": 1_700_000_000_000}  # fmt: skip
    assert child.evaluate(POST_AS_PAGE, ["/reflections", body])[0] in (200, 201)
    tablet.close()


def _archive(page, base: str, class_id: str, name: str) -> None:
    page.goto(f"{base}/teacher/#/class/{class_id}")
    page.wait_for_selector("table.students")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("table.students tr", has_text=name).locator("button.archive").click()
    page.wait_for_selector(f'section.archived li:has-text("{name}")')


def _mark_seen(page, base: str, class_id: str, text: str) -> None:
    page.goto(f"{base}/teacher/#/queue/{class_id}")
    page.wait_for_selector(f'article.work:has-text("{text}")')
    page.locator("article.work", has_text=text).locator("button.seen").click()
    page.wait_for_selector("button.put-back")


def test_an_archived_student_comes_back_into_the_class_with_the_keyboard(node, chromium):
    context = _context(chromium)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, node.url)
    class_id = _class_id(page, node.url)
    students = api(node.url, f"/classes/{class_id}/students", page)
    name = students[-1]["display_name"]
    _archive(page, node.url, class_id, name)
    assert page.locator("table.students tr", has_text=name).count() == 0
    # Tab to "Bring back" and press Enter: no mouse.
    button = page.locator("section.archived li", has_text=name).locator("button.bring-back")
    for _ in range(200):
        if page.evaluate("() => document.activeElement?.classList.contains('bring-back')"):
            break
        page.keyboard.press("Tab")
    assert button.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'table.students tr:has-text("{name}")')
    assert "is back in Acacia class" in page.locator("p.notice").inner_text()
    assert page.locator("section.archived li", has_text=name).count() == 0
    assert name in [s["display_name"] for s in api(node.url, f"/classes/{class_id}/students", page)]
    assert errors == []
    context.close()


def test_work_marked_seen_by_mistake_goes_back_in_the_queue(node, chromium):
    _reflect(chromium, node.url, "Seven goats by the well")
    _reflect(chromium, node.url, "Three hens in the yard")
    context = _context(chromium)
    page = context.new_page()
    sign_in(page, node.url)
    class_id = _class_id(page, node.url)
    # Put back at once, from the line that says it was marked.
    _mark_seen(page, node.url, class_id, "Seven goats")
    assert page.locator("article.work", has_text="Seven goats").count() == 0
    page.locator("div.undo-line button.put-back").click()
    page.wait_for_selector('article.work:has-text("Seven goats")')
    assert "back in the queue" in page.locator("p.notice").inner_text()
    # Put back later, from the list of work marked seen (after a reload).
    _mark_seen(page, node.url, class_id, "Three hens")
    page.reload()
    page.wait_for_selector('section.seen-work li:has-text("Three hens")')
    assert (
        "marked seen by" in page.locator("section.seen-work li", has_text="Three hens").inner_text()
    )
    page.locator("section.seen-work li", has_text="Three hens").locator("button.put-back").click()
    page.wait_for_selector('article.work:has-text("Three hens")')
    assert page.locator("section.seen-work li").count() == 0
    context.close()


def _edit(page, base: str, activity_id: str, title: str) -> None:
    """Open the activity from the library, retitle it, change its second question's answer."""
    page.goto(base + "/teacher/#/library")
    page.wait_for_selector("table.library")
    page.locator(f'tr[data-activity="{activity_id}"] a.edit-link').click()
    page.wait_for_selector("form.author[data-activity]")
    assert page.locator("input[name=prompt-0]").input_value() == "Which is a fruit?"
    assert page.locator("input[name=answer-0]").input_value() == "mango"
    page.locator("input[name=title]").fill(title)
    page.locator("input[name=prompt-1]").fill("4 + 4 = ?")
    page.locator("input[name=answer-1]").fill("8")
    page.locator("form.author button[type=submit]").click()
    page.wait_for_selector(".student-preview form.item")


@pytest.mark.slow
def test_an_activity_edited_on_one_node_plays_edited_on_a_paired_node(tmp_path, chromium):
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False)
    try:
        baobab("init", "--data-dir", str(b.data_dir))
        baobab("pair", a.url, a.pairing_code(), "--data-dir", str(b.data_dir))
        baobab("sync", "--peer", a.url, "--data-dir", str(b.data_dir))
        baobab("import-content", str(SAMPLE_PACK_DIR), "--data-dir", str(b.data_dir))
        teacher = _context(chromium)
        page = teacher.new_page()
        sign_in(page, a.url)
        activity_id = unquote(author_quiz(page, a.url, "Market maths"))
        before = api(a.url, f"/activities/{activity_id}", page)["items"]
        _edit(page, a.url, activity_id, "Market maths, again")
        after = api(a.url, f"/activities/{activity_id}", page)
        assert after["title"] == "Market maths, again"
        # The unchanged question kept its id (and its answers); the changed one is new.
        assert after["items"][0]["id"] == before[0]["id"]
        assert after["items"][1]["id"] != before[1]["id"] and after["items"][1]["answer"] == 8
        teacher.close()
        synced = baobab("sync", "--peer", a.url, "--data-dir", str(b.data_dir))
        assert "refused" not in synced.stdout, synced.stdout
        b.start()
        tablet = _context(chromium)
        student = tablet.new_page()
        student_sign_in(student, b.url)
        student.goto(f"{b.url}/student/#/play/{activity_id}")
        student.wait_for_selector("form.item")
        assert student.locator("article.activity h1").inner_text() == "Market maths, again"
        assert answer_item(student, 0) == "true"
        student.locator("button.next").click()
        assert answer_item(student, 8) == "true"
        tablet.close()
    finally:
        a.stop()
        b.stop()


def undo_screens(page, base: str, chromium, language: str):
    """The screens of this part, each with something to take back: yields each one's name."""
    sign_in(page, base, language=language)
    class_id = _class_id(page, base)
    students = api(base, f"/classes/{class_id}/students", page)
    _archive(page, base, class_id, students[-1]["display_name"])
    yield "class with archived students"
    _reflect(chromium, base, "Five cows at the river")
    _mark_seen(page, base, class_id, "Five cows")
    page.reload()
    page.wait_for_selector("section.seen-work li")
    yield "queue with work marked seen"
    skill = api(base, "/skills", page)[0]["id"]
    status, made = page.evaluate(POST_AS_PAGE, ["/authored-activities", {
        "kind": "quiz", "title": "Market maths", "language": language, "skill_id": skill,
        "text": "Ama sells mangoes.", "items": [
            {"type": "choice", "prompt": "Which is a fruit?", "choices": ["mango", "stone"], "answer": 0},
            {"type": "numeric", "prompt": "3 + 4 = ?", "answer": 7}]}])  # fmt: skip
    assert status == 201, made
    activity_id = made["id"]
    page.goto(f"{base}/teacher/#/library/edit/{activity_id}")
    page.wait_for_selector("form.author[data-activity]")
    yield "editing an activity"


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_on_the_screens_that_take_things_back(node, chromium, axe_js, language):
    context = _context(chromium)
    page = context.new_page()
    found, screens = {}, []
    for screen in undo_screens(page, node.url, chromium, language):
        screens.append(screen)
        assert page.evaluate("document.documentElement.lang") == language
        problems = violations(page, axe_js)
        if problems:
            found[screen] = problems
    assert len(screens) == 3 and found == {}
    context.close()


@pytest.mark.slow
def test_french_leaves_no_english_on_the_screens_that_take_things_back(node, chromium):
    keys = {k for k in catalog("en") if k.startswith("teacher.")}
    patterns = [(k, p) for k, p in english_patterns() if k in keys]
    context = _context(chromium)
    page = context.new_page()
    for screen in undo_screens(page, node.url, chromium, "fr"):
        text = page.locator("body").inner_text()
        found = [key for key, pattern in patterns if pattern.search(text)]
        assert found == [], f"{screen}: English strings {found}"
    context.close()


@pytest.mark.slow
def test_phone_width_uses_the_screens_that_take_things_back(node, chromium):
    context = _context(chromium, 360, 640)
    page = context.new_page()
    for screen in undo_screens(page, node.url, chromium, "en"):
        assert no_horizontal_scroll(page), screen
    context.close()
