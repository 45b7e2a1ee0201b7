"""The node's pages work under its Content-Security-Policy (server/pages/headers.py):
in real Chromium, no page reports a blocked script, style, picture or request."""

from __future__ import annotations

from server.services.demo import DEMO_TEACHER


def policy_violations(page) -> list[str]:
    """What the page's policy blocks from now on (a list that fills as it happens): the
    policy forbids inline script and style, so a screen relying on one is broken."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " (e) => console.error('Content Security violation: ' + e.violatedDirective))"
    )
    return blocked


def test_pages_work_under_the_security_policy(node, device):
    """The policy forbids inline script and style: a page relying on one would break."""
    page = device.new_page()
    blocked = policy_violations(page)
    for path in ("/", "/trust", "/client/device/index.html", "/student/"):
        response = page.goto(node.url + path)
        assert (
            response.ok and "frame-ancestors 'none'" in response.headers["content-security-policy"]
        ), path
        page.wait_for_load_state("networkidle")
    login = page.request.post(
        node.url + "/api/v1/auth/login",
        data={"username": DEMO_TEACHER[0], "password": DEMO_TEACHER[1]},
    )
    assert login.ok
    students = page.request.get(node.url + "/api/v1/people?role=student").json()
    student = students["items"][0]["id"]
    page.goto(f"{node.url}/people/{student}/plan.html")
    page.wait_for_load_state("networkidle")
    # The plan's own style sheet applies, and its Print button has its handler (plan.js).
    color = "getComputedStyle(document.querySelector('.plan .meta')).color"
    assert page.evaluate(color) == "rgb(85, 85, 85)"
    page.evaluate("window.print = () => { window.printed = true; }")
    page.locator("button.print").click()
    assert page.evaluate("window.printed") is True
    assert blocked == []
