"""Offline work in real Chromium: a project answered with a photo while the node is away
reaches it, once, when it is back; answers given offline get right/wrong feedback at once
from the item's hashed keys, and the node's own grading agrees when they arrive."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest

from tests.helpers.nodes import ServedNode, wait_for
from tests.helpers.student import answer_item, api, current_item, right, sign_in, wrong

from .test_offline import OUTBOX_IDS, waiting

PHOTO_RECORD = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("baobab"); r.onsuccess = () => ok(r.result); r.onerror = no; });
  const all = await new Promise((ok) => { const r = db.transaction("outbox").objectStore("outbox").getAll(); r.onsuccess = () => ok(r.result); });
  const photo = all.find((r) => r.kind === "photo");
  if (!photo) return null;
  const bitmap = await createImageBitmap(photo.body.blob);
  const bytes = new Uint8Array(await photo.body.blob.arrayBuffer());
  const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { id: photo.id, type: photo.body.blob.type, width: bitmap.width, height: bitmap.height, sha,
           reflection_id: photo.body.reflection_id, kinds: all.map((r) => r.kind) };
}"""


def big_png(width: int = 2400, height: int = 1600) -> bytes:
    """A camera-sized PNG with a gradient (so the JPEG has something to encode)."""
    row = bytes((x * 255 // width) for x in range(width))
    raw = b"".join(b"\x00" + row for _ in range(height))  # greyscale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def open_activity(page, activity_id: str) -> None:
    page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", activity_id)
    page.wait_for_selector(f'article[data-activity="{activity_id}"] .work > *')


@pytest.mark.slow
def test_a_project_photo_taken_offline_reaches_the_node_once(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    page.wait_for_selector("body[data-offline-ready=true]")
    person = api(node.url, "/auth/me", page)["person"]["id"]
    project = api(node.url, "/activities?kind=project&language=en", page)["items"][0]["id"]
    open_activity(page, project)  # the service worker keeps it

    node.stop()
    page.reload()
    page.wait_for_selector("form.reflect")
    page.locator("textarea[name=text]").fill("We counted twelve goats at the well")
    page.locator("input[name=photo]").set_input_files(
        files=[{"name": "goats.png", "mimeType": "image/png", "buffer": big_png()}]
    )
    page.wait_for_selector("img.photo:not([hidden])")
    page.locator("input[name=confidence]").nth(2).check()
    page.locator("form.reflect button[type=submit]").click()
    page.wait_for_selector("section.done")

    kept = page.evaluate(PHOTO_RECORD)
    assert kept["type"] == "image/jpeg" and max(kept["width"], kept["height"]) == 1280
    assert kept["width"] / kept["height"] == pytest.approx(1.5, abs=0.01)
    assert kept["kinds"] == ["reflection", "photo", "attempt"]  # in the order they were made
    page.reload()  # still offline: the photo survives in IndexedDB
    page.wait_for_selector("section.recommendations")
    assert page.evaluate(PHOTO_RECORD)["sha"] == kept["sha"]
    assert waiting(page) == 3

    back = ServedNode(node.data_dir, port=node.port).start()
    try:
        assert wait_for(lambda: waiting(page) == 0, timeout=60, step=0.5)
        photos = api(node.url, f"/people/{person}/photos", page)
        assert [(p["id"], p["sha256"], p["media_type"]) for p in photos] == [
            (kept["id"], kept["sha"], "image/jpeg")
        ]
        reflections = api(node.url, f"/people/{person}/reflections", page)["items"]
        assert photos[0]["reflection_id"] == kept["reflection_id"] == reflections[0]["id"]
        blob = node.data_dir / "blobs" / kept["sha"][:2] / kept["sha"]
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == kept["sha"]
        # The outbox's retry after a lost reply: the same id again is the same photo.
        again = page.evaluate(
            """async (id) => {
              const image = await (await fetch(`/api/v1/photos/${id}/image`)).blob();
              const about = await (await fetch(`/api/v1/photos/${id}`)).json();
              const r = await fetch(`/api/v1/photos/${id}?activity_id=${encodeURIComponent(about.activity_id)}` +
                `&attempt_id=${about.attempt_id}&reflection_id=${about.reflection_id}&device_ms=${about.device_ms}`,
                {method: "PUT", body: image, headers: {"Content-Type": "image/jpeg",
                 "X-CSRF-Token": JSON.parse(localStorage.getItem("baobab.session")).csrf}});
              return [r.status, await r.json()]; }""",
            kept["id"],
        )
        assert again[0] == 201 and again[1]["duplicate"] is True
        assert len(api(node.url, f"/people/{person}/photos", page)) == 1
    finally:
        back.stop()


@pytest.mark.slow
def test_answers_offline_get_feedback_on_the_tablet(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    page.wait_for_selector("body[data-offline-ready=true]")
    person = api(node.url, "/auth/me", page)["person"]["id"]
    quiz = page.locator("section.recommendations a.kind-quiz").first.get_attribute("data-activity")
    open_activity(page, quiz)

    node.stop()
    page.reload()
    page.wait_for_selector("form.item")
    item = current_item(page)
    assert answer_item(page, wrong(item)) == "false"
    form = page.locator("form.item").last
    assert form.get_attribute("data-checked-by") == "device"
    assert "Not yet" in form.locator(".feedback").inner_text()
    form.locator("button.hint").click()
    assert form.locator("ul.hints li").count() == 1
    assert answer_item(page, right(item)) == "true"
    assert "That is right" in form.locator(".feedback").inner_text()
    form.locator("button.next").click()
    nxt = current_item(page)
    assert answer_item(page, right(nxt)) == "true"
    queued = [i for i, _, _ in page.evaluate(OUTBOX_IDS, "answer")]
    assert len(queued) == 3

    back = ServedNode(node.data_dir, port=node.port).start()
    try:
        assert wait_for(lambda: waiting(page) == 0, timeout=60, step=0.5)
        stored = api(node.url, f"/people/{person}/answers?per_page=50", page)["items"]
        graded = {a["id"]: (a["item_id"], a["correct"], a["hints_used"]) for a in stored}
        assert [graded[i] for i in queued] == [(item, False, 0), (item, True, 1), (nxt, True, 0)]
    finally:
        back.stop()
