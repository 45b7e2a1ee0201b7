"""The district's view on the hub: schools, enrolled nodes, the dashboard, the audit log.

Who sees what: a district admin (an admin of the hub's ``DISTRICT_SCHOOL``) sees
every school; a school's admin sees their own school only; nobody else. The
dashboard reads the rollups (server.services.rollups) and small tables (goals,
peers), never the events.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from peewee import SQL, Case, NodeList, fn

from sync.stamp import school_partition

from ..auth.access import is_admin_of, is_district_admin
from ..errors import Conflict, Forbidden, NotFound
from ..models import (
    Activity,
    Answer,
    Attempt,
    AuditEntry,
    Classroom,
    Enrollment,
    Goal,
    PairingCode,
    Peer,
    Person,
    RollupContent,
    RollupDay,
    RollupMastery,
    RollupSkill,
    School,
    Skill,
)
from ..models.base import utcnow
from ..replication import peers
from ..version import __version__
from . import erasure, people, schools

LEVELS = ("district", "school", "class")


def schools_visible(user: Person, district_school: str) -> list[str] | None:
    """The schools ``user`` may see on the hub: None for every school (a district admin)."""
    if is_district_admin(user, district_school):
        return None
    if user.role == "admin" and is_admin_of(user, user.school_id):
        return [user.school_id]
    raise Forbidden("Only district admins and school admins see the district's data.")


def require_school(user: Person, district_school: str, school_id: str) -> None:
    """Raise Forbidden unless ``user`` may see that school's data."""
    visible = schools_visible(user, district_school)
    if visible is not None and school_id not in visible:
        raise Forbidden("A school's data goes only to that school's admins and district admins.")


def audit(user: Person, action: str, school_id: str | None, subject_id: str | None, detail: str):
    """Write one entry of the audit log (an export, a view of one child's record)."""
    return AuditEntry.create(
        actor_id=user.id,
        actor_name=user.display_name,
        action=action,
        school_id=school_id,
        subject_id=subject_id,
        detail=detail[:2000],
    )


def audit_entries(user: Person, district_school: str) -> Any:
    """The audit log ``user`` may read, newest first (a school admin: their school's)."""
    visible = schools_visible(user, district_school)
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if visible is not None:
        query = query.where(AuditEntry.school_id.in_(visible))
    return query


# ---------------------------------------------------------------- schools and nodes


def list_schools(user: Person, district_school: str) -> list[dict[str, Any]]:
    """Schools the hub holds, with their students, classes and nodes."""
    visible = schools_visible(user, district_school)
    query = School.live().order_by(School.name)
    if visible is not None:
        query = query.where(School.id.in_(visible))
    students = dict(
        Person.live(Person.school_id, fn.COUNT(Person.id))
        .where(Person.role == "student")
        .group_by(Person.school_id)
        .tuples()
    )
    classes = dict(
        Classroom.live(Classroom.school_id, fn.COUNT(Classroom.id))
        .group_by(Classroom.school_id)
        .tuples()
    )
    nodes = dict(
        Peer.select(Peer.school_id, fn.COUNT(Peer.id))
        .where(Peer.revoked == False)  # noqa: E712
        .group_by(Peer.school_id)
        .tuples()
    )
    admins: dict[str, list[dict[str, str]]] = {}
    for admin in Person.live().where(Person.role == "admin").order_by(Person.display_name):
        admins.setdefault(admin.school_id, []).append(
            {"display_name": admin.display_name, "username": admin.username}
        )
    return [
        {
            "id": s.id,
            "name": s.name,
            "code": s.code,
            "languages": s.languages,
            "students": students.get(s.id, 0),
            "classes": classes.get(s.id, 0),
            "nodes": nodes.get(s.id, 0),
            "admins": admins.get(s.id, []),
        }
        for s in query
    ]


def list_nodes(user: Person, district_school: str, data_dir: str) -> list[dict[str, Any]]:
    """Nodes enrolled at the hub (peers of role node), with their sync health."""
    visible = schools_visible(user, district_school)
    query = Peer.select().where(Peer.role == "node").order_by(Peer.school_id, Peer.id)
    if visible is not None:
        query = query.where(Peer.school_id.in_(visible))
    names = dict(School.select(School.id, School.name).tuples())
    now = utcnow()
    found = []
    store = peers.ListingStore("hub")
    for peer in query:
        status = peers.peer_status(peer, data_dir, role="hub", store=store)
        last = peer.last_success_at
        found.append(
            {
                **status,
                "school_name": names.get(peer.school_id or ""),
                "last_seen_at": max(
                    (t for t in (peer.last_attempt_at, peer.last_success_at) if t), default=None
                ),
                "lag_s": int((now - last).total_seconds()) if last else None,
                "hub_version": __version__,
                "older_than_hub": older_than(peer.version, __version__),
            }
        )
    return found


