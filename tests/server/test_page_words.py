"""The pages the node writes itself (start, /trust, the printed plan) take their words
from the apps' catalogs (server/pages/words.py): every string they name exists in each
language offered, and a language no one offers falls back to English."""

from __future__ import annotations

import datetime
import re

from server.pages.words import I18N_DIR, Words, offered
from server.paths import ROOT

TEMPLATES = ROOT / "server" / "templates"
NAMED = re.compile(r"""\bt\(\s*["']([\w.]+)["']""")


def test_every_string_a_page_names_is_in_every_offered_language():
    named = {key for page in TEMPLATES.glob("*.html") for key in NAMED.findall(page.read_text())}
    literal = {key for key in named if not key.endswith(".")}  # "kind." ~ kind: has() guards it
    assert len(literal) > 80
    for language in offered():
        words = Words(language["code"])
        assert words.language == language["code"]
        missing = sorted(key for key in literal if not words.has(key))
        assert missing == [], (language["code"], missing)
        # Each language's own catalogs hold them (not English standing in).
        own = (I18N_DIR / f"{language['code']}.json").read_text() + (
            I18N_DIR / "staff" / f"{language['code']}.json"
        ).read_text()
        assert [key for key in literal if f'"{key}"' not in own] == [], language["code"]


def test_words_fill_their_parameters_and_fall_back_to_english():
    french = Words("xx", None, "fr")  # the first the apps offer
    assert french.language == "fr" and french.direction == "ltr"
    assert french("plan.title", name="Amina") == "Plan d'apprentissage individuel : Amina"
    assert french("goal.kind.master_skill", skill={"en": "Count", "fr": "Compter"}).endswith(
        "Compter"
    )
    assert Words("../../etc", "").language == "en"
    assert Words().pick({"de": "Zählen"}) == "Zählen"


def test_a_day_is_written_as_each_language_writes_it():
    english, french = Words("en"), Words("fr")
    assert english.day("2026-12-05") == "December 5, 2026"
    assert french.day("2026-12-05") == "5 décembre 2026"
    assert french.day(datetime.date(2027, 5, 1)) == "1er mai 2027"  # the first: "1er"
    assert english.day("2027-05-01T08:00:00") == "May 1, 2027"
    assert english.day("not a day") == "not a day"  # anything else, as it is
    assert len(english("plan.months").split(",")) == len(french("plan.months").split(",")) == 12
