"""Interface languages: every language offered is complete, and French leaves no English
string on any screen; a right-to-left catalog turns the layout around; catalogs are plain
JSON a school can extend."""

from __future__ import annotations

import json
import re

import pytest

from server.paths import CLIENT_DIR
from tests.helpers.student import every_page

CATALOGS = CLIENT_DIR / "i18n"
STAFF = {"teacher", "device", "admin"}  # key prefixes of the staff apps' strings


def catalog(code: str) -> dict[str, str]:
    """A language's strings: the shared catalog and the staff apps' (i18n/staff/)."""
    strings = json.loads((CATALOGS / f"{code}.json").read_text())
    staff = CATALOGS / "staff" / f"{code}.json"
    return {**strings, **(json.loads(staff.read_text()) if staff.exists() else {})}


def test_student_catalogs_hold_no_staff_strings():
    """A student's tablet downloads only its own strings (the shell's weight)."""
    for path in CATALOGS.glob("*.json"):
        if path.stem != "index":
            staff = [k for k in json.loads(path.read_text()) if k.split(".")[0] in STAFF]
            assert staff == [], f"{path.name} holds staff strings: {staff[:5]}"


def english_patterns() -> list[tuple[str, re.Pattern]]:
    """Each English string that French words differently, as a pattern ({n} matches anything)."""
    en, fr = catalog("en"), catalog("fr")
    patterns = []
    for key, text in en.items():
        if fr.get(key) == text:
            continue
        if not re.search(r"[^\W\d_]", re.sub(r"\{\w+\}", "", text)):
            continue  # no word to find: a number ("1"), or an order of parts ("{month} {day}")
        parts = [re.escape(p) for p in re.split(r"\{\w+\}", text)]
        patterns.append((key, re.compile(r"(?<!\w)" + ".{0,80}?".join(parts) + r"(?!\w)")))
    return patterns


def test_catalogs_have_the_same_keys_and_parameters():
    en = catalog("en")
    index = json.loads((CATALOGS / "index.json").read_text())["languages"]
    assert {"en", "fr"} <= {lang["code"] for lang in index}
    for lang in index:
        other = catalog(lang["code"])
        assert set(other) <= set(en), lang["code"]
        for key, text in other.items():
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", en[key])), key
    assert set(catalog("fr")) == set(en)


def test_every_offered_language_is_complete():
    """A language is offered (index.json) only once its catalog has every string: a child
    never meets half a language. Arabic (a stub for the right-to-left layout) waits."""
    en = catalog("en")
    offered = json.loads((CATALOGS / "index.json").read_text())["languages"]
    for lang in offered:
        missing = sorted(set(en) - set(catalog(lang["code"])))
        assert missing == [], f"{lang['code']} is offered but lacks {missing}"
        assert all(text.strip() for text in catalog(lang["code"]).values()), lang["code"]
    stubs = [p.stem for p in CATALOGS.glob("*.json") if p.stem != "index"]
    hidden = set(stubs) - {lang["code"] for lang in offered}
    assert all(set(en) - set(catalog(code)) for code in hidden), "complete but not offered"


PLACEHOLDER = re.compile(r"\{\w+\}")
#: A catalog key shown as it is ("admin.dashboard.classs"): the app asked for a string no
#: catalog has, and ``t`` gave the key back. Matched by the catalogs' own first words.
_FIRST_WORDS = "|".join(sorted({key.split(".")[0] for key in catalog("en")}, key=len, reverse=True))
RAW_KEY = re.compile(rf"(?<![\w.])(?:{_FIRST_WORDS})\.[a-z0-9_]+(?:\.[a-z0-9_]+)*")


def unfilled(page) -> list[str]:
    """Placeholders a screen shows unfilled ("{n} min behind"), a string used without its
    parameters, and keys shown for want of their string, in the text or the labels."""
    shown = page.evaluate(
        "document.body.innerText + '\\n' + [...document.querySelectorAll('[aria-label],[title]')]"
        ".map(e => e.getAttribute('aria-label') || e.title).join('\\n')"
    )
    return PLACEHOLDER.findall(shown) + RAW_KEY.findall(shown)


def test_a_key_shown_for_want_of_its_string_is_found():
    assert RAW_KEY.findall("Schools\nadmin.dashboard.classss\n12 answers") == [
        "admin.dashboard.classss"
    ]
    assert RAW_KEY.findall("home.next_up: 3") == ["home.next_up"]
    # Data that merely holds a dot is not a key: a web address, a file, a decimal.
    assert RAW_KEY.findall("see www.admin.org, roster-example.csv, 7.5 answers, home") == []


@pytest.mark.slow
def test_french_leaves_no_english_string(node, device):
    page = device.new_page()
    patterns = english_patterns()
    seen = []
    for screen in every_page(page, node.url, "fr"):
        assert page.evaluate("document.documentElement.lang") == "fr"
        text = page.locator("body").inner_text()
        labels = page.evaluate(
            "[...document.querySelectorAll('[aria-label],[alt],[title]')].map(e => e.getAttribute('aria-label') || e.alt || e.title).join('\\n')"
        )
        found = [key for key, pattern in patterns if pattern.search(text) or pattern.search(labels)]
        assert found == [], f"{screen}: English strings {found}"
        assert not unfilled(page), (screen, unfilled(page))
        seen.append(screen)
    assert {"home", "play-quiz", "play-practice", "play-project", "goals", "history"} <= set(seen)


def offer_arabic(page) -> None:
    """Serve index.json with the Arabic stub offered, as a school that completed it would."""
    index = json.loads((CATALOGS / "index.json").read_text())
    index["languages"].append({"code": "ar", "name": "العربية", "dir": "rtl"})
    page.route(
        "**/client/i18n/index.json",
        lambda route: route.fulfill(content_type="application/json", body=json.dumps(index)),
    )


@pytest.mark.slow
def test_right_to_left_layout(node, device):
    page = device.new_page()
    offer_arabic(page)
    screens = every_page(page, node.url, "ar")
    for screen in screens:
        if screen == "home":
            break
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    brand = page.locator(".brand").bounding_box()
    language = page.locator("#language").bounding_box()
    assert brand["x"] > language["x"]  # the header reads from the right
    h1 = page.locator("main h1").bounding_box()
    main = page.locator("main").bounding_box()
    assert abs((h1["x"] + h1["width"]) - (main["x"] + main["width"])) < 40
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    # A key the stub catalog lacks falls back to English rather than showing its key.
    assert "home.mastery" not in page.locator("body").inner_text()
