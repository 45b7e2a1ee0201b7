"""The district admin app in real Chromium: the dashboard drilled down from the district to
a school to a class, schools, nodes, revoking a node (the page says revoked, and still
does after a reload), the dashboard's downloads, a student found, their record opened and
erased; axe on every screen in English and French; no English left in French."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import uuid
import zipfile
from pathlib import Path

import pytest

from server import db as database
from server.cli import opened
from server.models import Answer, Item, Peer, Person
from server.services import learning, rollups
from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.teacher import ADMIN

from .test_accessibility import violations
from .test_csp import policy_violations
from .test_languages import catalog, english_patterns, unfilled

NODE_ID = "node-acacia-0001"
OLD_NODE_ID = "node-acacia-0002"  # says an old version in its hello


@pytest.fixture
def district(tmp_path):
    """A hub-like node: the demo school is the district office, with work and one node."""
    data_dir = tmp_path / "hub"
    baobab("demo", "--data-dir", str(data_dir))
    with opened(str(data_dir)):
        school_id = Person.get(Person.username == "admin").school_id
        items = list(Item.live().where(Item.type == "choice").order_by(Item.id).limit(4))
        for student in Person.live().where(Person.role == "student").limit(6):
            for item in items:
                learning.record_answer(
                    student, {"id": uuid.uuid4().hex, "item_id": item.id,
                              "response": item.answer, "device_ms": 1},
                )  # fmt: skip
        Peer.create(node_id=NODE_ID, public_key="ab" * 32, school_id=school_id, role="node")
        Peer.create(node_id=OLD_NODE_ID, public_key="cd" * 32, school_id=school_id, version="0.0.1")
        rollups.refresh()
        answers = Answer.select().count()
    database.close_all()
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    served = ServedNode(data_dir, demo=False, env={"BAOBAB_DISTRICT_SCHOOL": school_id}).start()
    yield served, answers
    served.stop()


def admin_screens(page, base: str, language: str):
    """Every screen of the admin app: yields each one's name once shown."""
    page.add_init_script(f"localStorage.setItem('baobab.language', '{language}')")
    page.goto(base + "/admin/")
    page.wait_for_selector("form.signin")
    yield "signin"
    page.locator("input[name=username]").fill(ADMIN[0])
    page.locator("input[name=password]").fill(ADMIN[1])
    page.keyboard.press("Enter")
    page.wait_for_selector("table.children")
    yield "district"
    page.locator("table.children tbody a").first.click()
    page.wait_for_selector("ul.crumbs li:nth-child(2)")
    page.wait_for_selector("table.children")
    yield "school"
    page.locator("table.children tbody a", has_text="Acacia class").click()
    page.wait_for_selector("ul.crumbs li:nth-child(3)")
    yield "class"
    page.goto(base + "/admin/#/schools")
    page.wait_for_selector("table.schools")
    yield "schools"
    page.goto(base + "/admin/#/nodes")
    page.wait_for_selector("table.nodes")
    yield "nodes"
    page.goto(base + "/admin/#/audit")
    page.wait_for_selector("main h1")
    page.wait_for_function("() => !document.querySelector('main [role=status]')")
    yield "audit"
    page.goto(base + "/admin/#/students")
    page.wait_for_selector("form.find-students")
    page.locator("input[name=q]").fill("a")
    page.locator("form.find-students button").click()
    page.wait_for_selector("table.students")
    yield "students"
    page.locator("table.students tbody a").first.click()
    page.wait_for_selector("form.erase")
    yield "student"


