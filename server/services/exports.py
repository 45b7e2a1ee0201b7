"""Exports for the district's other systems: xAPI statements (a file, or pushed to an
LRS) and OneRoster 1.1 results for the student information system.

Every statement carries an opaque account, never a name (server.interop.xapi).
A push records each statement the LRS accepted (``XapiSent``), so a statement is
sent once; a failure is retried with back-off and recorded, never dropped.
"""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import logging
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sync.stamp import school_partition

from ..interop import xapi
from ..models import (
    AcademicSession,
    Activity,
    ActivitySkill,
    Answer,
    Attempt,
    Enrollment,
    Item,
    Person,
    RollupMastery,
    Skill,
    XapiSent,
)
from ..models.base import utcnow

log = logging.getLogger("baobab.exports")

LINE_ITEMS_COLUMNS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "description",
    "assignDate",
    "dueDate",
    "classSourcedId",
    "categorySourcedId",
    "gradingPeriodSourcedId",
    "resultValueMin",
    "resultValueMax",
)
RESULTS_COLUMNS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "lineItemSourcedId",
    "studentSourcedId",
    "scoreStatus",
    "score",
    "scoreDate",
    "comment",
)
CATEGORIES_COLUMNS = ("sourcedId", "status", "dateLastModified", "title")
ACADEMIC_SESSIONS_COLUMNS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "type",
    "startDate",
    "endDate",
    "parentSourcedId",
    "schoolYear",
)
#: The files of the OneRoster 1.1 CSV binding, and which of them a results export holds.
ONEROSTER_FILES = (
    "academicSessions", "categories", "classes", "classResources", "courses",
    "courseResources", "demographics", "enrollments", "lineItems", "orgs", "resources",
    "results", "users",
)  # fmt: skip
RESULTS_FILES = ("academicSessions", "categories", "lineItems", "results")
#: A school year with no imported session runs from this month (1 August) to July.
SCHOOL_YEAR_START_MONTH = 8
CATEGORY = "baobab-activity"
_BATCH = 2_000


class _Context:
    """Classes, skills and titles, looked up once per batch of events."""

    def __init__(self) -> None:
        self.classes: dict[str, str | None] = {}
        self.skills: dict[str, str | None] = {}
        self.titles: dict[str, str] = {}
        self.items: dict[str, str] = {}

    def load(self, people: set[str], activities: set[str], items: set[str]) -> None:
        need = people - set(self.classes)
        for person, classroom in (
            Enrollment.live(Enrollment.person_id, Enrollment.classroom_id)
            .where(Enrollment.person_id.in_(sorted(need)) & (Enrollment.role == "student"))
            .order_by(Enrollment.classroom_id)
            .tuples()
        ):
            self.classes.setdefault(person, classroom)
        for person in need:
            self.classes.setdefault(person, None)
        need_a = activities - set(self.titles)
        for activity, skill in (
            ActivitySkill.live(ActivitySkill.activity_id, ActivitySkill.skill_id)
            .where(ActivitySkill.activity_id.in_(sorted(need_a)))
            .order_by(ActivitySkill.skill_id)
            .tuples()
        ):
            self.skills.setdefault(activity, skill)
        for activity, title in (
            Activity.select(Activity.id, Activity.title).where(Activity.id.in_(sorted(need_a)))
        ).tuples():
            self.titles[activity] = title
        for activity in need_a:
            self.titles.setdefault(activity, activity)
            self.skills.setdefault(activity, None)
        need_i = items - set(self.items)
        for item, prompt in (
            Item.select(Item.id, Item.prompt).where(Item.id.in_(sorted(need_i))).tuples()
        ):
            self.items[item] = prompt[:200]


def _school(partition: str) -> str:
    return partition[len("school:") :] if partition.startswith("school:") else partition


