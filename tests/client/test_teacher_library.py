"""The teacher app's content library and reports in real Chromium: a pack uploaded with
its progress bar and report, a bad pack's report, an activity authored on one node and
played on a paired node after sync, reports that print, a CSV read back as numbers and
dates; axe-core and French on these screens, and a phone's width."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from server.paths import SAMPLE_PACK_DIR
from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.packs import pack_zip
from tests.helpers.student import answer_item
from tests.helpers.student import sign_in as student_sign_in
from tests.helpers.teacher import ADMIN, sign_in

from .test_accessibility import violations
from .test_languages import catalog, english_patterns

#: Remember every stage line the import shows (it changes faster than a test polls).
WATCH_STAGES = """() => {
  window.seenStages = [];
  const target = document.getElementById('pack-stage');
  new MutationObserver(() => window.seenStages.push(target.textContent))
    .observe(target, {childList: true, characterData: true, subtree: true});
  window.sawBar = false;
  const bar = document.getElementById('pack-progress');
  new MutationObserver(() => { if (bar.offsetParent !== null) window.sawBar = true; })
    .observe(bar.parentElement, {attributes: true});
}"""


def pack_file(name: str = "maths.zip", manifest_edit=None) -> dict:
    return {"name": name, "mimeType": "application/zip",
            "buffer": pack_zip("district-maths", manifest_edit)}  # fmt: skip


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def open_library(page, base: str) -> None:
    """Show the library afresh (a goto to the same hash would not draw it again)."""
    if page.url == base + "/teacher/#/library":
        page.reload()
    else:
        page.goto(base + "/teacher/#/library")
    page.wait_for_selector("table.library")


@pytest.mark.slow
def test_admin_uploads_a_pack_and_sees_its_progress_and_report(node, device):
    page = device.new_page()
    sign_in(page, node.url, ADMIN)
    open_library(page, node.url)
    # A school's own node: the pack is this school's, and there is no district to go to.
    assert page.locator("form.pack-import p.district").count() == 0
    assert page.locator("#nav-district").is_hidden()
    page.evaluate(WATCH_STAGES)
    page.locator("#pack-file").set_input_files(pack_file())
    page.locator("form.pack-import button[type=submit]").click()
    page.wait_for_selector("#pack-report[data-state=done]")
    assert page.evaluate("() => window.sawBar")  # the bar was shown while it ran
    assert page.locator("#pack-progress").get_attribute("value") == "100"
    stages = page.evaluate("() => window.seenStages")
    assert "Uploading…" in stages and stages[-1] == "Done."
    report = page.locator("#pack-report").inner_text()
    assert "Imported district-maths, version" in report
    assert int(page.locator('li[data-count="created"]').inner_text().split(": ")[1]) > 40
    open_library(page, node.url)
    assert page.locator("table.library tbody tr", has_text="district-maths").count() > 5


@pytest.mark.slow
def test_a_bad_pack_shows_every_problem_and_changes_nothing(node, device):
    def break_it(manifest):
        manifest["activities"][0]["skills"] = ["no-such-skill"]

    page = device.new_page()
    sign_in(page, node.url, ADMIN)
    open_library(page, node.url)
    before = page.locator("table.library tbody tr").count()
    page.locator("#pack-file").set_input_files(pack_file("bad.zip", break_it))
    page.locator("form.pack-import button[type=submit]").click()
    page.wait_for_selector("#pack-report[data-state=failed]")
    problems = page.locator("#pack-report ul.problems").inner_text()
    assert "unknown skill 'no-such-skill'" in problems
    assert "Nothing was changed." in page.locator("#pack-report").inner_text()
    open_library(page, node.url)
    assert page.locator("table.library tbody tr").count() == before


def author_quiz(page, base: str, title: str) -> str:
    """Make a quiz of three items on the authoring screen; return the new activity's id."""
    page.goto(base + "/teacher/#/library/new")
    page.wait_for_selector("form.author")
    page.locator("select[name=kind]").select_option("quiz")
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=text]").fill("Ama sells mangoes at the market.")
    page.locator("input[name=prompt-0]").fill("Which is a fruit?")
    page.locator("input[name=choices-0]").fill("mango; stone")
    page.locator("input[name=answer-0]").fill("mango")
    page.locator("form.author button", has_text="Add a question").click()
    page.locator("select[name=type-1]").select_option("numeric")
    page.locator("input[name=prompt-1]").fill("3 + 4 = ?")
    page.locator("input[name=answer-1]").fill("7")
    page.locator("form.author button[type=submit]").click()
    page.wait_for_selector(".student-preview form.item")
    return page.url.split("#/library/preview/")[1]