def _release(version: str | None) -> tuple[int, ...] | None:
    """The release numbers a version starts with (``0.2.1rc1`` → (0, 2, 1)); None if none."""
    match = re.match(r"\d+(?:\.\d+)*", version or "")
    return tuple(int(part) for part in match.group().split(".")) if match else None


def older_than(version: str | None, hub: str) -> bool | None:
    """Whether a node's claimed version is older than the hub's; None when unknown."""
    node_release, hub_release = _release(version), _release(hub)
    if node_release is None or hub_release is None:
        return None
    width = max(len(node_release), len(hub_release))
    pad = (0,) * width
    return (node_release + pad)[:width] < (hub_release + pad)[:width]


def revoke_node(user: Person, district_school: str, peer_id: int) -> Peer:
    """Revoke an enrolled node: its next request is refused (403)."""
    peer = Peer.get_or_none(Peer.id == peer_id)
    if peer is None:
        raise NotFound("No such node.")
    require_school(user, district_school, peer.school_id or "")
    peers.revoke(peer.id)
    audit(user, "revoke-node", peer.school_id, peer.node_id, f"node {peer.node_id} revoked")
    return Peer.get_by_id(peer.id)


def enrolment_codes(user: Person, district_school: str) -> list[dict[str, Any]]:
    """Enrolment codes still open (only their expiry: a code is shown once, when made)."""
    schools_visible(user, district_school)
    now = utcnow()
    query = PairingCode.select().where(
        (PairingCode.used == False) & (PairingCode.expires_at > now)  # noqa: E712
    )
    return [
        {"school_id": c.school_id, "expires_at": c.expires_at, "grants": c.grants.split(",")}
        for c in query.order_by(PairingCode.expires_at)
    ]


def new_enrolment_code(
    user: Person, district_school: str, school_id: str | None = None
) -> dict[str, Any]:
    """A one-time code (15 minutes) a node enrols with; district admins only.

    For ``school_id``, the node joins that school (a school started at the hub, whose
    node has none yet); without, a node of any school enrols bringing its own. Either
    way the node may author its school's accounts, and no other school's.
    """
    if schools_visible(user, district_school) is not None:
        raise Forbidden("Only district admins enrol nodes at the hub.")
    school = _school(school_id) if school_id else None
    code, expires = peers.create_pairing_code(
        school.id if school else peers.ANY_SCHOOL, created_by=user.id, grants=("accounts",)
    )
    whose = f"for {school.name}" if school else "for a node of any school"
    audit(
        user, "enrolment-code", school.id if school else None, None,
        f"enrolment code {whose}, valid until {expires:%H:%M} UTC",
    )  # fmt: skip
    return {
        "code": code,
        "school_id": school.id if school else "*",
        "expires_at": expires,
        "grants": ["accounts", "events"],
    }


def _school(school_id: str) -> School:
    school = School.live().where(School.id == school_id).first()
    if school is None:
        raise NotFound("The hub holds no such school.")
    return school


def _district_admins_only(user: Person, district_school: str, role: str, what: str) -> None:
    if schools_visible(user, district_school) is not None:
        raise Forbidden(f"Only district admins {what}.")
    if role != "hub":
        raise Conflict(f"Only the district hub may {what}: a node serves its own school.")


def start_school(
    user: Person, district_school: str, role: str, data: dict[str, Any]
) -> dict[str, Any]:
    """A new school the hub holds, its first node to enrol later; district admins only."""
    _district_admins_only(user, district_school, role, "add schools")
    code = data.get("code")
    if code and School.live().where(fn.LOWER(School.code) == code.lower()).exists():
        raise Conflict(f"A school with the code {code!r} is already held here.")
    school = schools.create_school(data["name"], code, data["languages"], own=False)
    audit(user, "create-school", school.id, None, f"school {school.name}")
    return next(s for s in list_schools(user, district_school) if s["id"] == school.id)


