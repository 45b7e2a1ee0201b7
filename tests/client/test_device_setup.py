"""Issue 14, items 1, 2 and 9 in real Chromium: the first-run wizard of a node started
without the demo, the device page's address (with its QR code), storage and version,
a backup downloaded there and restored on a new device's page, sign-in cards printed
with their pictures and QR codes, and editing, moving and archiving students. axe-core
finds nothing serious on these screens, in English and French, and French leaves no
English string of ours; the wizard, the device page and the cards fit a phone."""

from __future__ import annotations

import pytest

from tests.helpers.nodes import ServedNode, baobab
from tests.helpers.teacher import ADMIN, sign_in

from .test_accessibility import violations
from .test_languages import catalog, english_patterns
from .test_teacher_app import no_horizontal_scroll

PHONE = {"width": 360, "height": 640}
OURS = ("teacher.setup.", "teacher.cards.", "device.", "teacher.class.edit", "teacher.student.")


def _no_english_of_ours(page) -> list[str]:
    """Our English strings on the page; names (marked translate="no": a school's) are data."""
    keys = {k for k in catalog("en") if k.startswith(OURS)}
    text = page.evaluate(
        """() => {
          const names = [...document.querySelectorAll('[translate="no"]')].filter((e) => !e.hidden);
          names.forEach((e) => { e.hidden = true; });
          const text = document.body.innerText;
          names.forEach((e) => { e.hidden = false; });
          return text;
        }"""
    )
    return [key for key, pattern in english_patterns() if key in keys and pattern.search(text)]


def _setup_code(node: ServedNode) -> str:
    return baobab("setup-code", "--data-dir", str(node.data_dir)).stdout.split()[-1]


def _images_loaded(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => [...document.querySelectorAll(s)].every((i) => i.complete && i.naturalWidth > 0)",
        selector,
    )


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_wizard_on_a_phone_sets_up_a_node_started_without_the_demo(
    tmp_path, chromium, axe_js, language
):
    node = ServedNode(tmp_path / "new", demo=False).start()
    context = chromium.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(f"localStorage.setItem('baobab.language', '{language}')")
        page.goto(node.url + "/teacher/")
        page.wait_for_selector("form.setup")  # nobody is signed in, nobody exists: the wizard
        assert violations(page, axe_js) == []
        assert no_horizontal_scroll(page)
        if language == "fr":
            assert _no_english_of_ours(page) == []
        fill = page.locator("form.setup input")
        page.locator("input[name=code]").fill("AAAAA-AAAAA")  # a LAN neighbour's guess
        page.locator("input[name=school_name]").fill("École Baobab")
        for prefix, name in (("admin", "Mme Diallo"), ("teacher", "M. Sow")):
            page.locator(f"input[name={prefix}_name]").fill(name)
            page.locator(f"input[name={prefix}_username]").fill(prefix + "1")
            page.locator(f"input[name={prefix}_password]").fill(prefix + "-password")
        page.locator("input[name=class_name]").fill("CE1")
        page.locator("form.setup button[type=submit]").click()
        page.wait_for_selector("form.setup p.error:not(:empty)")
        assert fill.count() > 5 and page.locator("ul.classes").count() == 0
        page.locator("input[name=code]").fill(_setup_code(node))
        page.locator("form.setup button[type=submit]").click()
        page.wait_for_selector("ul.classes")
        assert page.locator("ul.classes li > a").all_inner_texts() == ["CE1"]
        assert page.locator("#who").inner_text() == "Mme Diallo"
        # Done once: the wizard is closed for good.
        page.goto(node.url + "/teacher/#/setup")
        page.wait_for_selector("main p a[href='#/signin']")
        assert errors == []
    finally:
        context.close()
        node.stop()


