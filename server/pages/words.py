"""The apps' strings, for the pages the node writes itself (the printable learning plan).

They come from the catalogs the apps load (``client/i18n/CODE.json``, the students'
strings, and ``client/i18n/staff/CODE.json``, the teachers'), read once per process: a
page says what the apps say, in the languages the school offers (``index.json``), and a
string a language lacks falls back to English, as it does in the apps.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from typing import Any

from ..paths import CLIENT_DIR

I18N_DIR = CLIENT_DIR / "i18n"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def offered() -> tuple[dict[str, str], ...]:
    """The languages the apps offer: {code, name, dir} each, from index.json."""
    return tuple(json.loads((I18N_DIR / "index.json").read_text("utf-8"))["languages"])


@cache
def _catalog(code: str) -> dict[str, str]:
    """One language's strings, the students' and the teachers' (``code`` is offered)."""
    strings: dict[str, str] = {}
    for path in (I18N_DIR / f"{code}.json", I18N_DIR / "staff" / f"{code}.json"):
        if path.is_file():
            strings.update(json.loads(path.read_text("utf-8")))
    return strings


class Words:
    """The strings of one language: ``words("key", name=...)`` fills its {name}."""

    def __init__(self, *wanted: str | None) -> None:
        """The first of ``wanted`` the apps offer, else English."""
        by_code = {language["code"]: language for language in offered()}
        chosen = next((code for code in wanted if code in by_code), "en")
        self.language = chosen
        self.direction = by_code.get(chosen, {}).get("dir", "ltr")
        self._names = {code: language["name"] for code, language in by_code.items()}
        self._strings = {**_catalog("en"), **_catalog(chosen)}

    def __call__(self, key: str, **params: Any) -> str:
        text = self._strings[key]  # an unknown key is a bug: the tests read every page
        return _PLACEHOLDER.sub(
            lambda m: self.pick(params[m.group(1)]) if m.group(1) in params else m.group(0), text
        )

    def has(self, key: str) -> bool:
        return key in self._strings

    def pick(self, value: Any) -> str:
        """A text in this language from a {language: text} (a title), else as it is."""
        if isinstance(value, dict):
            return str(
                value.get(self.language) or value.get("en") or next(iter(value.values()), "")
            )
        return str(value)

    def day(self, value: Any) -> str:
        """A calendar day ("2026-12-05", or a date) as this language writes it: "December 5,
        2026", "5 décembre 2026" (``plan.day``, ``plan.months``); other text as it is."""
        try:
            when = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
        months = self("plan.months").split(",")
        first = self("plan.first_day")  # "1er" in French
        return self(
            "plan.day",
            day=first if when.day == 1 else str(when.day),
            month=months[when.month - 1].strip(),
            year=str(when.year),
        )

    def language_name(self, code: str) -> str:
        """A language as the apps name it (in itself: "Français"), or its code."""
        return self._names.get(code, code)


def for_request(request: Any) -> Words:
    """The words of a page a browser asked for: the language its link chose
    (``?language=``), else the first of the browser's the apps offer, else English."""
    codes = [language["code"] for language in offered()]
    return Words(request.args.get("language"), request.accept_languages.best_match(codes))