@pytest.mark.slow
def test_an_activity_authored_on_one_node_plays_on_a_paired_node_after_sync(tmp_path, chromium):
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False)
    try:
        baobab("init", "--data-dir", str(b.data_dir))
        baobab("pair", a.url, a.pairing_code(), "--data-dir", str(b.data_dir))
        baobab("sync", "--peer", a.url, "--data-dir", str(b.data_dir))
        # No hub: each node imports the district's pack itself (docs/sync.md).
        baobab("import-content", str(SAMPLE_PACK_DIR), "--data-dir", str(b.data_dir))
        teacher = chromium.new_context(viewport={"width": 1024, "height": 768})
        teacher.set_default_timeout(20_000)
        page = teacher.new_page()
        sign_in(page, a.url)
        activity_id = author_quiz(page, a.url, "Market maths")
        assert activity_id.startswith("school.")
        # The preview plays as a student sees it, and saves nothing.
        answer_item(page, 0)
        assert page.locator("form.item").last.get_attribute("data-result") == "true"
        teacher.close()
        synced = baobab("sync", "--peer", a.url, "--data-dir", str(b.data_dir))
        assert "refused" not in synced.stdout, synced.stdout
        b.start()
        tablet = chromium.new_context(viewport={"width": 1024, "height": 768})
        tablet.set_default_timeout(20_000)
        student = tablet.new_page()
        student_sign_in(student, b.url)
        student.goto(f"{b.url}/student/#/play/{activity_id}")
        student.wait_for_selector("form.item")
        assert student.locator("article.activity h1").inner_text() == "Market maths"
        assert answer_item(student, 0) == "true"
        student.locator("button.next").click()
        assert answer_item(student, 7) == "true"
        tablet.close()
    finally:
        a.stop()
        b.stop()


def _work(page, base: str) -> None:
    """A student answers once, so the reports have a week to show."""
    student_sign_in(page, base)
    page.locator("section.recommendations a").first.click()
    page.wait_for_selector("article.activity")
    if page.locator("form.item").count():
        answer_item(page, 0)


@pytest.mark.slow
def test_reports_print_and_their_csv_reads_back_as_numbers_and_dates(node, chromium):
    tablet = chromium.new_context()
    _work(tablet.new_page(), node.url)
    tablet.close()
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, node.url)
    page.locator("ul.classes a", has_text="Acacia class").click()
    page.locator("a", has_text="Report").click()
    page.wait_for_selector("article.report table")
    shares = page.evaluate(
        "[...document.querySelector('article.report table tbody').rows].map((r) => r.cells[3].innerText)"
    )
    worked = [share for share in shares if share != "—"]
    # A share as English writes it ("100%"); the French "100 %" was written in every language.
    assert worked and all(re.fullmatch(r"\d+%", share) for share in worked), shares
    assert page.locator("img.chart").count() == 1
    page.wait_for_function("() => document.querySelector('img.chart').naturalWidth > 0")
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden() and page.locator(".no-print").is_hidden()
    assert page.locator("article.report table").first.is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")
    page.emulate_media(media="screen")
    href = page.locator("a.csv").get_attribute("href")
    response = context.request.get(node.url + href)
    text = response.body().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    active = [r for r in rows if r["last active"]]
    assert active and all(int(r["answers"]) >= 1 for r in active)
    assert isinstance(dt.date.fromisoformat(active[0]["last active"]), dt.date)
    assert 0.0 <= float(active[0]["correct share"]) <= 1.0
    _dates_and_names_read_once(page)
    # One student's report, from the class report.
    page.locator("article.report tbody a").first.click()
    page.wait_for_selector("article.report[data-kind=student] h1")
    assert "Student report" in page.locator("article.report h1").inner_text()
    _dates_and_names_read_once(page)
    # Each skill's state in the heatmap's words ("Struggling" there is not "Learning" here).
    levels = {
        catalog("en")[f"teacher.level.{k}"]
        for k in ("struggling", "learning", "mastered", "review")
    }
    states = page.locator("article.report td[class^='level-']").all_inner_texts()
    assert states and set(states) <= levels, states
    # Back to the student's own page (it had no way back).
    page.locator("article.report a", has_text="Back to the student").click()
    page.wait_for_selector("section.goals-section")
    context.close()