@pytest.mark.slow
def test_device_page_shows_address_qr_storage_and_backs_up_then_restores_on_a_new_device(
    node, tmp_path, chromium, axe_js
):
    context = chromium.new_context(viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(30_000)
    fresh = ServedNode(tmp_path / "replacement", demo=False)
    try:
        page = context.new_page()
        page.goto(node.url + "/client/device/index.html")
        page.locator("input[name=username]").fill(ADMIN[0])
        page.locator("input[name=password]").fill(ADMIN[1])
        page.keyboard.press("Enter")
        page.wait_for_selector("#addresses li.address img.qr")
        url = page.locator("#addresses a.url").first.inner_text()
        assert url.endswith("/student/")
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.qr')].every((i) => i.complete && i.naturalWidth > 0)"
        )
        storage = page.locator("#storage").inner_text()
        assert "MB" in storage and "Database" in storage and "Content files" in storage
        version = page.locator('#storage dd[data-fact="device.storage.version"]').inner_text()
        assert version and version[0].isdigit()
        assert violations(page, axe_js) == []
        assert no_horizontal_scroll(page)
        with page.expect_download() as download_info:
            page.locator("#backup-download").click()
        archive = tmp_path / "backup.tar.gz"
        download_info.value.save_as(archive)
        assert archive.stat().st_size > 10_000

        # A new device: its page offers the wizard or a restore, with its console's code.
        fresh.start()
        other = context.new_page()
        other.goto(fresh.url + "/client/device/index.html")
        other.wait_for_selector("#setup-needed:not([hidden])")
        assert violations(other, axe_js) == []
        other.locator("#restore-form input[name=file]").set_input_files(str(archive))
        other.locator("#restore-form input[name=code]").fill(_setup_code(fresh))
        other.locator("#restore-form button[type=submit]").click()
        other.wait_for_selector("#restore-message.ok")
        assert "Restored" in other.locator("#restore-message").inner_text()
        other.reload()
        other.locator("input[name=username]").fill(ADMIN[0])
        other.locator("input[name=password]").fill(ADMIN[1])
        other.keyboard.press("Enter")
        other.wait_for_selector("#addresses li.address")
        assert other.locator("#setup-needed").is_hidden()
    finally:
        context.close()
        fresh.stop()


@pytest.mark.slow
def test_device_page_in_french_leaves_no_english_string_of_ours(node, chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.add_init_script("localStorage.setItem('baobab.language', 'fr')")
        page.goto(node.url + "/client/device/index.html")
        page.locator("input[name=username]").fill(ADMIN[0])
        page.locator("input[name=password]").fill(ADMIN[1])
        page.keyboard.press("Enter")
        page.wait_for_selector("#storage dd")
        assert "Mo" in page.locator("#storage").inner_text()
        assert _no_english_of_ours(page) == []
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "fr"])
def test_sign_in_cards_print_with_names_pictures_and_qr(node, chromium, axe_js, language):
    context = chromium.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        sign_in(page, node.url, language=language)
        page.locator("ul.classes a", has_text="Acacia class").click()
        page.locator("a.cards-link").click()
        page.wait_for_selector("form.make-cards")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("input[name=renew_all]").check()
        page.locator("form.make-cards button[type=submit]").click()
        page.wait_for_selector("article.sign-in-card")
        cards = page.locator("article.sign-in-card")
        assert cards.count() == 13
        first = cards.first
        assert first.locator("h2").inner_text() and "Acacia class" in first.inner_text()
        assert first.locator("ol.card-pictures svg.picture").count() == 3
        assert page.locator("ol.card-pictures svg.picture").count() == 39
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.qr')].every((i) => i.complete && i.naturalWidth > 0)"
        )
        assert violations(page, axe_js) == []
        assert no_horizontal_scroll(page)
        if language == "fr":
            assert _no_english_of_ours(page) == []
        # Printed: only the cards, two a row, eight an A4 page, none cut across pages.
        page.emulate_media(media="print")
        assert (
            page.locator("header.top").is_hidden() and page.locator("form.make-cards").is_hidden()
        )
        assert cards.first.is_visible()
        columns = page.evaluate(
            "getComputedStyle(document.querySelector('.card-sheet')).gridTemplateColumns.split(' ').length"
        )
        assert columns == 2
        pdf = page.pdf(format="A4", print_background=True)
        assert (
            pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 2
        )
    finally:
        context.close()


@pytest.mark.slow
def test_teacher_edits_a_class_moves_and_archives_a_student(node, chromium, axe_js):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        sign_in(page, node.url)
        page.locator("ul.classes a", has_text="Acacia class").click()
        page.wait_for_selector("form.edit-class")
        page.locator("form.edit-class input[name=grade]").fill("Grade 3")
        page.locator("form.edit-class button[type=submit]").click()
        page.wait_for_selector("text=The class is saved.")
        assert "Grade 3" in page.locator("main").inner_text()
        row = page.locator("table.students tbody tr").first
        name = row.locator("th a").inner_text()
        row.locator("th a").click()  # the student, whose page links to their name's
        page.locator("main a[href^='#/student/']").click()
        page.wait_for_selector("form.place-student")
        assert violations(page, axe_js) == []
        page.locator("form.place-student select").select_option(label="Baobab class")
        page.locator("form.place-student button.move").click()
        page.wait_for_selector(f"text={name} is now in Baobab class.")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("form.place-student button.archive").click()
        page.wait_for_selector("form.place-student button.unarchive:visible")
        page.goto(node.url + "/teacher/#/classes")
        page.locator("ul.classes a", has_text="Baobab class").click()
        page.wait_for_selector("table.students")
        assert name not in page.locator("table.students").inner_text()
    finally:
        context.close()