def add_school_admin(
    user: Person, district_school: str, role: str, school_id: str, data: dict[str, Any]
) -> Person:
    """An admin of a school the hub holds (its first, usually); district admins only. They
    sign in on the school's node once it has enrolled and synced."""
    _district_admins_only(user, district_school, role, "make a school's admins")
    school = _school(school_id)
    admin = people.create_person(
        school.id, "admin", data["display_name"], username=data["username"],
        password=data["password"], language=(school.languages or ["en"])[0],
    )  # fmt: skip
    audit(user, "create-admin", school.id, admin.id, f"admin {admin.display_name} of {school.name}")
    return admin


# ---------------------------------------------------------------- the dashboard


def dashboard(
    user: Person,
    district_school: str,
    school_id: str | None = None,
    classroom_id: str | None = None,
    days: int = 30,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The district dashboard at one level: the district, a school or a class."""
    visible = schools_visible(user, district_school)
    classroom = None
    if classroom_id:
        classroom = Classroom.live().where(Classroom.id == classroom_id).first()
        if classroom is None:
            raise NotFound("No such class.")
        school_id = classroom.school_id
    if school_id:
        require_school(user, district_school, school_id)
        school = School.live().where(School.id == school_id).first()
        if school is None:
            raise NotFound("No such school.")
    elif visible is not None:
        raise Forbidden("Only district admins see the whole district: open your school.")
    level = "class" if classroom else "school" if school_id else "district"
    scope = classroom.id if classroom else ""

    def scoped(model: Any) -> Any:
        where = model.classroom_id == scope
        if school_id:
            where &= model.school_id == school_id
        return where

    today = today or utcnow().date()
    first = (today - datetime.timedelta(days=days - 1)).isoformat()
    total = (
        RollupDay.select(
            fn.COALESCE(fn.SUM(RollupDay.answers), 0),
            fn.COALESCE(fn.SUM(RollupDay.correct), 0),
            fn.COALESCE(fn.SUM(RollupDay.attempts), 0),
            fn.COALESCE(fn.SUM(RollupDay.completed), 0),
        )
        .where(scoped(RollupDay))
        .tuples()
        .first()
    )
    per_day = dict(
        RollupDay.select(RollupDay.day, fn.SUM(RollupDay.students))
        .where(scoped(RollupDay) & (RollupDay.day >= first))
        .group_by(RollupDay.day)
        .tuples()
    )
    series = []
    for n in range(days):
        day = (today - datetime.timedelta(days=days - 1 - n)).isoformat()
        series.append({"day": day, "students": int(per_day.get(day) or 0)})
    return {
        "level": level,
        "school_id": school_id,
        "school_name": school.name if school_id else None,
        "classroom_id": classroom.id if classroom else None,
        "classroom_name": classroom.name if classroom else None,
        "totals": {
            "students": _students(school_id, classroom),
            "answers": int(total[0]),
            "correct": int(total[1]),
            "attempts": int(total[2]),
            "completed": int(total[3]),
        },
        "active_per_day": series,
        "skills": _skills(scoped(RollupSkill)),
        "content": _content(scoped(RollupContent)),
        "goals": _goals(school_id, classroom),
        "sync": _sync(school_id, visible),
        "children": _children(level, school_id, visible, first),
    }


def _students(school_id: str | None, classroom: Classroom | None) -> int:
    if classroom is not None:
        return (
            Enrollment.live()
            .where((Enrollment.classroom_id == classroom.id) & (Enrollment.role == "student"))
            .count()
        )
    query = Person.live().where(Person.role == "student")
    if school_id:
        query = query.where(Person.school_id == school_id)
    return query.count()


def _skills(where: Any) -> list[dict[str, Any]]:
    rows = (
        RollupSkill.select(
            RollupSkill.skill_id,
            fn.SUM(RollupSkill.answers),
            fn.SUM(RollupSkill.correct),
            fn.SUM(RollupSkill.mastered),
        )
        .where(where)
        .group_by(RollupSkill.skill_id)
        .tuples()
    )
    found = [
        {"skill_id": s, "answers": int(a), "correct": int(c), "mastered": int(m)}
        for s, a, c, m in rows
    ]
    titles = {
        s.id: (s.title or {})
        for s in Skill.select(Skill.id, Skill.title, Skill.slug).where(
            Skill.id.in_([f["skill_id"] for f in found])
        )
    }
    for entry in found:
        title = titles.get(entry["skill_id"]) or {}
        entry["title"] = title.get("en") or next(iter(title.values()), entry["skill_id"])
    return sorted(found, key=lambda e: e["title"])


def _content(where: Any, limit: int = 20) -> list[dict[str, Any]]:
    rows = (
        RollupContent.select(
            RollupContent.activity_id,
            fn.SUM(RollupContent.attempts).alias("attempts"),
            fn.SUM(RollupContent.completed),
            fn.SUM(RollupContent.minutes),
        )
        .where(where)
        .group_by(RollupContent.activity_id)
        .order_by(fn.SUM(RollupContent.attempts).desc(), RollupContent.activity_id)
        .limit(limit)
        .tuples()
    )
    found = [
        {"activity_id": a, "attempts": int(n), "completed": int(c), "minutes": round(float(m), 1)}
        for a, n, c, m in rows
    ]
    titles = dict(
        Activity.select(Activity.id, Activity.title)
        .where(Activity.id.in_([f["activity_id"] for f in found]))
        .tuples()
    )
    for entry in found:
        entry["title"] = titles.get(entry["activity_id"], entry["activity_id"])
    return found


def _goals(school_id: str | None, classroom: Classroom | None) -> dict[str, int]:
    """Goals by status: a live count of the goal table (goals are few per student)."""
    query = Goal.live(Goal.status, fn.COUNT(Goal.id))
    if classroom is not None:
        students = Enrollment.live(Enrollment.person_id).where(
            (Enrollment.classroom_id == classroom.id) & (Enrollment.role == "student")
        )
        query = query.where(Goal.person_id.in_(students))
    elif school_id:
        query = query.where(Goal.partition == school_partition(school_id))
    counts = dict(query.group_by(Goal.status).tuples())
    return {s: int(counts.get(s, 0)) for s in ("active", "done", "dropped")}


def _sync(school_id: str | None, visible: list[str] | None) -> dict[str, Any]:
    query = Peer.select().where(Peer.role == "node")
    if school_id:
        query = query.where(Peer.school_id == school_id)
    counts = {"nodes": 0, "ok": 0, "failing": 0, "revoked": 0, "never": 0}
    oldest = None
    for peer in query:
        counts["nodes"] += 1
        if peer.revoked:
            counts["revoked"] += 1
            continue
        outcome = peers.outcome_of(peer)
        if outcome == "never":
            counts["never"] += 1
        elif outcome in ("ok", "running"):
            counts["ok"] += 1
        else:
            counts["failing"] += 1
        if peer.last_success_at and (oldest is None or peer.last_success_at < oldest):
            oldest = peer.last_success_at
    counts["oldest_success_at"] = oldest
    return counts


def _children(
    level: str, school_id: str | None, visible: list[str] | None, first: str
) -> list[dict[str, Any]]:
    """The next level down: schools of the district, or classes of a school."""
    if level == "class":
        return []
    key = RollupDay.school_id if level == "district" else RollupDay.classroom_id
    where = (
        RollupDay.classroom_id == ""
        if level == "district"
        else ((RollupDay.school_id == school_id) & (RollupDay.classroom_id != ""))
    )
    sums = {
        k: (int(a or 0), int(c or 0), int(t or 0), int(s or 0))
        for k, a, c, t, s in RollupDay.select(
            key,
            fn.SUM(RollupDay.answers),
            fn.SUM(RollupDay.correct),
            fn.SUM(RollupDay.attempts),
            fn.SUM(Case(None, [(RollupDay.day >= first, RollupDay.students)], 0)),
        )
        .where(where)
        .group_by(key)
        .tuples()
    }
    if level == "district":
        units = School.live(School.id, School.name)
        if visible is not None:
            units = units.where(School.id.in_(visible))
    else:
        units = Classroom.live(Classroom.id, Classroom.name).where(Classroom.school_id == school_id)
    found = []
    for unit_id, name in units.tuples():
        answers, correct, attempts, active = sums.get(unit_id, (0, 0, 0, 0))
        found.append(
            {
                "id": unit_id,
                "name": name,
                "answers": answers,
                "correct": correct,
                "attempts": attempts,
                "student_days": active,
            }
        )
    return sorted(found, key=lambda e: e["name"])


# ---------------------------------------------------------------- one child's record


#: At most this many students a search lists: a name narrows it, a school too.
FOUND_AT_MOST = 50


def find_students(
    user: Person, district_school: str, words: str, school_id: str | None = None
) -> list[dict[str, Any]]:
    """Students of the schools ``user`` sees whose name holds ``words`` (any case), to open
    one's record: at most FOUND_AT_MOST, by name. Erased students have no name to find.

    Case is folded by the database's LOWER: every letter on PostgreSQL (the hub), ASCII
    letters on SQLite. ``%``, ``_`` and ``\\`` in the words are matched as themselves.
    """
    visible = schools_visible(user, district_school)
    if school_id:
        require_school(user, district_school, school_id)
    escaped = re.sub(r"([\\%_])", r"\\\1", words.lower())
    holds = NodeList(
        (fn.LOWER(Person.display_name), SQL("LIKE"), f"%{escaped}%", SQL("ESCAPE '\\'"))
    )
    query = (
        Person.live(Person.id, Person.display_name, Person.school_id)
        .where((Person.role == "student") & (Person.erased == False) & holds)  # noqa: E712
        .order_by(fn.LOWER(Person.display_name), Person.id)
        .limit(FOUND_AT_MOST)
    )
    if school_id:
        query = query.where(Person.school_id == school_id)
    elif visible is not None:
        query = query.where(Person.school_id.in_(visible))
    found = list(query)
    return [
        {**row, "classes": classes}
        for row, classes in zip(_people_rows(found), _class_names([p.id for p in found]))
    ]


def _people_rows(people: list[Person]) -> list[dict[str, Any]]:
    names = dict(
        School.select(School.id, School.name)
        .where(School.id.in_({p.school_id for p in people}))
        .tuples()
    )
    return [
        {"id": p.id, "display_name": p.display_name, "school_id": p.school_id,
         "school_name": names.get(p.school_id, "")}
        for p in people
    ]  # fmt: skip


def _class_names(person_ids: list[str]) -> list[list[str]]:
    """The names of the classes each of these people is a student of, in order."""
    rows = (
        Enrollment.live(Enrollment.person_id, Classroom.name)
        .join(Classroom, on=(Classroom.id == Enrollment.classroom_id))
        .where(Enrollment.person_id.in_(person_ids) & (Enrollment.role == "student"))
        .where(Classroom.deleted == False)  # noqa: E712
        .tuples()
    )
    classes: dict[str, list[str]] = {}
    for person_id, name in rows:
        classes.setdefault(person_id, []).append(name)
    return [sorted(classes.get(p, [])) for p in person_ids]


def _student(user: Person, district_school: str, person_id: str) -> Person:
    person = Person.get_or_none(Person.id == person_id)
    if person is None or person.role != "student":
        raise NotFound("No such student.")
    require_school(user, district_school, person.school_id)
    return person


def student_record(user: Person, district_school: str, person_id: str) -> dict[str, Any]:
    """One student's record on the hub; the view is written to the audit log."""
    person = _student(user, district_school, person_id)
    audit(user, "view-student", person.school_id, person.id, "viewed the student's record")
    classes = [
        c
        for (c,) in Enrollment.live(Enrollment.classroom_id)
        .where((Enrollment.person_id == person.id) & (Enrollment.role == "student"))
        .tuples()
    ]
    skills = [
        {"skill_id": m.skill_id, "p_known": m.p_known, "answers": m.answers, "mastered": m.mastered}
        for m in RollupMastery.select().where(RollupMastery.person_id == person.id)
    ]
    titles = {
        s.id: (s.title or {})
        for s in Skill.select(Skill.id, Skill.title).where(
            Skill.id.in_([k["skill_id"] for k in skills])
        )
    }
    for skill in skills:
        title = titles.get(skill["skill_id"]) or {}
        skill["title"] = title.get("en") or next(iter(title.values()), skill["skill_id"])
    school = School.get_or_none(School.id == person.school_id)
    return {
        "id": person.id,
        "school_id": person.school_id,
        "school_name": school.name if school else "",
        "display_name": person.display_name,
        "username": person.username,
        "erased": bool(person.erased),
        "classes": sorted(classes),
        "class_names": _class_names([person.id])[0],
        "answers": Answer.select().where(Answer.person_id == person.id).count(),
        "attempts": Attempt.select().where(Attempt.person_id == person.id).count(),
        "skills": skills,
    }


def erase_student(
    user: Person, district_school: str, person_id: str, data_dir: str | None = None
) -> dict[str, Any]:
    """Erase a student on request (their school's admin or a district admin); audited."""
    person = _student(user, district_school, person_id)
    erasure.erase_student(person, data_dir)
    audit(user, "erase-student", person.school_id, person.id, "erased on request")
    return student_record(user, district_school, person_id)
