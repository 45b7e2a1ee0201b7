"""OneRoster 1.1 CSV bundles: manifest.csv, orgs, academicSessions, courses, classes,
users and enrollments (demographics and the rest are ignored).

Only what a classroom needs is kept: classes (title, grades), students and teachers
(names, username; a student's ``password`` when it is a picture password such as
``sun goat drum``), and who is in which class. Guardians, aides and others are left
out and counted. Every reference is checked (a class's course, school and terms; an
enrolment's class and user), so a bundle either imports whole or reports every bad row.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from .roster import (
    MAX_NAME,
    Roster,
    RosterClass,
    RosterError,
    RosterPerson,
    RosterSession,
    csv_rows,
    decode,
    parse_pictures,
)

# The files read, with the columns each must have (OneRoster 1.1 CSV, "bulk").
REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name", "type"),
    "academicSessions.csv": ("sourcedId", "title", "type", "startDate", "endDate"),
    "courses.csv": ("sourcedId", "title", "orgSourcedId"),
    "classes.csv": ("sourcedId", "title", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
    "users.csv": (
        "sourcedId",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "givenName",
        "familyName",
    ),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
}
USER_ROLES = (
    "administrator",
    "aide",
    "guardian",
    "parent",
    "proctor",
    "relative",
    "student",
    "teacher",
)
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher", "aide")
STATUSES = ("", "active", "tobedeleted")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")


def _manifest(files: dict[str, bytes], roster: Roster) -> dict[str, str]:
    if "manifest.csv" not in files:
        roster.bad("manifest.csv", 0, "", "The bundle has no manifest.csv.")
        return {}
    header, rows = csv_rows(decode(files["manifest.csv"], "manifest.csv"))
    if header[:2] != ["propertyName", "value"]:
        roster.bad("manifest.csv", 1, "propertyName", "The header must be propertyName,value.")
        return {}
    manifest = {row["propertyName"]: row["value"] for _line, row in rows}
    if manifest.get("oneroster.version") != "1.1":
        line = next((ln for ln, r in rows if r["propertyName"] == "oneroster.version"), 0)
        roster.bad(
            "manifest.csv",
            line,
            "oneroster.version",
            f"Version {manifest.get('oneroster.version', 'none')!r}: only OneRoster 1.1 is read.",
        )
    return manifest


def _table(
    files: dict[str, bytes], manifest: dict[str, str], name: str, roster: Roster
) -> list[tuple[int, dict[str, str]]]:
    """The rows of one file the manifest says is there ("bulk"), checked for its columns."""
    mode = manifest.get(f"file.{name.removesuffix('.csv')}", "absent")
    if mode == "absent":
        if name in ("classes.csv", "users.csv", "enrollments.csv"):
            roster.bad("manifest.csv", 0, f"file.{name[:-4]}", "A roster needs this file (bulk).")
        return []
    if mode != "bulk":
        roster.bad(
            "manifest.csv",
            0,
            f"file.{name[:-4]}",
            f"{mode!r}: only bulk files are read (a delta needs the bundle it changes).",
        )
        return []
    data = files.get(name.lower())
    if data is None:
        roster.bad(name, 0, "", "The manifest lists this file but the bundle lacks it.")
        return []
    header, rows = csv_rows(decode(data, name))
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    for column in missing:
        roster.bad(name, 1, column, "The header lacks this column.")
    if missing:
        return []
    seen: dict[str, int] = {}
    kept = []
    for line, row in rows:
        if "\0extra" in row:
            roster.bad(name, line, "", "The row has more values than the header has columns.")
            continue
        sourced = row["sourcedId"]
        if not sourced:
            roster.bad(name, line, "sourcedId", "Empty; every row needs its id.")
            continue
        if sourced in seen:
            roster.bad(name, line, "sourcedId", f"{sourced!r} is already on line {seen[sourced]}.")
            continue
        seen[sourced] = line
        if row.get("status", "") not in STATUSES:
            roster.bad(name, line, "status", f"{row['status']!r} is not active or tobedeleted.")
            continue
        kept.append((line, row))
    return kept


def _ids(rows: list[tuple[int, dict[str, str]]]) -> set[str]:
    return {row["sourcedId"] for _line, row in rows}


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _refs(
    roster: Roster, file: str, line: int, column: str, value: str, known: set[str], what: str
) -> bool:
    """Check each id of a (comma-separated) reference; report the unknown ones."""
    ok = True
    for ref in _list(value) or [""]:
        if not ref:
            roster.bad(file, line, column, f"Empty; it names the {what}.")
            ok = False
        elif ref not in known:
            roster.bad(file, line, column, f"No {what} with sourcedId {ref!r} in the bundle.")
            ok = False
    return ok


def read_oneroster(files: dict[str, bytes]) -> Roster:
    """Read a OneRoster 1.1 CSV bundle (file name, lower case -> bytes)."""
    roster = Roster("oneroster")
    if not files:
        raise RosterError("No CSV file in the bundle.")
    manifest = _manifest(files, roster)
    if roster.problems:
        return roster
    tables = {name: _table(files, manifest, name, roster) for name in REQUIRED_COLUMNS}
    orgs = _ids(tables["orgs.csv"])
    for line, row in tables["orgs.csv"]:
        if row["type"] == "school" and row["sourcedId"]:
            identifier = row.get("identifier") or ""
            roster.schools[row["sourcedId"]] = (row["name"], identifier, line)
    sessions = _ids(tables["academicSessions.csv"])
    courses = _ids(tables["courses.csv"])
    for line, row in tables["academicSessions.csv"]:
        _session(roster, line, row)
    for line, row in tables["courses.csv"]:
        if not row["title"]:
            roster.bad("courses.csv", line, "title", "Empty; every course needs a title.")
        _refs(roster, "courses.csv", line, "orgSourcedId", row["orgSourcedId"], orgs, "org")
    for line, row in tables["classes.csv"]:
        ok = True
        if not row["title"]:
            roster.bad("classes.csv", line, "title", "Empty; every class needs a title.")
            ok = False
        elif len(row["title"]) > 200:
            roster.bad("classes.csv", line, "title", "Longer than 200 characters.")
            ok = False
        for column, known, what in (
            ("courseSourcedId", courses, "course"),
            ("schoolSourcedId", orgs, "org"),
            ("termSourcedIds", sessions, "academic session"),
        ):
            ok = _refs(roster, "classes.csv", line, column, row[column], known, what) and ok
        if ok and row.get("status") != "tobedeleted":
            grade = ", ".join(_list(row.get("grades", ""))) or None
            roster.classes[row["sourcedId"]] = RosterClass(row["sourcedId"], row["title"], grade)
            roster.class_school[row["sourcedId"]] = row["schoolSourcedId"]
    users: dict[str, str] = {}  # sourcedId -> role, of every well-formed user
    usernames: dict[str, int] = {}  # a teacher's username -> its line: one account each
    for line, row in tables["users.csv"]:
        if row["role"] == "teacher" and row["username"]:
            name = row["username"].casefold()
            if name in usernames:
                roster.bad(
                    "users.csv", line, "username",
                    f"{row['username']!r} is already a teacher's on line {usernames[name]}.",
                )  # fmt: skip
                continue
            usernames[name] = line
        users.update(_user(roster, line, row, orgs))
    class_ids = _ids(tables["classes.csv"])
    for line, row in tables["enrollments.csv"]:
        _enrollment(roster, line, row, class_ids, users, orgs)
    if "demographics.csv" in files:
        roster.ignore("demographics.csv")
    return roster


def _session(roster: Roster, line: int, row: dict[str, str]) -> None:
    """Check one academic session; keep a good one (the results export refers to it)."""
    file, problems = "academicSessions.csv", len(roster.problems)
    for column in ("title", "startDate", "endDate"):
        if not row[column]:
            roster.bad(file, line, column, "Empty.")
        elif column != "title" and _date(row[column]) is None:
            roster.bad(file, line, column, f"{row[column][:40]!r} is not a date (YYYY-MM-DD).")
    if len(row["sourcedId"]) > 255:
        roster.bad(file, line, "sourcedId", "Longer than 255 characters.")
    if row["type"] not in SESSION_TYPES:
        roster.bad(file, line, "type", f"{row['type'][:40]!r} is not {', '.join(SESSION_TYPES)}.")
    if len(roster.problems) > problems:
        return
    if row.get("status") == "tobedeleted":
        roster.sessions_removed.add(row["sourcedId"])
        return
    if row["startDate"] > row["endDate"]:
        roster.bad(file, line, "endDate", "Before its startDate.")
        return
    year = row.get("schoolYear", "")
    roster.sessions[row["sourcedId"]] = RosterSession(
        row["sourcedId"], row["title"][:255], row["type"], row["startDate"], row["endDate"],
        row.get("parentSourcedId", "")[:255], year if len(year) == 4 and year.isdigit() else "",
    )  # fmt: skip


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _user(roster: Roster, line: int, row: dict[str, str], orgs: set[str]) -> dict[str, str]:
    file, key = "users.csv", row["sourcedId"]
    problems = len(roster.problems)
    role = row["role"]
    if role not in USER_ROLES:
        roster.bad(file, line, "role", f"{role!r} is not a OneRoster role.")
    if row["enabledUser"].lower() not in ("true", "false"):
        roster.bad(file, line, "enabledUser", "Must be true or false.")
    _refs(roster, file, line, "orgSourcedIds", row["orgSourcedIds"], orgs, "org")
    if role in ("student", "teacher"):
        for column in ("givenName", "familyName"):
            if not row[column]:
                roster.bad(file, line, column, f"Empty; every {role} needs it.")
            elif len(row[column]) > MAX_NAME:
                roster.bad(file, line, column, f"Longer than {MAX_NAME} characters.")
        if role == "teacher" and not row["username"]:
            roster.bad(file, line, "username", "Empty; a teacher signs in with it.")
    if len(roster.problems) > problems:
        return {}
    if role not in ("student", "teacher"):
        roster.ignore(f"users.csv: {role}")
        return {key: role}
    if row.get("status") == "tobedeleted" or row["enabledUser"].lower() == "false":
        return {key: role}  # not imported; its enrolments are skipped with it
    pictures = parse_pictures(row.get("password", "")) if role == "student" else None
    roster.people[key] = RosterPerson(
        key,
        role,
        row["givenName"],
        row["familyName"],
        row["username"] or None,
        pictures,
        [],
        (file, line),
        tuple(_list(row["orgSourcedIds"])),
    )
    return {key: role}


def _enrollment(
    roster: Roster,
    line: int,
    row: dict[str, str],
    classes: set[str],
    users: dict[str, str],
    orgs: set[str],
) -> None:
    file = "enrollments.csv"
    ok = _refs(roster, file, line, "classSourcedId", row["classSourcedId"], classes, "class")
    ok = _refs(roster, file, line, "schoolSourcedId", row["schoolSourcedId"], orgs, "org") and ok
    ok = _refs(roster, file, line, "userSourcedId", row["userSourcedId"], set(users), "user") and ok
    role = row["role"]
    if role not in ENROLLMENT_ROLES:
        roster.bad(file, line, "role", f"{role!r} is not a OneRoster enrolment role.")
        return
    if not ok:
        return
    user_role = users[row["userSourcedId"]]
    if role in ("student", "teacher") and user_role in ("student", "teacher") and role != user_role:
        roster.bad(file, line, "role", f"The user is a {user_role}, enrolled here as a {role}.")
        return
    person = roster.people.get(row["userSourcedId"])
    class_key = row["classSourcedId"]
    if person is None or role not in ("student", "teacher") or class_key not in roster.classes:
        roster.ignore(f"enrollments.csv: {role}" if person else "enrollments.csv: not imported")
        return
    if row.get("status") == "tobedeleted":
        roster.removed.add((class_key, person.key))
    elif class_key not in person.classes:
        person.classes.append(class_key)


def split_by_school(roster: Roster) -> dict[str, Roster]:
    """A district's bundle as one roster per school org (sourcedId -> its part).

    A class goes to its ``schoolSourcedId``; a person to every school among their
    ``orgSourcedIds`` and of their classes, with only that school's classes. So a
    school's part names nobody of another school, and each school's nodes receive
    only their own people.
    """
    parts: dict[str, Roster] = {}
    for org in roster.schools:
        part = Roster(roster.kind, ignored=dict(roster.ignored))
        part.classes = {
            key: c for key, c in roster.classes.items() if roster.class_school.get(key) == org
        }
        for key, person in roster.people.items():
            classes = [c for c in person.classes if c in part.classes]
            if org in person.orgs or classes:
                part.people[key] = replace(person, classes=classes)
        part.removed = {(c, p) for c, p in roster.removed if c in part.classes}
        if part.classes or part.people:
            parts[org] = part
    return parts