def statements(
    home: str, since_ms: int | None = None, school_ids: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every statement of the learning record (received since ``since_ms``), in order."""
    context = _Context()
    since = since_ms or 0
    partitions = [school_partition(s) for s in school_ids] if school_ids is not None else None
    yield from _answered(home, since, partitions, context)
    yield from _completed(home, since, partitions, context)
    yield from _mastered(home, school_ids, context)


def _pages(model: Any, where: Any) -> Iterator[list[Any]]:
    last = ""
    while True:
        page = list(
            model.select().where(where & (model.id > last)).order_by(model.id).limit(_BATCH)
        )
        if not page:
            return
        yield page
        last = page[-1].id


def _answered(home, since, partitions, context) -> Iterator[dict[str, Any]]:
    where = Answer.received_ms >= since
    if partitions is not None:
        where &= Answer.partition.in_(partitions)
    for page in _pages(Answer, where):
        context.load(
            {a.person_id for a in page}, {a.activity_id for a in page}, {a.item_id for a in page}
        )
        for a in page:
            yield xapi.statement(
                home,
                "answered",
                a.id,
                a.person_id,
                a.item_id,
                context.items.get(a.item_id, a.item_id),
                a.device_ms,
                success=bool(a.correct),
                scaled=1.0 if a.correct else 0.0,
                school_id=_school(a.partition),
                classroom_id=context.classes.get(a.person_id),
                skill_id=context.skills.get(a.activity_id),
            )


def _completed(home, since, partitions, context) -> Iterator[dict[str, Any]]:
    where = (Attempt.received_ms >= since) & (Attempt.completed == True)  # noqa: E712
    if partitions is not None:
        where &= Attempt.partition.in_(partitions)
    for page in _pages(Attempt, where):
        context.load({a.person_id for a in page}, {a.activity_id for a in page}, set())
        for a in page:
            yield xapi.statement(
                home,
                "completed",
                a.id,
                a.person_id,
                a.activity_id,
                context.titles.get(a.activity_id, a.activity_id),
                a.ended_ms,
                success=True,
                school_id=_school(a.partition),
                classroom_id=context.classes.get(a.person_id),
                skill_id=context.skills.get(a.activity_id),
            )


def _mastered(home, school_ids, context) -> Iterator[dict[str, Any]]:
    """Mastery as the district's rollups estimate it (one statement per student and skill)."""
    query = RollupMastery.select().where(RollupMastery.mastered == True)  # noqa: E712
    rows = list(query)
    schools = dict(
        Person.select(Person.id, Person.school_id)
        .where(Person.id.in_(sorted({r.person_id for r in rows})))
        .tuples()
    )
    titles = {
        s.id: (s.title or {}).get("en", s.id)
        for s in Skill.select(Skill.id, Skill.title).where(
            Skill.id.in_(sorted({r.skill_id for r in rows}))
        )
    }
    context.load({r.person_id for r in rows}, set(), set())
    for r in rows:
        school = schools.get(r.person_id)
        if school is None or (school_ids is not None and school not in school_ids):
            continue
        yield xapi.statement(
            home,
            "mastered",
            f"{r.person_id}:{r.skill_id}",
            r.person_id,
            r.skill_id,
            titles.get(r.skill_id, r.skill_id),
            r.mastered_ms or 0,
            success=True,
            scaled=r.p_known,
            school_id=school,
            classroom_id=context.classes.get(r.person_id),
            skill_id=r.skill_id,
        )


def write_xapi(target: io.TextIOBase, home: str, since_ms: int | None = None) -> int:
    """Write the statements as one JSON array (what ``POST statements`` takes); return how many."""
    count = 0
    target.write("[")
    for found in statements(home, since_ms):
        target.write(("," if count else "") + "\n" + json.dumps(found, sort_keys=True))
        count += 1
    target.write("\n]\n")
    return count


# ---------------------------------------------------------------- pushing to an LRS


class LrsError(Exception):
    """Raised when the LRS refused a batch every time we tried."""


def _post(endpoint: str, username: str, password: str, batch: list[dict[str, Any]]) -> None:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(
        endpoint.rstrip("/") + "/statements",
        data=json.dumps(batch).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": xapi.VERSION,
            "Authorization": f"Basic {token}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 (the admin's URL)
        reply.read()


def push_xapi(
    home: str,
    endpoint: str,
    username: str,
    password: str,
    *,
    since_ms: int | None = None,
    tries: int = 5,
    batch_size: int = 200,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Send the statements the LRS has not accepted yet; retry each batch with back-off.

    A statement is recorded as sent only when the LRS answered 2xx for its batch;
    the LRS keeps one statement per id, so a batch sent again after a lost reply
    is still one statement each.
    """
    sent = skipped = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal sent
        if not batch:
            return
        ids = [s["id"] for s in batch]
        for attempt in range(1, tries + 1):
            try:
                _post(endpoint, username, password, batch)
                break
            except (urllib.error.URLError, OSError) as exc:
                _record_failure(batch, endpoint, str(exc))
                log.warning("LRS push failed (try %d of %d): %s", attempt, tries, exc)
                if attempt == tries:
                    raise LrsError(f"the LRS refused {len(batch)} statements: {exc}") from None
                sleep(min(60.0, 0.5 * 2 ** (attempt - 1)))
        now = utcnow()
        held = {r.statement_id for r in XapiSent.select().where(XapiSent.statement_id.in_(ids))}
        XapiSent.update(sent_at=now, last_error=None).where(
            XapiSent.statement_id.in_(ids)
        ).execute()
        XapiSent.insert_many(
            [
                {"statement_id": s["id"], "event_id": s["id"], "endpoint": endpoint, "sent_at": now}
                for s in batch
                if s["id"] not in held
            ]
        ).execute()
        sent += len(batch)
        batch.clear()

    done = {
        r.statement_id
        for r in XapiSent.select(XapiSent.statement_id).where(XapiSent.sent_at.is_null(False))
    }
    for found in statements(home, since_ms):
        if found["id"] in done:
            skipped += 1
            continue
        batch.append(found)
        if len(batch) >= batch_size:
            flush()
    flush()
    return {"sent": sent, "skipped": skipped}


def _record_failure(batch: list[dict[str, Any]], endpoint: str, error: str) -> None:
    ids = [s["id"] for s in batch]
    held = {r.statement_id for r in XapiSent.select().where(XapiSent.statement_id.in_(ids))}
    XapiSent.update(tries=XapiSent.tries + 1, last_error=error[:500]).where(
        XapiSent.statement_id.in_(ids)
    ).execute()
    XapiSent.insert_many(
        [
            {
                "statement_id": s["id"],
                "event_id": s["id"],
                "endpoint": endpoint,
                "tries": 1,
                "last_error": error[:500],
            }
            for s in batch
            if s["id"] not in held
        ]
    ).execute()


# ---------------------------------------------------------------- OneRoster 1.1 results


def oneroster_results(school_ids: list[str] | None = None) -> dict[str, str]:
    """A OneRoster 1.1 results bundle as text: manifest.csv, academicSessions.csv,
    categories.csv, lineItems.csv and results.csv.

    One line item per class and activity its students answered; one result per
    student and line item: the share of right answers, 0 to 100. Each line item
    names its grading period (``GradingPeriods``).
    """
    query = Answer.select(
        Answer.person_id, Answer.activity_id, Answer.correct, Answer.received_ms, Answer.partition
    )
    if school_ids is not None:
        query = query.where(Answer.partition.in_([school_partition(s) for s in school_ids]))
    scores: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for a in query.iterator():
        entry = scores[a.person_id, a.activity_id]
        entry[0] += 1
        entry[1] += 1 if a.correct else 0
        entry[2] = max(entry[2], a.received_ms)
    context = _Context()
    context.load({p for p, _ in scores}, {a for _, a in scores}, set())
    sources = dict(
        Person.select(Person.id, Person.source_id)
        .where(Person.id.in_(sorted({p for p, _ in scores})))
        .tuples()
    )
    today = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    periods = GradingPeriods()
    line_items: dict[str, list[Any]] = {}
    latest: dict[str, str] = {}  # line item -> the day of its latest result
    results = []
    for (person, activity), (answers, correct, last_ms) in sorted(scores.items()):
        classroom = context.classes.get(person)
        if classroom is None:
            continue  # a result needs a class's line item
        line_id = f"baobab-{classroom}-{activity}"
        line_items.setdefault(
            line_id,
            [line_id, "active", today, context.titles.get(activity, activity), "",
             today[:10], today[:10], classroom, CATEGORY, "", "0", "100"],
        )  # fmt: skip
        day = xapi._time(last_ms)[:10]
        latest[line_id] = max(latest.get(line_id, day), day)
        results.append(
            [f"baobab-{person}-{activity}-{classroom}", "active", today, line_id,
             sources.get(person) or person, "fully graded",
             f"{100 * correct / answers:.1f}", day, ""]
        )  # fmt: skip
    at_period = LINE_ITEMS_COLUMNS.index("gradingPeriodSourcedId")
    for line_id, row in line_items.items():
        row[at_period] = periods.of(latest[line_id])
    manifest = [
        ["manifest.version", "1.0"],
        ["oneroster.version", "1.1"],
        *[[f"file.{f}", "bulk" if f in RESULTS_FILES else "absent"] for f in ONEROSTER_FILES],
        ["source.systemName", "Baobab"],
        ["source.systemCode", "baobab"],
    ]
    return {
        "manifest.csv": _csv(("propertyName", "value"), manifest),
        "academicSessions.csv": _csv(ACADEMIC_SESSIONS_COLUMNS, periods.rows(today)),
        "lineItems.csv": _csv(LINE_ITEMS_COLUMNS, line_items.values()),
        "results.csv": _csv(RESULTS_COLUMNS, results),
        "categories.csv": _csv(
            CATEGORIES_COLUMNS, [[CATEGORY, "active", today, "Baobab activity"]]
        ),
    }


class GradingPeriods:
    """The grading period of each day a line item's results reach (OneRoster 1.1 asks a
    line item for one: an academic session of type gradingPeriod).

    The imported ones first (the roster's own sourcedIds, ``AcademicSession``): the
    latest-starting grading period that holds the day. A day none holds gets a grading
    period made from its school year (1 August to 31 July), under the imported school
    year holding it when there is one, else under a school year made the same way.
    ``rows`` are every imported session and each one made, for academicSessions.csv.
    """

    def __init__(self) -> None:
        self.imported = list(AcademicSession.select().order_by(AcademicSession.sourced_id))
        self.made: dict[str, list[str]] = {}

    def _holding(self, day: str, kind: str) -> AcademicSession | None:
        held = [s for s in self.imported if s.type == kind and s.start_date <= day <= s.end_date]
        return max(held, key=lambda s: (s.start_date, s.sourced_id), default=None)

    def of(self, day: str) -> str:
        """The sourcedId of the grading period holding ``day`` (ISO date)."""
        imported = self._holding(day, "gradingPeriod")
        if imported is not None:
            return imported.sourced_id
        date = datetime.date.fromisoformat(day)
        first = date.year if date.month >= SCHOOL_YEAR_START_MONTH else date.year - 1
        start = f"{first}-{SCHOOL_YEAR_START_MONTH:02d}-01"
        end = datetime.date(first + 1, SCHOOL_YEAR_START_MONTH, 1) - datetime.timedelta(1)
        name, ends = f"{first}-{first + 1}", str(first + 1)
        year = self._holding(day, "schoolYear")
        if year is None:
            parent = f"baobab-year-{name}"
            self.made[parent] = [parent, f"School year {name}", "schoolYear", start,
                                 end.isoformat(), "", ends]  # fmt: skip
        else:
            parent = year.sourced_id
        period = f"baobab-period-{name}"
        self.made[period] = [period, f"School year {name} (Baobab)", "gradingPeriod", start,
                             end.isoformat(), parent, ends]  # fmt: skip
        return period

    def rows(self, today: str) -> list[list[str]]:
        """academicSessions.csv rows: the imported sessions, then those made here."""
        found = [
            [s.sourced_id, "active", today, s.title, s.type, s.start_date, s.end_date,
             s.parent_sourced_id, s.school_year]
            for s in self.imported
        ]  # fmt: skip
        for sourced, title, kind, start, end, parent, year in self.made.values():
            found.append([sourced, "active", today, title, kind, start, end, parent, year])
        return found


def _csv(header: tuple[str, ...], rows: Any) -> str:
    """Plain UTF-8 CSV as OneRoster's importers read it (no BOM, every field quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
