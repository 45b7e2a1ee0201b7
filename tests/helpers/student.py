"""What a student does in the app, as steps the browser tests share."""

from __future__ import annotations

import json
import urllib.request

from server.paths import SAMPLE_PACK_DIR

AMINA = ("Acacia class", "Amina")  # picture password sun, goat, drum (server/services/demo.py)
PICTURES = ("sun", "goat", "drum")


def sign_in(
    page,
    base: str,
    name: str = "Amina",
    class_name: str = "Acacia class",
    pictures=PICTURES,
    wrong_first: bool = False,
) -> None:
    """Sign in from the class list, by name, then three pictures (if the class asks)."""
    page.goto(base + "/student/")
    page.wait_for_selector("main h1")
    if page.locator(".choices button", has_text=class_name).count():
        page.locator(".choices button", has_text=class_name).click()
    page.locator(".students button", has_text=name).click()
    if pictures:
        if wrong_first:
            for key in ("moon", "moon", "moon"):
                page.locator(f'[data-picture="{key}"]').click()
            page.locator("button.primary").click()
            page.wait_for_selector("p.error:not(:empty)")
        for key in pictures:
            page.locator(f'[data-picture="{key}"]').click()
        page.locator("button.primary").click()
    page.wait_for_selector("section.recommendations")


def outbox_waiting(page) -> int:
    """The number the outbox indicator shows."""
    return int(page.locator("#outbox").get_attribute("data-waiting") or 0)


def answer_item(page, response) -> str:
    """Answer the item on screen; return the result the app shows (true/false/saved)."""
    form = page.locator("form.item").last
    kind = form.get_attribute("data-type")
    if kind == "choice":
        form.locator("label.choice").nth(int(response)).click()
    else:
        form.locator("input").fill(str(response))
    before = form.get_attribute("data-result")
    form.locator("button.check").click()
    page.wait_for_function(
        "([el, before]) => el.dataset.result && el.dataset.result !== before",
        arg=[form.element_handle(), before],
    )
    return form.get_attribute("data-result")


def next_item(page) -> None:
    """Go on after a right (or saved) answer."""
    page.locator("form.item button.next").click()


def finish(page) -> None:
    """Press 'I have finished' and wait for the done screen."""
    page.locator("button.finish").click()
    page.wait_for_selector("section.done")


def api(base: str, path: str, cookie_page=None) -> dict:
    """GET an API path with the page's session cookie (what the node holds)."""
    request = urllib.request.Request(base + "/api/v1" + path)
    if cookie_page is not None:
        cookies = cookie_page.context.cookies()
        request.add_header("Cookie", "; ".join(f"{c['name']}={c['value']}" for c in cookies))
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _answer_keys() -> dict[str, dict]:
    """Answer keys of the sample pack's items, by the node's item id (pack:activity:item)."""
    manifest = json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text())
    return {
        f"{manifest['id']}:{activity['id']}:{item['id']}": item
        for activity in manifest["activities"]
        for item in activity.get("items", [])
    }


KEYS = _answer_keys()


def right(item_id: str):
    """A right response to an item of the sample pack."""
    item = KEYS[item_id]
    return item["answer"][0] if item["type"] == "text" else item["answer"]


def wrong(item_id: str):
    """A wrong response to an item of the sample pack."""
    item = KEYS[item_id]
    if item["type"] == "choice":
        return (item["answer"] + 1) % len(item["choices"])
    if item["type"] == "numeric":
        return item["answer"] + 3
    return "zzz"


def current_item(page) -> str:
    """The node's id of the item on screen."""
    return page.locator("form.item").last.get_attribute("data-item")


def answer_all_right(page) -> int:
    """Answer every remaining item right (until the finish button is the next step)."""
    count = 0
    while page.locator("form.item").count():
        result = answer_item(page, right(current_item(page)))
        assert result in ("true", "saved"), result
        next_item(page)
        count += 1
    return count


KINDS = ("reading", "video", "audio", "quiz", "practice", "project", "reflection")


def every_page(page, base: str, language: str = "en"):
    """Walk every screen of the app as Amina, yielding each screen's name once it shows."""
    page.goto(base + "/student/")
    page.wait_for_selector(".choices button")
    if language != "en":
        before = page.locator("main h1").inner_text()
        page.locator("#language").select_option(language)
        page.wait_for_function(
            "(before) => document.querySelector('main h1')?.textContent !== before", arg=before
        )
        page.wait_for_selector(".choices button")
    yield "classes"
    page.locator(".choices button", has_text="Acacia class").click()
    page.wait_for_selector(".students")
    yield "students"
    page.locator(".students button", has_text="Amina").click()
    page.wait_for_selector(".picture-grid")
    page.locator('[data-picture="moon"]').click()
    yield "pictures"
    for key in ("moon", "moon"):
        page.locator(f'[data-picture="{key}"]').click()
    page.locator("button.primary").click()
    page.wait_for_selector("p.error:not(:empty)")
    yield "pictures-wrong"
    for key in PICTURES:
        page.locator(f'[data-picture="{key}"]').click()
    page.locator("button.primary").click()
    page.wait_for_selector("section.recommendations")
    yield "home"
    for kind in KINDS:
        items = api(base, f"/activities?kind={kind}&language={language}", page)["items"]
        if not items:
            continue
        page.evaluate(
            "(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", items[0]["id"]
        )
        page.wait_for_selector(f'article[data-activity="{items[0]["id"]}"] .work > *')
        yield f"play-{kind}"
        if page.locator("form.item").count():
            item = current_item(page)
            answer_item(page, wrong(item))
            page.locator("form.item button.hint").click()
            yield f"play-{kind}-feedback"
    page.locator("input[name=confidence]").first.check()
    page.locator("form.reflect button[type=submit]").click()
    page.wait_for_selector("section.done")
    yield "done"
    page.evaluate("location.hash = '#/goals'")
    page.wait_for_selector("form.goal-form")
    yield "goals"
    page.evaluate("location.hash = '#/history'")
    page.wait_for_selector("section[aria-labelledby=h-attempts]")
    yield "history"
    page.evaluate("location.hash = '#/me'")
    page.wait_for_selector("form.me-form")
    yield "me"
