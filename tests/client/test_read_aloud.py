"""Pre-readers (issue 13, item 4): every instruction, question and choice can be heard
with one tap: the pack's own recording where it has one, else the device's speech in the
activity's language, and the button says so where the device has no such voice."""

from __future__ import annotations

import json

import pytest

from tests.helpers.student import api, sign_in

# Record what the page asks to be spoken or played; the device has an English voice only.
STUBS = """
window.spoken = []; window.played = [];
const voices = [{ lang: "en-US", name: "Test English", default: true, localService: true, voiceURI: "test-en" }];
const synth = { speak: (u) => window.spoken.push([u.text, u.lang]), cancel() {}, pause() {}, resume() {},
  getVoices: () => voices, speaking: false, pending: false, paused: false,
  addEventListener() {}, removeEventListener() {} };
Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
HTMLMediaElement.prototype.play = function () { window.played.push(this.getAttribute("src")); return Promise.resolve(); };
"""


def open_activity(page, activity_id: str) -> None:
    page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", activity_id)
    page.wait_for_selector(f'article[data-activity="{activity_id}"] .work > *')


@pytest.mark.slow
def test_pre_reader_hears_every_instruction_question_and_choice(node, device):
    device.add_init_script(STUBS)
    page = device.new_page()
    page.goto(node.url + "/student/")
    page.wait_for_selector(".choices button")
    page.locator(".heading button.say").click()  # "Which is your class?"
    assert page.evaluate("window.spoken")[-1][0] == "Which is your class?"
    sign_in(page, node.url)

    # The quiz whose first question the pack recorded: the recording plays.
    open_activity(page, "baobab-sample:letter-sounds-quiz-en")
    form = page.locator("form.item").last
    form.locator("button.say").first.click()
    played = page.evaluate("window.played")
    assert len(played) == 1 and played[0].startswith("/api/v1/assets/")
    # Each choice and the instructions, which have no recording, are spoken in English.
    choices = form.locator(".choice-with-voice button.say")
    assert choices.count() == 3
    for i in range(3):
        choices.nth(i).click()
    page.locator(".heading button.say").click()
    spoken = page.evaluate("window.spoken")
    assert [text for text, _ in spoken[-4:-1]] == ["beans", "rice", "maize"]
    assert spoken[-1][0].startswith("Letter sounds quiz")
    assert all(lang.startswith("en") for _, lang in spoken[-4:])

    # A French activity on a tablet with no French voice: the button says so.
    french = api(node.url, "/activities?kind=quiz&language=fr", page)["items"][0]["id"]
    open_activity(page, french)
    button = page.locator("form.item button.say").first
    assert button.is_disabled()
    assert button.get_attribute("aria-label") == "This tablet has no voice for this language"


@pytest.mark.slow
def test_read_aloud_accommodation_reads_each_question_as_it_appears(node, device):
    device.add_init_script(STUBS)
    page = device.new_page()
    sign_in(page, node.url)
    # What the teacher's accommodation puts in the session (another branch sets it).
    page.evaluate("""() => { const s = JSON.parse(localStorage.getItem('baobab.session'));
      s.person.accommodations = { read_aloud: true }; localStorage.setItem('baobab.session', JSON.stringify(s)); }""")

    def with_read_aloud(route):
        me = route.fetch().json()
        me["person"]["accommodations"] = {"read_aloud": True}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(me))

    page.route("**/api/v1/auth/me", with_read_aloud)
    page.reload()
    page.wait_for_selector("section.recommendations")
    open_activity(page, "baobab-sample:count-to-10-quiz-en")
    prompt = page.locator("form.item .prompt").first.inner_text()
    assert page.evaluate("window.spoken")[-1][0] == prompt
