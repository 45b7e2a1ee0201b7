"""Rosters read from files: a simple CSV, or a OneRoster 1.1 CSV bundle (oneroster.py).

Reading is pure: bytes in, a ``Roster`` out (classes, people, enrolments, each keyed
by the roster's own id) with every bad row as a ``Problem`` naming file, line, field
and what is wrong. Nothing here touches the database: services/roster.py compares a
roster with the school and applies it, and only when it has no problem at all.

The simple CSV has one row per student and a header naming its columns::

    class,given_name,family_name,username,picture_password
    Acacia class,Amina,Diallo,,sun goat drum

``username`` and ``picture_password`` (three of the twelve picture keys, separated by
spaces, commas or dashes) may be empty or left out.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..auth.passwords import PICTURE_PASSWORD_LENGTH, PICTURES

#: The largest roster file or bundle read (a district's export is a few MB).
MAX_ROSTER_BYTES = 20 * 1024 * 1024
MAX_NAME = 100  # each of given and family name; a display name is at most 200


@dataclass(frozen=True)
class Problem:
    """One bad row (or file): where it is and what is wrong, in plain words."""

    file: str
    line: int  # 1-based line of the file (the header is line 1); 0 for the file itself
    field: str
    problem: str

    def as_dict(self) -> dict[str, object]:
        """The problem as the API and the CLI report it."""
        return {"file": self.file, "line": self.line, "field": self.field, "problem": self.problem}


@dataclass
class RosterClass:
    """A class of the roster."""

    key: str  # the roster's id: a OneRoster sourcedId, or csv:<name>
    name: str
    grade: str | None = None


@dataclass
class RosterPerson:
    """A student or teacher of the roster, and the classes they belong to."""

    key: str
    role: str  # student or teacher
    given_name: str
    family_name: str
    username: str | None = None
    pictures: list[str] | None = None
    classes: list[str] = field(default_factory=list)  # keys of RosterClass
    where: tuple[str, int] = ("", 0)  # file and line it came from
    orgs: tuple[str, ...] = ()  # OneRoster: the orgs (schools) the user belongs to

    @property
    def display_name(self) -> str:
        """Given and family name, as the school shows them."""
        return f"{self.given_name} {self.family_name}".strip()


@dataclass
class RosterSession:
    """A OneRoster academic session: kept for the results export's grading periods."""

    key: str  # its sourcedId
    title: str
    type: str  # gradingPeriod, semester, schoolYear or term
    start_date: str  # ISO date
    end_date: str
    parent: str = ""
    school_year: str = ""


@dataclass
class Roster:
    """What a roster file says, and what is wrong with it."""

    kind: str  # "csv" or "oneroster"
    classes: dict[str, RosterClass] = field(default_factory=dict)
    people: dict[str, RosterPerson] = field(default_factory=dict)
    # (class key, person key) pairs a OneRoster bundle marks tobedeleted
    removed: set[tuple[str, str]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)  # e.g. {"users: guardian": 3}
    # OneRoster: the schools (orgs of type school): sourcedId -> (name, identifier, line),
    # and each class's school, so that a hub routes each to its school (split_by_school).
    schools: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    class_school: dict[str, str] = field(default_factory=dict)
    # OneRoster: its academic sessions (school years, terms, grading periods), by sourcedId.
    sessions: dict[str, RosterSession] = field(default_factory=dict)
    sessions_removed: set[str] = field(default_factory=set)

    def bad(self, file: str, line: int, name: str, problem: str) -> None:
        """Record a bad row."""
        self.problems.append(Problem(file, line, name, problem))

    def ignore(self, what: str) -> None:
        """Count a row the import leaves out on purpose (a parent, demographics)."""
        self.ignored[what] = self.ignored.get(what, 0) + 1


class RosterError(Exception):
    """Raised when a roster cannot be read at all (not a CSV, not a bundle, too big)."""


def parse_pictures(text: str) -> list[str] | None:
    """Three picture keys from 'sun goat drum' (or with commas or dashes); None if not."""
    keys = [k for k in re.split(r"[\s,;\-]+", text.strip().lower()) if k]
    if len(keys) != PICTURE_PASSWORD_LENGTH or any(k not in PICTURES for k in keys):
        return None
    return keys