@pytest.mark.slow
def test_admin_drills_down_and_revokes_a_node(district, device):
    served, answers = district
    page = device.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda dialog: dialog.accept())
    screens = admin_screens(page, served.url, "en")
    next(screens)
    next(screens)  # the district
    assert page.locator("main h1").inner_text() == "The district"
    figure = page.locator('[data-figure="answers"] strong').inner_text()
    assert int(figure) == answers  # the rollups hold every answer the node holds
    # Each bar is drawn as long as its value says. Regression: the page's policy refused
    # the bars' style attributes, and every bar was drawn full, zeros included.
    drawn = page.evaluate(
        """() => [...document.querySelectorAll("ul.bars")].map((list) => {
             const rows = [...list.querySelectorAll("li")];
             const top = Math.max(1, ...rows.map((li) => Number(li.dataset.value)));
             return rows.map((li) => [Number(li.dataset.value) / top,
               li.querySelector(".bar > span").offsetWidth / li.querySelector(".bar").clientWidth]);
           })"""
    )
    shares = [pair for bars in drawn for pair in bars]
    assert any(wanted == 0 for wanted, _ in shares) and any(wanted > 0 for wanted, _ in shares)
    assert all(abs(wanted - got) < 0.02 for wanted, got in shares), shares
    # Days, shares and counts as the admin's language writes them: a day with its weekday
    # ("Sat, Dec 5", so a quiet weekend reads as one), not the hub's "2026-12-05".
    days = page.locator("ul.bars").first.locator("li > span:first-child").all_inner_texts()
    assert len(days) == 14 and all(re.fullmatch(r"[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}", d) for d in days), days
    assert re.fullmatch(r"\d+%", page.locator('[data-figure="right"] strong').inner_text())
    next(screens)  # a school
    assert (
        page.locator("main h1").inner_text() == "Demo school"
        or page.locator("ul.crumbs li").count() == 2
    )
    next(screens)  # a class
    assert page.locator("main h1").inner_text() == "Acacia class"
    assert int(page.locator('[data-figure="answers"] strong').inner_text()) > 0
    next(screens)  # schools
    assert page.locator("table.schools tbody tr").count() == 1
    next(screens)  # nodes
    row = page.locator(f'tr[data-node="{NODE_ID}"]')
    # A node that said no version is unknown; an older one is flagged in words.
    assert row.locator("td.version").inner_text() == "unknown"
    old = page.locator(f'tr[data-node="{OLD_NODE_ID}"] td.version').inner_text()
    assert old.startswith("0.0.1") and "older than the hub" in old
    assert row.locator("td.state").inner_text() != "Revoked"
    row.locator("button.revoke").click()
    page.wait_for_function("() => document.querySelector('td.state.revoked') !== null")
    assert row.locator("td.state").inner_text() == "Revoked"
    assert "is revoked" in page.locator("main [role=status]").inner_text()
    page.reload()
    page.wait_for_selector("table.nodes")
    assert page.locator(f'tr[data-node="{NODE_ID}"] td.state').inner_text() == "Revoked"
    assert page.locator(f'tr[data-node="{NODE_ID}"] button.revoke').count() == 0
    # An enrolment code for a node that has its school: the code, and what to run there.
    page.locator("button.enrol").click()
    page.wait_for_selector(".enrolment pre")
    steps = page.locator(".enrolment pre").inner_text().splitlines()
    code = page.locator(".enrolment p.code").inner_text().split()[1].rstrip(",")
    assert steps == [f"baobab pair {served.url} {code} --hub", "baobab sync --hub"]
    next(screens)  # the audit log records the revocation
    assert page.locator('tr[data-action="revoke-node"]').count() == 1
    assert errors == []


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_on_every_admin_screen(district, device, axe_js, language):
    served, _ = district
    page = device.new_page()
    blocked = policy_violations(page)  # every screen works under the policy too
    found, screens = {}, []
    for screen in admin_screens(page, served.url, language):
        screens.append(screen)
        assert page.evaluate("document.documentElement.lang") == language
        problems = violations(page, axe_js)
        if problems:
            found[screen] = problems
        assert not unfilled(page), (screen, unfilled(page))
    assert len(screens) == 9
    assert found == {}
    assert blocked == []


@pytest.mark.slow
def test_french_admin_screens_leave_no_english_admin_string(district, device):
    # "School" alone is also in the demo school's own name ("Demo school"): data, not words.
    keys = {k for k, v in catalog("en").items() if k.startswith("admin.") and v != "School"}
    patterns = [(k, p) for k, p in english_patterns() if k in keys]
    page = device.new_page()
    for screen in admin_screens(page, district[0].url, "fr"):
        text = page.locator("body").inner_text()
        found = [key for key, pattern in patterns if pattern.search(text)]
        assert found == [], f"{screen}: English strings {found}"
        if screen == "district":  # French days and shares: "sam. 5 déc.", "100 %"
            days = page.locator("ul.bars").first.locator("li > span:first-child").all_inner_texts()
            assert all(re.fullmatch(r"\w{3}\. \d{1,2} \w+\.?", d) for d in days), days
            assert re.fullmatch(r"\d+\s%", page.locator('[data-figure="right"] strong').inner_text())


