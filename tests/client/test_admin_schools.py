"""Starting a school from the district admin app, in real Chromium against a served hub:
the school, its first admin, a code for its node; then a real node, which has no school,
enrols with the code the page shows, takes the school and lets the admin sign in there."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.helpers.nodes import Browser, ServedNode, baobab, hub_cli
from tests.helpers.teacher import sign_in

from .test_accessibility import violations
from .test_csp import policy_violations
from .test_languages import catalog, english_patterns, unfilled

pytestmark = pytest.mark.slow

DISTRICT = ("dee", "district-pass-1")
ADA = ("ada", "hill-admin-pass-1")


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A hub as the admin guide starts one: the district office's school and its admin."""
    hub_dir = tmp_path / "hub"
    hub_cli("init", "--data-dir", str(hub_dir))
    made = hub_cli(
        "create-school", "District office", "--code", "OFFICE", "--data-dir", str(hub_dir)
    )
    office = made.stdout.split("(")[1].split(")")[0]
    hub_cli(
        "create-user", "Dee District", "--role", "admin", "--username", DISTRICT[0],
        "--password", DISTRICT[1], "--school", office, "--data-dir", str(hub_dir),
    )  # fmt: skip
    served = ServedNode(
        hub_dir, demo=False, env={"BAOBAB_ROLE": "hub", "BAOBAB_DISTRICT_SCHOOL": office}
    ).start()
    yield served
    served.stop()


def _sign_in(page, base: str, language: str = "en") -> None:
    sign_in(page, base, DISTRICT, language, app="/admin/", lands_on="table.children")


def _start_hill(page, base: str) -> None:
    page.goto(base + "/admin/#/schools")
    page.wait_for_selector("form.start-school")
    page.locator("form.start-school input[name=name]").fill("Hill School")
    page.locator("form.start-school input[name=code]").fill("HILL")
    page.locator("form.start-school button").click()
    page.wait_for_selector("form.add-admin")


def _schools(data_dir) -> set[str]:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return {r[0] for r in conn.execute("SELECT name FROM school WHERE deleted = 0")}


def test_a_district_admin_starts_a_school_and_its_node_enrols_with_the_pages_code(
    hub, device, tmp_path
):
    page = device.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(page, hub.url)
    _start_hill(page, hub.url)
    assert page.locator("main h1").inner_text() == "Hill School"
    assert page.locator("ul.school-admins li").count() == 0
    school_id = page.url.rsplit("/", 1)[1]
    # Its first admin; the form empties, the list shows them, the page says so.
    page.locator("form.add-admin input[name=display_name]").fill("Ada Admin")
    page.locator("form.add-admin input[name=username]").fill(ADA[0])
    page.locator("form.add-admin input[name=password]").fill(ADA[1])
    page.locator("form.add-admin button").click()
    page.wait_for_selector("ul.school-admins li")
    assert page.locator("ul.school-admins li").inner_text() == "Ada Admin (ada)"
    assert page.locator("form.add-admin input[name=username]").input_value() == ""
    assert (
        "Ada Admin is an admin of Hill School"
        in page.locator("form.add-admin [role=status]").inner_text()
    )
    # The same username again is refused, in words, and what was typed stays.
    page.locator("form.add-admin input[name=display_name]").fill("Ada Again")
    page.locator("form.add-admin input[name=username]").fill(ADA[0])
    page.locator("form.add-admin input[name=password]").fill(ADA[1])
    page.locator("form.add-admin button").click()
    page.wait_for_function(
        "() => /taken/.test(document.querySelector('form.add-admin [role=status]').textContent)"
    )
    assert page.locator("form.add-admin input[name=display_name]").input_value() == "Ada Again"
    assert page.locator("ul.school-admins li").count() == 1
    # A code for this school, and the node's commands with this hub's address.
    page.locator("button.enrol").click()
    page.wait_for_selector(".enrolment pre")
    commands = page.locator(".enrolment pre").inner_text()
    pair = re.search(r"baobab pair (\S+) (\S+) --hub", commands)
    assert pair and pair[1] == hub.url, commands
    # The node, as the page says: init, pair, sync; it joins Hill School, and Ada signs in.
    node_dir = tmp_path / "node"
    baobab("init", "--data-dir", str(node_dir))
    joined = baobab("pair", pair[1], pair[2], "--hub", "--data-dir", str(node_dir))
    assert school_id in joined.stdout, joined.stdout
    baobab("sync", "--hub", "--data-dir", str(node_dir))
    assert _schools(node_dir) == {"Hill School"}
    node = ServedNode(node_dir, demo=True).start()  # a node that joined seeds no demo
    try:
        assert _schools(node_dir) == {"Hill School"}
        Browser(node.url).login(*ADA)
    finally:
        node.stop()
    # Back at the hub: the school lists its admin and its node; the log has all three.
    page.goto(hub.url + "/admin/#/schools")
    page.wait_for_selector("table.schools")
    row = page.locator("tr", has_text="Hill School")
    assert row.locator("td.admins").inner_text() == "Ada Admin"
    page.goto(hub.url + "/admin/#/audit")
    page.wait_for_selector('tr[data-action="create-school"]')
    for action in ("create-school", "create-admin", "enrolment-code", "node-enrolled"):
        assert page.locator(f'tr[data-action="{action}"]').count() == 1, action
    assert errors == []
    # Ada, Hill's admin, at the hub: her school only, and nothing she may not do offered.
    elsewhere = device.browser.new_context()  # her own browser: her own cookies
    ada = elsewhere.new_page()
    sign_in(ada, hub.url, ADA, app="/admin/", lands_on="ul.crumbs li:nth-child(2)")
    ada.goto(hub.url + "/admin/#/schools")
    ada.wait_for_selector("table.schools")
    assert ada.locator("table.schools tbody tr").all_inner_texts()[0].startswith("Hill School")
    assert ada.locator("form.start-school, a.set-up").count() == 0
    ada.goto(hub.url + "/admin/#/nodes")
    ada.wait_for_selector("table.nodes")  # Hill's node, enrolled above
    assert ada.locator("button.enrol").count() == 0
    elsewhere.close()


