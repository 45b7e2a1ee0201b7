"""Importing a roster into a school: what would change, and changing it all or nothing.

A roster (server/interop/roster.py) names classes and people by its own ids; those
are kept as ``source_id`` on the rows (migration 0011), so importing the same roster
again finds them and updates them, never duplicating. A row made before the roster
(a class of the same name, a student of the same name in that class, a teacher of the
same username) is adopted the first time, for the same reason. A roster with any bad
row imports nothing: the report names every one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import fn

from sync.stamp import school_partition

from ..auth.passwords import hash_picture_password, verify_picture_password
from ..db import write_transaction
from ..errors import InvalidInput
from ..interop.oneroster import read_oneroster, split_by_school
from ..interop.roster import (
    MAX_ROSTER_BYTES,
    Problem,
    Roster,
    RosterError,
    bundle_files,
    decode,
    is_zip,
    read_simple_csv,
    zip_files,
)
from ..models import AcademicSession, Classroom, Enrollment, Person, School
from ..models.base import utcnow
from . import schools


def read_upload(data: bytes, name: str = "roster.csv") -> Roster:
    """A roster from uploaded bytes: a zipped OneRoster bundle, or a simple CSV."""
    try:
        if len(data) > MAX_ROSTER_BYTES:
            raise RosterError("The roster is larger than 20 MB.")
        if is_zip(data):
            return read_oneroster(zip_files(data))
        return read_simple_csv(decode(data, name), name)
    except RosterError as exc:
        problem = Problem(name, 0, "", str(exc)).as_dict()
        raise InvalidInput(str(exc), {"problems": [problem]}) from exc


def read_path(path: Path) -> Roster:
    """A roster from the disk: a OneRoster folder or zip, or a simple CSV file."""
    if path.is_dir():
        try:
            return read_oneroster(bundle_files(path))
        except RosterError as exc:
            problem = Problem(path.name, 0, "", str(exc)).as_dict()
            raise InvalidInput(str(exc), {"problems": [problem]}) from exc
    if path.stat().st_size > MAX_ROSTER_BYTES:
        raise InvalidInput("The roster is larger than 20 MB.")
    return read_upload(path.read_bytes(), path.name)


@dataclass
class _Plan:
    classes: dict[str, Classroom | None] = field(default_factory=dict)  # key -> existing row
    people: dict[str, Person | None] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def note(self, what: str, action: str, **detail: Any) -> None:
        self.counts.setdefault(
            what, {"create": 0, "update": 0, "unchanged": 0, "add": 0, "remove": 0}
        )
        self.counts[what][action] += 1
        if action != "unchanged":
            self.changes.append({"what": what, "action": action, **detail})


def _existing_class(school_id: str, roster: Roster, key: str) -> Classroom | None:
    found = (
        Classroom.live()
        .where((Classroom.school_id == school_id) & (Classroom.source_id == key))
        .first()
    )
    if found is None and roster.kind == "csv":
        name = roster.classes[key].name.casefold()
        for classroom in Classroom.live().where(
            (Classroom.school_id == school_id) & Classroom.source_id.is_null()
        ):
            if classroom.name.casefold() == name:
                return classroom
    return found


def _existing_person(school_id: str, plan: _Plan, person: Any) -> Person | None:
    found = (
        Person.live()
        .where((Person.school_id == school_id) & (Person.source_id == person.key))
        .first()
    )
    if found is not None:
        return found
    if person.role == "teacher":
        return (
            Person.live()
            .where((Person.username == person.username) & Person.source_id.is_null())
            .first()
        )
    class_ids = [c.id for k in person.classes if (c := plan.classes.get(k)) is not None]
    if not class_ids:
        return None
    in_classes = Enrollment.live(Enrollment.person_id).where(Enrollment.classroom_id.in_(class_ids))
    candidates = Person.live().where(
        Person.id.in_(in_classes) & (Person.role == "student") & Person.source_id.is_null()
    )
    name = person.display_name.casefold()
    return next((p for p in candidates if p.display_name.casefold() == name), None)


def _plan(school_id: str, roster: Roster) -> _Plan:
    plan = _Plan()
    for key, item in roster.classes.items():
        row = plan.classes[key] = _existing_class(school_id, roster, key)
        if row is None:
            plan.note("classes", "create", name=item.name)
        elif row.name != item.name or (item.grade and row.grade != item.grade):
            plan.note("classes", "update", name=item.name, was=row.name)
        else:
            plan.note("classes", "unchanged")
    for key, item in roster.people.items():
        what = item.role + "s"
        row = plan.people[key] = _existing_person(school_id, plan, item)
        if item.role == "teacher":
            owner = Person.live().where(Person.username == item.username).first()
            if owner is not None and (row is None or owner.id != row.id):
                plan.problems.append(
                    Problem(
                        *item.where,
                        "username",
                        f"{item.username!r} is another person's username here.",
                    )
                )
        if row is None:
            plan.note(what, "create", name=item.display_name)
        elif row.role != item.role:
            plan.problems.append(
                Problem(*item.where, "role", f"{row.display_name} is a {row.role} here.")
            )
        elif row.display_name != item.display_name or (
            item.pictures and not verify_picture_password(row.picture_password_hash, item.pictures)
        ):
            plan.note(what, "update", name=item.display_name, was=row.display_name)
        else:
            plan.note(what, "unchanged")
        for class_key in item.classes:
            classroom = plan.classes[class_key]
            enrolled = (
                row is not None
                and classroom is not None
                and Enrollment.live()
                .where((Enrollment.classroom_id == classroom.id) & (Enrollment.person_id == row.id))
                .exists()
            )
            name = roster.classes[class_key].name
            plan.note(
                "enrollments",
                "unchanged" if enrolled else "add",
                name=item.display_name,
                classroom=name,
            )
    for class_key, person_key in sorted(roster.removed):
        classroom, row = plan.classes.get(class_key), plan.people.get(person_key)
        if (
            classroom is not None
            and row is not None
            and Enrollment.live()
            .where((Enrollment.classroom_id == classroom.id) & (Enrollment.person_id == row.id))
            .exists()
        ):
            name = roster.people[person_key].display_name
            plan.note("enrollments", "remove", name=name, classroom=roster.classes[class_key].name)
    return plan


def _apply(school_id: str, roster: Roster, plan: _Plan) -> None:
    partition = school_partition(school_id)
    classes: dict[str, Classroom] = {}
    for key, item in roster.classes.items():
        row = plan.classes[key]
        if row is None:
            row = Classroom(
                school_id=school_id,
                partition=partition,
                name=item.name,
                grade=item.grade,
                source_id=key,
            )
            row.save(force_insert=True)
        elif (
            row.name != item.name
            or row.source_id != key
            or (item.grade and row.grade != item.grade)
        ):
            row.name, row.source_id, row.grade = item.name, key, item.grade or row.grade
            row.save()
        classes[key] = row
    for key, item in roster.people.items():
        row = plan.people[key]
        if row is None:
            row = Person(
                school_id=school_id,
                partition=partition,
                role=item.role,
                display_name=item.display_name,
                source_id=key,
                username=item.username if item.role == "teacher" else None,
                picture_password_hash=hash_picture_password(item.pictures)
                if item.pictures
                else None,
            )
            row.save(force_insert=True)
        else:
            new_pictures = item.pictures and not verify_picture_password(
                row.picture_password_hash, item.pictures
            )
            if row.display_name != item.display_name or row.source_id != key or new_pictures:
                row.display_name, row.source_id = item.display_name, key
                if new_pictures:
                    row.picture_password_hash = hash_picture_password(item.pictures)
                row.save()
        for class_key in item.classes:
            schools.enrol(classes[class_key], row, item.role)
        plan.people[key] = row
    for class_key, person_key in roster.removed:
        classroom, row = classes.get(class_key), plan.people.get(person_key)
        if classroom is None or row is None:
            continue
        for enrollment in Enrollment.live().where(
            (Enrollment.classroom_id == classroom.id) & (Enrollment.person_id == row.id)
        ):
            enrollment.delete_instance()


def import_roster(school_id: str, roster: Roster, dry_run: bool = False) -> dict[str, Any]:
    """Compare a roster with the school and, unless ``dry_run``, apply it all at once.

    Raises InvalidInput (nothing written) with every bad row in ``details.problems``.
    """
    problems = list(roster.problems)
    with write_transaction():
        plan = _plan(school_id, roster)
        problems += plan.problems
        if problems:
            raise InvalidInput(
                f"The roster has {len(problems)} problem(s); nothing was imported.",
                {"problems": [p.as_dict() for p in problems]},
            )
        if not dry_run:
            _apply(school_id, roster, plan)
            keep_sessions(roster)
    return {
        "kind": roster.kind,
        "dry_run": dry_run,
        "counts": plan.counts,
        "changes": plan.changes,
        "ignored": roster.ignored,
    }


def keep_sessions(roster: Roster) -> int:
    """Keep a OneRoster bundle's academic sessions for the results export; how many."""
    if roster.sessions_removed:
        AcademicSession.delete().where(
            AcademicSession.sourced_id.in_(sorted(roster.sessions_removed))
        ).execute()
    for session in roster.sessions.values():
        values = {
            "title": session.title,
            "type": session.type,
            "start_date": session.start_date,
            "end_date": session.end_date,
            "parent_sourced_id": session.parent,
            "school_year": session.school_year,
            "imported_at": utcnow(),
        }
        updated = (
            AcademicSession.update(values)
            .where(AcademicSession.sourced_id == session.key)
            .execute()
        )
        if not updated:
            AcademicSession.create(sourced_id=session.key, **values)
    return len(roster.sessions)


