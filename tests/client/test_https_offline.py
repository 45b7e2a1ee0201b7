"""Issue 4 on a real classroom LAN: the student app served over HTTPS at a host name that
is not loopback reopens with the node away. Chromium trusts the node's CA the way a tablet
does once a teacher installed it (an NSS database in the browser's HOME), and resolves
classroom-node.test to the node with --host-resolver-rules, so the page is a secure
context only because of the certificate."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers.nodes import ServedNode
from tests.helpers.pg import free_port
from tests.helpers.student import answer_item, current_item, right, sign_in

from .conftest import ARGS, CHROMIUM

NAME = "classroom-node.test"


def trust_ca(home, ca_file) -> None:
    """Install the node's CA as a trusted authority for web sites, as a teacher does."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nssdb}", "-n", "Baobab classroom", "-t", "C,,",
         "-i", str(ca_file)],
        check=True,
    )  # fmt: skip


@pytest.fixture
def https_node(tmp_path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("BAOBAB_HTTPS_PORT", str(port))
    monkeypatch.setenv("BAOBAB_HTTPS_NAMES", NAME)
    node = ServedNode(tmp_path / "node").start()
    node.https_port = port
    yield node
    node.stop()


@pytest.fixture
def tablet(tmp_path, https_node, chromium):
    """A Chromium whose HOME holds the node's CA, with the classroom name resolving to it.

    Launched through the session's Playwright (one sync Playwright per process)."""
    home = tmp_path / "home"
    trust_ca(home, https_node.data_dir / "tls" / "ca.pem")
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1"],
        env={**os.environ, "HOME": str(home)},
    )
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    yield context
    context.close()
    browser.close()


@pytest.mark.slow
def test_app_reopens_offline_over_https_at_a_lan_name(https_node, tablet):
    page = tablet.new_page()
    # Over plain http at the same name, the browser refuses service workers: this is
    # what HTTPS fixes. (The plain app would move this trusting tablet to the https app,
    # test_first_tap.py: its probe is held back here, to look at the plain page.)
    probe = f"https://{NAME}:{https_node.https_port}/static/img/pictures.svg"
    page.route(probe, lambda route: route.abort())
    page.goto(f"http://{NAME}:{https_node.port}/student/")
    page.wait_for_selector("header a.trust-link")
    assert page.evaluate("[window.isSecureContext, 'serviceWorker' in navigator]") == [
        False,
        False,
    ]
    page.unroute(probe)

    base = f"https://{NAME}:{https_node.https_port}"
    sign_in(page, base)
    assert page.evaluate("window.isSecureContext") is True
    page.wait_for_selector("body[data-offline-ready=true]")
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == base + "/"
    activity = page.locator("section.recommendations a.kind-quiz").first.get_attribute(
        "data-activity"
    )

    https_node.stop()
    page.reload()
    page.wait_for_selector("section.recommendations")
    assert page.url.startswith(base)
    assert page.locator("p.notice").count() == 1  # the app says the node is away
    page.locator(f'a[data-activity="{activity}"]').first.click()
    page.wait_for_selector("form.item")
    # Checked on the tablet (the item's hashed keys came with the cached activity).
    assert answer_item(page, right(current_item(page))) == "true"
    assert int(page.locator("#outbox").get_attribute("data-waiting") or 0) >= 1
