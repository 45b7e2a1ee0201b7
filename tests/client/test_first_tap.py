"""The first tap works on any tablet (issue 13, item 6): the address `serve` prints and the
start page open the student app; a tablet that trusts the node's certificate is taken to
the https app, one that does not stays on the plain app, which works, with a way to /trust."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .test_https_offline import NAME, https_node, tablet  # noqa: F401  (fixtures)


@pytest.mark.slow
def test_untrusting_tablet_is_sent_to_the_working_plain_app(https_node, device):  # noqa: F811
    page = device.new_page()
    page.goto(https_node.url + "/")
    page.locator("a", has_text="open the student app").click()
    page.wait_for_selector(".choices button")  # the class list: the plain app works
    assert page.url.startswith(https_node.url + "/student/")
    link = page.locator("header a.trust-link")
    assert link.get_attribute("href") == "/trust"
    assert "classroom connection" in link.inner_text()


@pytest.mark.slow
def test_the_certificate_page_fits_a_phone_in_french(https_node, chromium):  # noqa: F811
    context = chromium.new_context(viewport={"width": 360, "height": 640}, locale="fr-FR")
    page = context.new_page()
    page.goto(https_node.url + "/trust")
    assert page.locator("h1").inner_text() == "Faire confiance au Baobab de cette classe"
    assert page.locator("code.fingerprint").inner_text().count(":") == 31  # SHA-256, shown
    # The fingerprint, 95 characters without a space, wraps rather than widen the page.
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    context.close()


@pytest.mark.slow
def test_trusting_tablet_is_taken_to_the_https_app(https_node, tablet):  # noqa: F811
    page = tablet.new_page()
    page.goto(f"http://{NAME}:{https_node.port}/")
    page.locator("a", has_text="open the student app").click()
    page.wait_for_selector(".choices button")
    assert page.url == f"https://{NAME}:{https_node.https_port}/student/"
    assert page.locator("a.trust-link").count() == 0


def test_serve_prints_the_student_app_not_a_page_of_links(tmp_path):
    """The address `serve` prints opens the student app, not the start page's links."""
    env = {**os.environ, "BAOBAB_DISCOVERY": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path / "node"),
         "--host", "127.0.0.1", "--port", "0", "--demo"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("Stop with"):
                break
        printed = lines[lines.index("Students open:") + 1].strip()
        assert printed.startswith("http://127.0.0.1:") and printed.endswith("/student/")
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