def _dates_and_names_read_once(page) -> None:
    """A report's dates as English writes them, and each table named once, not twice."""
    report = page.locator("article.report")
    today = dt.datetime.now(dt.timezone.utc).date()
    made = report.locator("p.muted").first.inner_text()
    assert made == f"Made on {today:%b} {today.day}, {today.year}", made
    assert not re.search(r"\d{4}-\d\d-\d\d", report.inner_text())  # no ISO dates on screen
    names = page.evaluate(
        """() => [...document.querySelectorAll('article.report table')].map((table) => {
          const by = table.getAttribute('aria-labelledby');
          const name = (table.caption || document.getElementById(by))?.textContent;
          const said = [...document.querySelectorAll('article.report :is(h2, caption)')]
            .filter((e) => e.textContent === name).length;
          return [name, said];
        })"""
    )
    assert names and all(name and said == 1 for name, said in names), names


def library_screens(page, base: str, language: str):
    sign_in(page, base, ADMIN, language=language)
    open_library(page, base)
    yield "library"
    page.locator("table.library tbody a").first.click()
    page.wait_for_selector(".student-preview article.activity")
    yield "preview"
    page.goto(base + "/teacher/#/library/new")
    page.wait_for_selector("form.author")
    yield "author"
    page.goto(base + "/teacher/#/classes")
    page.locator("ul.classes a").first.click()
    page.wait_for_selector("table.students")
    page.locator("main a[href^='#/report/class/']").click()
    page.wait_for_selector("article.report[data-kind=class]")
    yield "class-report"
    # The class report stays shown until the student's draws: wait for the student's own.
    page.locator("article.report tbody a").first.click()
    page.wait_for_selector("article.report[data-kind=student] h1")
    yield "student-report"


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_and_french_on_the_library_and_reports(node, device, axe_js, language):
    keys = {
        k
        for k in catalog("en")
        if k.startswith(("teacher.library", "teacher.author", "teacher.report"))
    }
    patterns = [(k, p) for k, p in english_patterns() if k in keys]
    page = device.new_page()
    found, screens = {}, []
    for screen in library_screens(page, node.url, language):
        screens.append(screen)
        problems = violations(page, axe_js)
        if problems:
            found[screen] = problems
        if language == "fr":
            text = page.locator("body").inner_text()
            english = [key for key, pattern in patterns if pattern.search(text)]
            assert english == [], f"{screen}: English strings {english}"
    assert len(screens) == 5
    assert found == {}


@pytest.mark.slow
def test_the_library_and_reports_fit_a_phone(node, chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 640})
    context.set_default_timeout(20_000)
    page = context.new_page()
    for screen in library_screens(page, node.url, "en"):
        assert no_horizontal_scroll(page), screen
    context.close()


def test_the_library_finds_activities_by_words_kind_and_language(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    open_library(page, node.url)
    rows = page.locator("table.library tbody tr")
    every = rows.count()
    assert every >= 40

    def shown() -> list[str]:
        return [r.inner_text().split("\t")[0] for r in rows.all() if r.is_visible()]

    form = page.locator("form.library-filters")
    form.locator("input[name=find]").fill("ecoute")  # no accent, any case: "Écoute"
    assert shown() == ["Écoute : le tambour d'Awa"]
    form.locator("input[name=find]").fill("count to 10")  # a skill's words find its activities
    counting = shown()
    assert 4 <= len(counting) < every
    assert form.locator("select[name=language] option[value=fr]").inner_text() == "French"
    form.locator("select[name=language]").select_option("fr")
    assert 0 < len(shown()) < len(counting)
    assert page.locator(".library-filters + p[role=status]").inner_text() == (
        f"{len(shown())} of {every} shown"
    )
    form.locator("select[name=kind]").select_option("quiz")
    assert shown() == ["Petit quiz : compter"]
    form.locator("input[name=find]").fill("")
    form.locator("select[name=language]").select_option("")
    form.locator("select[name=kind]").select_option("")
    assert len(shown()) == every
    assert page.locator(".library-filters + p[role=status]").inner_text() == ""