def test_a_code_already_held_is_refused_and_the_form_keeps_what_was_typed(hub, device):
    page = device.new_page()
    _sign_in(page, hub.url)
    page.goto(hub.url + "/admin/#/schools")
    page.wait_for_selector("form.start-school")
    page.locator("form.start-school input[name=name]").fill("Another office")
    page.locator("form.start-school input[name=code]").fill("office")  # the office's, any case
    page.locator("form.start-school button").click()
    page.wait_for_function(
        "() => document.querySelector('form.start-school [role=status]').textContent"
    )
    assert "already held" in page.locator("form.start-school [role=status]").inner_text()
    assert page.locator("form.start-school input[name=name]").input_value() == "Another office"
    assert page.locator("table.schools tbody tr").count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_schools_screens_pass_axe_and_speak_the_admins_language(hub, device, axe_js, language):
    page = device.new_page()
    blocked = policy_violations(page)
    _sign_in(page, hub.url, language)
    page.goto(hub.url + "/admin/#/schools")
    page.wait_for_selector("form.start-school")
    screens = {"schools": None}
    screens["schools"] = (
        violations(page, axe_js),
        unfilled(page),
        page.locator("body").inner_text(),
    )
    _start_hill(page, hub.url)
    page.locator("button.enrol").click()
    page.wait_for_selector(".enrolment pre")
    screens["school"] = (
        violations(page, axe_js),
        unfilled(page),
        page.locator("body").inner_text(),
    )
    # "School" alone is also in the school's own name ("Hill School"): data, not words.
    keys = {
        k for k, v in catalog("en").items()
        if k.startswith(("admin.schools.", "admin.school.")) and v != "School"
    }  # fmt: skip
    english = [(k, p) for k, p in english_patterns() if k in keys]
    for screen, (problems, raw, text) in screens.items():
        assert problems == [] and raw == [], (screen, problems, raw)
        if language == "fr":
            found = [key for key, pattern in english if pattern.search(text)]
            assert found == [], f"{screen}: English strings {found}"
    assert blocked == []


def test_content_from_the_admin_app_is_the_library_that_publishes_to_every_school(hub, device):
    page = device.new_page()
    _sign_in(page, hub.url)
    page.locator("#nav a", has_text="Content").click()
    page.wait_for_selector("form.pack-import")
    assert page.url.endswith("/teacher/#/library")
    assert "published to every school" in page.locator("form.pack-import p.district").inner_text()
    back = page.locator("#nav-district")
    assert back.is_visible()
    back.click()
    page.wait_for_selector("table.children")  # the admin app, still signed in
    assert "/admin/" in page.url