def decode(data: bytes, name: str) -> str:
    """CSV bytes as text: UTF-8 (a spreadsheet's byte-order mark too)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(f"{name} is not UTF-8 text (byte {exc.start}).") from exc


def csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (lower-cased, trimmed) and each row with its 1-based line number."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], []
    except csv.Error as exc:
        raise RosterError(f"Not a CSV file: {exc}.") from exc
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines, a spreadsheet's trailing rows
            row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
            if len(values) > len(header):
                row["\0extra"] = str(len(values) - len(header))
            rows.append((line, row))
    except csv.Error as exc:
        raise RosterError(f"Not a CSV file (line {reader.line_num}): {exc}.") from exc
    return header, rows


_SIMPLE_COLUMNS = {
    "class": ("class", "classroom", "class_name"),
    "given_name": ("given_name", "given name", "first_name", "first name", "givenname"),
    "family_name": ("family_name", "family name", "last_name", "last name", "familyname"),
    "username": ("username", "user_name"),
    "picture_password": ("picture_password", "picture password", "pictures"),
}


def read_simple_csv(text: str, name: str = "roster.csv") -> Roster:
    """A simple CSV roster: one row per student (module docstring)."""
    roster = Roster("csv")
    header, rows = csv_rows(text)
    columns: dict[str, str] = {}
    lowered = {h.lower(): h for h in header}
    for column, names in _SIMPLE_COLUMNS.items():
        found = next((lowered[n] for n in names if n in lowered), None)
        if found:
            columns[column] = found
    for required in ("class", "given_name", "family_name"):
        if required not in columns:
            roster.bad(name, 1, required, f"The header has no {required} column.")
    if roster.problems:
        return roster
    usernames: dict[str, int] = {}
    for line, row in rows:
        values = {c: row.get(h, "") for c, h in columns.items()}
        problems = len(roster.problems)
        if "\0extra" in row:
            roster.bad(name, line, "", "The row has more values than the header has columns.")
        for column in ("class", "given_name", "family_name"):
            if not values[column]:
                roster.bad(name, line, column, "Empty; every student needs it.")
            elif len(values[column]) > MAX_NAME:
                roster.bad(name, line, column, f"Longer than {MAX_NAME} characters.")
        username = values.get("username") or None
        if username:
            if username.lower() in usernames:
                roster.bad(
                    name,
                    line,
                    "username",
                    f"{username!r} is already on line {usernames[username.lower()]}.",
                )
            usernames.setdefault(username.lower(), line)
        pictures = None
        if values.get("picture_password"):
            pictures = parse_pictures(values["picture_password"])
            if pictures is None:
                roster.bad(
                    name,
                    line,
                    "picture_password",
                    "Not three of the pictures " + ", ".join(PICTURES) + ".",
                )
        if len(roster.problems) > problems:
            continue
        class_key = "csv:" + values["class"].casefold()
        roster.classes.setdefault(class_key, RosterClass(class_key, values["class"]))
        display = f"{values['given_name']} {values['family_name']}"
        key = "csv:user:" + username.casefold() if username else f"{class_key}:{display.casefold()}"
        if key in roster.people:
            other = roster.people[key].where[1]
            roster.bad(name, line, "given_name", f"The same student is already on line {other}.")
            continue
        roster.people[key] = RosterPerson(
            key,
            "student",
            values["given_name"],
            values["family_name"],
            username,
            pictures,
            [class_key],
            (name, line),
        )
    return roster


def bundle_files(path: Path) -> dict[str, bytes]:
    """The CSV files of a OneRoster bundle, a zip file or a folder, by lower-case name."""
    files: dict[str, bytes] = {}
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.suffix.lower() == ".csv" and entry.is_file():
                files[entry.name.lower()] = entry.read_bytes()
        return files
    return zip_files(path.read_bytes())


def zip_files(data: bytes) -> dict[str, bytes]:
    """The CSV files of a zipped bundle (at its top, or in one folder), by lower-case name."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise RosterError("Not a zip file.") from exc
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            base = info.filename.rsplit("/", 1)[-1].lower()
            if info.is_dir() or not base.endswith(".csv") or base.startswith("."):
                continue
            total += info.file_size
            if total > MAX_ROSTER_BYTES:
                raise RosterError("The bundle is larger than a roster can be when unzipped.")
            files[base] = archive.read(info)
    return files


def is_zip(data: bytes) -> bool:
    """Whether bytes look like a zip file (its local header signature)."""
    return data[:4] == b"PK\x03\x04"
