"""The student app's first load is at most 200 KB over the wire, counted from the
browser's own network records (encoded body and headers, so compression counts), for
the page and for what its service worker fetches to keep the app shell; and no
request leaves the node."""

from __future__ import annotations

import pytest

from .test_pages import SHELL

LIMIT_BYTES = 200_000


@pytest.mark.slow
def test_first_load_weight(node, device):
    finished = []
    device.on("requestfinished", lambda request: finished.append(request))
    page = device.new_page()
    page.goto(node.url + "/student/", wait_until="networkidle")
    page.wait_for_selector(".choices button")
    # The worker has installed: its shell cache holds every file of the shell.
    page.wait_for_function(
        """async (n) => { for (const name of await caches.keys()) {
             if (name.startsWith("baobab-shell-") && (await (await caches.open(name)).keys()).length === n) return true; }
           return false; }""",
        arg=len(SHELL),
        polling=200,
    )
    page.wait_for_load_state("networkidle")
    by = {"page": 0, "worker": 0}
    for request in finished:
        sizes = request.sizes()
        by["worker" if request.service_worker else "page"] += (
            sizes["responseBodySize"] + sizes["responseHeadersSize"]
        )
    urls = [r.url for r in finished]
    assert all(u.startswith(node.url + "/") or u.startswith("data:") for u in urls), urls
    assert any(r.service_worker for r in finished) and any(u.endswith("/app.js") for u in urls)
    total = by["page"] + by["worker"]
    print(f"first load: page={by['page']} worker={by['worker']} total={total} bytes")
    assert total <= LIMIT_BYTES