@pytest.mark.slow
def test_an_admin_finds_a_student_opens_their_record_and_erases_them(district, device):
    served, _ = district
    page = device.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    screens = admin_screens(page, served.url, "en")
    while next(screens) != "students":
        pass
    names = page.locator("table.students tbody a").all_inner_texts()
    assert names and all("a" in n.lower() for n in names)
    assert page.locator("table.students tbody tr").first.locator("td").nth(2).inner_text()  # a class
    next(screens)  # the first one's record
    name = names[0]
    assert page.locator("main h1").inner_text() == name
    assert page.locator("table.skills tbody tr").count() >= 1
    assert "Add" in page.locator("table.skills tbody td").first.inner_text()  # a title, not an id
    # Erasing waits for the name, typed: a slip leaves the button off.
    erase = page.locator("form.erase button")
    assert erase.is_disabled()
    page.locator("form.erase input").fill(name[:-1])
    assert erase.is_disabled()
    page.locator("form.erase input").fill(name)
    assert erase.is_enabled()
    erase.click()
    page.wait_for_selector(".notice.erased")
    assert page.locator("main h1").inner_text() == "An erased student"
    assert page.locator("form.erase").count() == 0
    # Back to the search: the erased name is no longer there to find.
    page.locator("a", has_text="Find another student").click()
    page.wait_for_selector("table.students")
    assert name not in page.locator("table.students tbody a").all_inner_texts()
    page.goto(served.url + "/admin/#/audit")
    page.wait_for_selector('tr[data-action="erase-student"]')
    row = page.locator('tr[data-action="erase-student"]')
    assert row.locator("td").nth(2).inner_text() == "Erased a student"  # words, not the code
    assert page.locator('tr[data-action="view-student"]').count() >= 1
    assert errors == []


@pytest.mark.slow
def test_a_schools_figures_download_and_each_download_is_audited(district, device):
    served, answers = district
    page = device.new_page()
    screens = admin_screens(page, served.url, "en")
    while next(screens) != "school":
        pass
    links = page.locator("section.downloads a")
    assert links.count() == 3
    saved = {}
    for i in range(3):
        with page.expect_download() as download:
            links.nth(i).click()
        saved[download.value.suggested_filename] = Path(download.value.path()).read_bytes()
    assert set(saved) == {"dashboard.csv", "results.zip", "statements.json"}
    table = saved["dashboard.csv"].decode("utf-8-sig").splitlines()
    assert table[0].startswith("id,name,answers")
    assert sum(int(line.split(",")[2]) for line in table[1:]) == answers
    assert zipfile.ZipFile(io.BytesIO(saved["results.zip"])).namelist()
    assert isinstance(json.loads(saved["statements.json"]), list)
    # A class's figures are its school's: its page offers no downloads of its own.
    assert next(screens) == "class" and page.locator("section.downloads").count() == 0
    page.goto(served.url + "/admin/#/audit")
    page.wait_for_selector('tr[data-action="export-xapi"]')
    for action in ("export-dashboard", "export-results", "export-xapi"):
        assert page.locator(f'tr[data-action="{action}"]').count() == 1, action


@pytest.mark.slow
def test_the_audit_log_shows_its_newest_entries_then_older_ones_on_asking(district, device):
    served, _ = district
    with sqlite3.connect(served.data_dir / "baobab.db") as conn:
        conn.executemany(
            "INSERT INTO audit_entry (at, actor_id, actor_name, action, school_id, subject_id, detail)"
            " VALUES (?, 'cli', 'command line', 'export-xapi', NULL, NULL, ?)",
            [(f"2026-01-01 08:{i // 60:02d}:{i % 60:02d}.000000", f"entry {i}") for i in range(130)],
        )
    page = device.new_page()
    screens = admin_screens(page, served.url, "en")
    while next(screens) != "audit":
        pass
    rows = page.locator("table.audit tbody tr")
    assert rows.count() == 100
    assert rows.first.locator("td").nth(3).inner_text() == "entry 129"  # the newest first
    assert page.locator("main p.muted").inner_text() == "100 of 130 entries"
    page.locator("button.older").click()
    page.wait_for_function("() => document.querySelectorAll('table.audit tbody tr').length === 130")
    details = rows.locator("td:nth-child(4)").all_inner_texts()
    assert details == [f"entry {i}" for i in range(129, -1, -1)]  # each once, in order
    assert page.locator("main p.muted").inner_text() == "130 of 130 entries"
    assert page.locator("button.older").is_hidden()