def _district_school(org: str, identifier: str) -> School | None:
    """The district's school an org names: by id (the org's sourcedId), else by code."""
    school = School.live().where(School.id == org).first()
    if school is None and identifier:
        school = School.live().where(fn.lower(School.code) == identifier.lower()).first()
    return school


def import_district_roster(roster: Roster, dry_run: bool = False) -> dict[str, Any]:
    """On the hub: a district's OneRoster bundle, each school's part into that school.

    Each org of type school is matched to a school of the district (its id is the
    org's sourcedId, or its code the org's identifier); its classes and people go
    to that school's partition only, so each school's nodes receive only their own
    people. All or nothing across the schools: an org with no school, a person of no
    school, or any bad row imports nothing, and every one is reported.
    """
    if roster.kind != "oneroster":
        raise InvalidInput("A district roster is a OneRoster 1.1 bundle (its orgs name schools).")
    problems = list(roster.problems)
    parts = split_by_school(roster)
    routed = {key for part in parts.values() for key in part.people}
    for key, person in roster.people.items():
        if key not in routed:
            file, line = person.where
            problems.append(
                Problem(file, line, "orgSourcedIds", "Belongs to no school of the bundle.")
            )
    targets: dict[str, School] = {}
    for org in parts:
        name, identifier, line = roster.schools[org]
        school = _district_school(org, identifier)
        if school is None:
            problems.append(
                Problem(
                    "orgs.csv", line, "sourcedId",
                    f"No school of the district is {org!r} or has the code {identifier!r} "
                    f"({name}): enrol its node first, or give the school that code.",
                )
            )  # fmt: skip
        else:
            targets[org] = school
    if problems:
        raise InvalidInput(
            f"The roster has {len(problems)} problem(s); nothing was imported.",
            {"problems": [p.as_dict() for p in problems]},
        )
    results: dict[str, Any] = {}
    with write_transaction():  # one transaction: every school's part, or none
        for org, part in parts.items():
            school = targets[org]
            results[school.id] = {"name": school.name, **import_roster(school.id, part, dry_run)}
        if not dry_run:
            keep_sessions(roster)
    return {"kind": roster.kind, "dry_run": dry_run, "schools": results}


def report_lines(result: dict[str, Any]) -> list[str]:
    """The result of an import as lines of text (the CLI prints them)."""
    lines = []
    done = {
        "create": "created",
        "update": "updated",
        "unchanged": "unchanged",
        "add": "added",
        "remove": "removed",
    }
    for what, counts in result["counts"].items():
        parts = [
            f"{n} unchanged"
            if action == "unchanged"
            else f"{n} to {action}"
            if result["dry_run"]
            else f"{n} {done[action]}"
            for action, n in counts.items()
            if n
        ]
        lines.append(f"{what}: " + (", ".join(parts) or "nothing"))
    for change in result["changes"]:
        where = f" in {change['classroom']}" if "classroom" in change else ""
        was = (
            f" (was {change['was']})"
            if change.get("was") and change["was"] != change["name"]
            else ""
        )
        lines.append(f"  {change['action']} {change['what'][:-1]}: {change['name']}{where}{was}")
    for what, n in result["ignored"].items():
        lines.append(f"ignored: {n} × {what}")
    return lines
