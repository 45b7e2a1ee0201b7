"""The apps draw their icons from the node (static/img/icons.svg), never as characters a
tablet's fonts may lack: every symbol the student app writes is in its vendored font."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET

from fontTools.ttLib import TTFont

from server.paths import CLIENT_DIR, STATIC_DIR
from tests.helpers.student import sign_in

from .test_pages import SHELL

ICONS = STATIC_DIR / "img" / "icons.svg"
ICON_URL = re.compile(r"/static/img/icons\.svg#([\w-]+)")
ICON_CLASS = re.compile(r"\bicon-([\w-]+)")
SVG = "{http://www.w3.org/2000/svg}"


def shell_text_files():
    """The files of the student app's shell that hold text it shows (pages, code, catalogs)."""
    for path in SHELL:
        if path == "/student/":
            yield CLIENT_DIR / "student" / "index.html"
        elif path.startswith("/client/") and path.endswith((".js", ".css", ".json", ".html")):
            yield CLIENT_DIR / path.removeprefix("/client/")


def font_covers() -> set[int]:
    """The characters every weight of the student app's font (Andika) has."""
    weights = sorted((STATIC_DIR / "fonts" / "andika").glob("*.woff2"))
    assert weights
    return set.intersection(*(set(TTFont(path).getBestCmap()) for path in weights))


def views() -> dict[str, tuple[float, ...]]:
    root = ET.parse(ICONS).getroot()
    return {
        v.get("id"): tuple(map(float, v.get("viewBox").split())) for v in root.iter(SVG + "view")
    }


def test_the_student_app_writes_no_symbol_its_font_lacks():
    """Regression: the student app drew its icons as emoji and symbols (🏠, 🔊, ★, ●…). A
    tablet without an emoji font showed an empty box for each: in the menu, on every
    activity card, on every listen button and in every row of stars."""
    covered = font_covers()
    missing = {}
    for file in shell_text_files():
        for char in set(file.read_text(encoding="utf-8")):
            pictorial = unicodedata.category(char) in ("So", "Sm") or char == "\ufe0f"
            if pictorial and ord(char) not in covered:
                missing.setdefault(file.relative_to(CLIENT_DIR).as_posix(), set()).add(char)
    assert not missing, f"symbols the font lacks (draw them in icons.svg): {missing}"


def test_no_app_draws_an_emoji():
    """The staff apps use the device's own fonts, which need not have emoji either (a pin
    on a pinned assignment was one)."""
    for path in CLIENT_DIR.rglob("*"):
        if path.suffix in (".js", ".css", ".html", ".json"):
            emoji = {
                c for c in path.read_text(encoding="utf-8") if ord(c) >= 0x1F000 or c == "\ufe0f"
            }
            assert not emoji, f"{path.relative_to(CLIENT_DIR)}: {emoji}"


def test_every_icon_the_apps_name_is_drawn():
    drawn = views()
    root = ET.parse(ICONS).getroot()
    width = float(root.get("viewBox").split()[2])
    for name, (x, y, w, h) in drawn.items():
        assert x >= 0 and x + w <= width and (y, w, h) == (0, 64, 64), name
    styles = "".join(p.read_text() for p in CLIENT_DIR.rglob("*.css"))
    named = set(ICON_URL.findall(styles))
    assert named and named <= set(drawn), named - set(drawn)
    classes = {c for p in CLIENT_DIR.rglob("*.js") for c in ICON_CLASS.findall(p.read_text())}
    ruled = set(re.findall(r"\.icon-([\w-]+)\s*\{", styles))
    assert classes and classes <= ruled, f"icon classes without a rule: {classes - ruled}"


def test_the_icons_on_a_student_home_come_from_the_node(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    shown = page.evaluate(
        """async () => {
          const images = [];
          const look = (el, pseudo) => getComputedStyle(el, pseudo).backgroundImage;
          for (const el of document.querySelectorAll("#nav a[href='#/home'], #signout, .card a.activity"))
            images.push(look(el, "::before"));
          for (const el of document.querySelectorAll(".say .icon, .stars .icon")) images.push(look(el));
          const loads = async (css) => {
            const url = css.match(/url\\("(.*)"\\)/)[1];
            const img = new Image();
            img.src = url;
            try { await img.decode(); return [url, true]; } catch { return [url, false]; }
          };
          return Promise.all(images.map(loads));
        }"""
    )
    names = {url.split("#")[1] for url, _ in shown}
    assert {"home", "wave", "page", "star-off"} <= names, names
    assert names & {"listen", "mute"}
    for url, loaded in shown:
        assert url.startswith(node.url + "/static/img/icons.svg#"), url
        assert loaded, f"{url} did not load"
