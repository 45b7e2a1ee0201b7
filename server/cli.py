"""The ``baobab`` command line: serve, init, demo, users, content, fit-mastery, backup, restore,
check."""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask

from sync.errors import SyncError

from . import config
from . import db as database
from .app import create_app
from .auth.passwords import PICTURES
from .db.migrate import integrity_problems, migrate, pending, schema_drift
from .errors import BaobabError, ContentPackError, InvalidInput
from .models import AuditEntry, Classroom, Person, School
from .node import identity, rundir
from .node.balance import EXTENSION as BALANCE
from .node.balance import ConnectionBalance
from .node.logs import rate_limit_handlers
from .node.runner import lan_addresses, urls_for
from .node.runner import serve as run_server
from .node.tls import https_service
from .node.workers import WorkerPool, die_with_parent, listening_socket, worker_count, worker_socket
from .replication import backup as backups
from .replication import peers
from .replication.autosync import AutoSync
from .replication.discovery import Discovery, nearby_path
from .replication.progress_line import ProgressLine
from .services import content, demo, exports, fitting, people, rollups, roster, schools, setup
from .version import __version__

log = logging.getLogger("baobab")


def _overrides(data_dir: str | None, **extra: Any) -> dict[str, Any]:
    values = {k: v for k, v in extra.items() if v is not None}
    if data_dir:
        values["DATA_DIR"] = data_dir
    return values


def _app(data_dir: str | None, **extra: Any) -> Flask:
    try:
        return create_app(_overrides(data_dir, **extra))
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def opened(data_dir: str | None, migrate_first: bool = True) -> Iterator[Flask]:
    """The app of a data directory, migrated (unless told not to), with a connection open.

    What every command but ``serve`` starts with, said once.
    """
    app = _app(data_dir)
    if migrate_first:
        prepare(app)
    with database.db.connection_context():
        yield app


def prepare(app: Flask) -> list[str]:
    """Migrate the database and make this node's identity; return migrations applied.

    On PostgreSQL several hub hosts may start at once: one prepares at a time.
    On a hub the keys are the database's (every host signs as the one hub).
    """
    with database.db.connection_context(), database.one_at_a_time("prepare"):
        applied = migrate()
        identity.ensure_node()
        if app.config["ROLE"] == "hub":
            identity.adopt_shared_keys(app.config["DATA_DIR"])
            if app.extensions.get("baobab.secret_from_file"):
                app.config["SECRET_KEY"] = identity.secret_key(app.config["DATA_DIR"])
    identity.node_key(app.config["DATA_DIR"])
    return applied


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Data directory (default ./data, or BAOBAB_DATA_DIR).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="baobab")
def main() -> None:
    """Baobab: an offline-first classroom server for personalized learning."""
    # What the node writes (database, keys, photos, backups) is for its own user only.
    os.umask(0o077)


# DATA_DIR/run/port: the port `serve` listens on (--port 0 lets the kernel choose one),
# written by the first process once it accepts connections.
PORT_FILE = "port"


@main.command()
@data_dir_option
@click.option("--host", default=None, help="Address to listen on (default 0.0.0.0).")
@click.option(
    "--port", type=int, default=None, help="Port (default 8080; 0: any, written to run/port)."
)
@click.option("--threads", type=int, default=None, help="Waitress worker threads (default 8).")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Serving processes (default: one per core, up to 4; 0 means that too).",
)
@click.option(
    "--demo/--no-demo", "seed_demo", default=None, help="Seed the demo school on first run."
)
@click.option(
    "--role",
    type=click.Choice(["node", "hub"]),
    default=None,
    help="node (a school's classroom server) or hub (the district's); default BAOBAB_ROLE.",
)
@click.option("--worker", "is_worker", is_flag=True, hidden=True)
@click.option("--primary-pid", type=int, default=None, hidden=True)
def serve(data_dir, host, port, threads, workers, seed_demo, role, is_worker, primary_pid) -> None:
    """Serve the node (or the hub): migrate, seed the demo on a node's first run, run waitress."""
    app = _app(
        data_dir, HOST=host, PORT=port, THREADS=threads, WORKERS=workers, DEMO=seed_demo, ROLE=role
    )
    _configure_logging(app.config["LOG_LEVEL"])
    if is_worker:
        # A worker process started by the first one (server.node.workers): it serves, nothing more.
        die_with_parent(primary_pid)
        sock = worker_socket(app.config["HOST"], app.config["PORT"])
        # Its own TLS listener too, on the first process's HTTPS port: TLS on every core.
        services = (*https_service(app, worker=True), _balance(app))
        run_server(app, "", 0, app.config["THREADS"], sock=sock, services=services)
        return
    applied = prepare(app)
    if applied:
        log.info("database migrated: %s", ", ".join(applied))
    with database.db.connection_context():
        seeded = app.config["DEMO"] and demo.wanted(app.config["ROLE"])
        if seeded:
            summary = demo.seed_demo(app.config["DATA_DIR"])
            log.info("seeded the demo school: %s", summary["school"])
        has_demo_staff = Person.live().where(Person.username == demo.DEMO_TEACHER[0]).exists()
    host, port = app.config["HOST"], app.config["PORT"]

    def ready(bound_port: int) -> None:
        click.echo(f"Baobab {__version__} is serving {app.config['DATA_DIR']}")
        # The student app itself: over https where a tablet trusts the node (it moves there).
        click.echo("Students open:")
        for url in urls_for(host, bound_port):
            click.echo(f"  {url}student/")
        if "baobab.https" in app.extensions:
            click.echo("Tablets that trust this node's certificate (see /trust) open:")
            for url in app.extensions["baobab.https"].urls():
                click.echo(f"  {url}student/")
        if has_demo_staff:
            click.echo(
                f"Demo teacher: {demo.DEMO_TEACHER[0]} / {demo.DEMO_TEACHER[1]}   "
                f"admin: {demo.DEMO_ADMIN[0]} / {demo.DEMO_ADMIN[1]}   "
                f"student pictures: {' '.join(demo.DEMO_PICTURES)}"
            )
        if setup_code:
            click.echo(f"First-run setup: open {urls_for(host, bound_port)[0]}teacher/#/setup")
            click.echo(f"  and give this setup code: {setup_code}")
        click.echo("Stop with Ctrl-C.")
        sys.stdout.flush()
        # The port bound, for whoever started us with --port 0 (tests, supervisors).
        rundir.write_json(rundir.run_dir(app.config["DATA_DIR"]) / PORT_FILE, bound_port)
        # Where peers reach us, told to each peer at every sync (addresses change).
        rundir.write_json(
            rundir.run_dir(app.config["DATA_DIR"]) / peers.LISTEN_FILE,
            {"host": host, "port": bound_port},
        )

    rundir.reset(app.config["DATA_DIR"])
    with database.db.connection_context():
        # A node nobody set up: the wizard needs this code, shown only on this console.
        setup_code = setup.issue_code(app.config["DATA_DIR"]) if setup.needed() else None
    count = worker_count(app.config["WORKERS"])
    try:
        sock = listening_socket(host, port, shared=count > 1)
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror}") from None
    # --port 0: the kernel chose; workers and discovery take that port, resolved once here.
    port = app.config["PORT"] = sock.getsockname()[1]
    services = background_services(app)
    if count > 1:
        config = app.config
        command = [
            sys.executable, "-m", "server.cli", "serve", "--data-dir", config["DATA_DIR"],
            "--host", host, "--port", str(sock.getsockname()[1]),
            "--threads", str(config["THREADS"]), "--workers", str(count),
            "--role", config["ROLE"],
        ]  # fmt: skip
        # Last: the first process holds the HTTPS port before any worker joins it.
        services = (*services, _balance(app), WorkerPool(command, count - 1))
    run_server(app, host, port, app.config["THREADS"], services=services, ready=ready, sock=sock)


def _balance(app: Flask) -> ConnectionBalance:
    """This process's part in spreading connections evenly over the serving processes."""
    app.extensions[BALANCE] = ConnectionBalance(app.config["DATA_DIR"])
    return app.extensions[BALANCE]


def background_services(app: Flask) -> tuple:
    """The services `serve` starts: sync, HTTPS unless port 0, discovery unless turned off."""
    autosync = AutoSync(
        app,
        interval_s=app.config["SYNC_INTERVAL_S"],
        backoff_cap_s=app.config["SYNC_BACKOFF_CAP_S"],
    )
    https = https_service(app)
    # A hub is reached by its address over the internet, never found on a LAN.
    if not app.config["DISCOVERY"] or app.config["ROLE"] == "hub":
        return (autosync, *https)
    with database.db.connection_context():
        info = identity.node_info()
    host = app.config["HOST"]
    addresses = (
        [a for a in lan_addresses() if not a.startswith("127.")] if host == "0.0.0.0" else [host]
    )
    discovery = Discovery(
        info.node_id, info.school_id, app.config["PORT"], addresses or ["127.0.0.1"],
        role=app.config["ROLE"], on_alive=autosync.peer_alive,
        share_path=nearby_path(app.config["DATA_DIR"]),
    )  # fmt: skip
    return (autosync, *https, discovery)


@main.command()
@data_dir_option
def init(data_dir) -> None:
    """Create the database and this node's identity (safe to run again)."""
    app = _app(data_dir)
    applied = prepare(app)
    with database.db.connection_context():
        info = identity.node_info()
    click.echo(f"data directory: {app.config['DATA_DIR']}")
    click.echo(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
    click.echo(f"node id: {info.node_id}")


@main.command("demo")
@data_dir_option
def demo_command(data_dir) -> None:
    """Seed the demo school, classes, 25 students and the sample content pack."""
    with opened(data_dir) as app:
        if demo.has_school():
            raise click.ClickException(
                "This node already holds a school; the demo needs an empty node."
            )
        summary = demo.seed_demo(app.config["DATA_DIR"])
    click.echo(json.dumps(summary, indent=2))


@main.command("create-school")
@data_dir_option
@click.argument("name")
@click.option("--code", default=None, help="A short code for the school (the district's own).")
@click.option(
    "--language", "languages", multiple=True, help="A language the school teaches in (repeat)."
)
def create_school(data_dir, name, code, languages) -> None:
    """Create a school: this node's own (on a node with none), or one the hub will enrol."""
    with opened(data_dir) as app:
        hub = app.config["ROLE"] == "hub"
        if not hub and identity.node_info().school_id:
            raise click.ClickException(
                "This node already belongs to a school; a node serves one school."
            )
        school = schools.create_school(name, code or None, list(languages) or None, own=not hub)
    where = "held by this hub" if hub else "this node's school"
    click.echo(f"created school {name} ({school.id}), {where}")


@main.command("setup-code")
@data_dir_option
def setup_code(data_dir) -> None:
    """Print a new one-time code for the first-run wizard (the serving node takes it)."""
    with opened(data_dir) as app:
        if not setup.needed():
            raise click.ClickException("This node is set up already: sign in instead.")
        code = setup.issue_code(app.config["DATA_DIR"])
    click.echo(f"setup code: {code}")


@main.command("create-user")
@data_dir_option
@click.argument("display_name")
@click.option("--role", type=click.Choice(["admin", "teacher", "student"]), default="teacher")
@click.option("--username", default=None, help="Sign-in name (teachers and admins).")
@click.option("--password", default=None, help="Password; asked for when omitted.")
@click.option("--class", "classroom_name", default=None, help="Enrol in this class (by name).")
@click.option(
    "--pictures",
    default=None,
    help="Student picture password: three of " + ", ".join(PICTURES) + ".",
)
@click.option("--school", "school_id", default=None, help="Hub: the school (id) of the person.")
def create_user(
    data_dir, display_name, role, username, password, classroom_name, pictures, school_id
) -> None:
    """Create a teacher, admin or student in this node's school (on a hub: --school)."""
    if role != "student":
        if not username:
            raise click.UsageError("Teachers and admins need --username.")
        if password is None:
            if not sys.stdin.isatty():
                raise click.UsageError("Give --password, or run in a terminal to be asked.")
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 8:
            raise click.UsageError("Use a password of at least 8 characters.")
    picture_list = pictures.split(",") if pictures else None
    if picture_list and (len(picture_list) != 3 or set(picture_list) - set(PICTURES)):
        raise click.UsageError("--pictures takes three of: " + ", ".join(PICTURES))
    with opened(data_dir):
        own = identity.node_info().school_id
        if school_id is None:
            school_id = own
        elif own and school_id != own:
            raise click.ClickException("A node creates people of its own school only.")
        if not school_id:
            raise click.ClickException(
                "This node has no school yet: run `baobab create-school`, enrol it, "
                "or `baobab demo` (on a hub: give --school)."
            )
        if School.get_or_none(School.id == school_id) is None:
            raise click.ClickException(f"No school {school_id} here.")
        classroom_id = None
        if classroom_name:
            classroom = Classroom.live().where(Classroom.name == classroom_name).first()
            if classroom is None:
                raise click.ClickException(f"No class named {classroom_name!r}.")
            classroom_id = classroom.id
        try:
            person = people.create_person(
                school_id, role, display_name, username=username, password=password,
                pictures=picture_list, classroom_id=classroom_id,
            )  # fmt: skip
        except BaobabError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(f"created {role} {display_name} ({person.id})")


@main.command("import-content")
@data_dir_option
@click.argument("source", type=click.Path(exists=True))
def import_content(data_dir, source) -> None:
    """Validate and import a content pack (directory or zip); all or nothing."""
    with opened(data_dir) as app:
        try:
            counts = content.import_pack(
                Path(source), app.config["DATA_DIR"], app.config["PACK_MAX_BYTES"]
            )
        except ContentPackError as exc:
            click.echo(f"The pack was not imported: {exc.message}", err=True)
            for problem in exc.details or []:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
    click.echo("imported: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@main.command("import-roster")
@data_dir_option
@click.argument("path", type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
def import_roster(data_dir, path, dry_run) -> None:
    """Import a roster: a simple CSV, or a OneRoster 1.1 CSV bundle (zip or folder).

    On the hub, a district's OneRoster bundle: each school org's classes and people
    go to that school (matched by id or code), and only its nodes receive them.

    Every bad row is reported (file, line, field, problem) and then nothing is
    imported; importing the same roster again updates, never duplicates.
    """
    with opened(data_dir) as app:
        info = identity.node_info()
        district = app.config["ROLE"] == "hub"
        if not district and (info is None or not info.school_id):
            raise click.ClickException(
                "This node has no school yet: run `baobab demo` or pair it with the hub."
            )
        try:
            read = roster.read_path(Path(path))
            if district:  # the hub: each school's part into that school
                result = roster.import_district_roster(read, dry_run)
            else:
                result = roster.import_roster(info.school_id, read, dry_run)
        except InvalidInput as exc:
            click.echo(f"The roster was not imported: {exc.message}", err=True)
            for p in (exc.details or {}).get("problems", []):
                field = f" {p['field']}" if p["field"] else ""
                click.echo(f"  {p['file']}:{p['line']}{field}: {p['problem']}", err=True)
            sys.exit(1)
    click.echo("preview (nothing changed):" if dry_run else "imported:")
    for school_id, part in result.get("schools", {None: result}).items():
        if school_id is not None:
            click.echo(f"school {part['name']} ({school_id}):")
        for line in roster.report_lines(part):
            click.echo(line)


@main.command("fit-mastery")
@data_dir_option
@click.option(
    "--min-students",
    type=click.IntRange(1),
    default=fitting.MIN_STUDENTS,
    show_default=True,
    help="Fit a skill only when this many students answered it.",
)
@click.option("--dry-run", is_flag=True, help="Show the fitted parameters; store nothing.")
@click.option(
    "--clear", "clear_fits", is_flag=True, help="Withdraw every fit (back to the packs')."
)
def fit_mastery(data_dir, min_students, dry_run, clear_fits) -> None:
    """Refit each skill's knowledge-tracing parameters from the answers (EM), offline.

    The fits are published in the replicated skill_fit table, so every node traces
    mastery with the same numbers: run it on the hub (or on one node of a school
    without a hub). Skills with too few students keep their pack's parameters.
    """
    with opened(data_dir):
        if clear_fits:
            click.echo(f"withdrew {fitting.clear()} fits")
            return
        results = fitting.fit_all(min_students, dry_run)
    for r in results:
        if r.after is None:
            click.echo(f"{r.skill_id}: kept ({r.students} students, fewer than {min_students})")
            continue
        b, a = r.before, r.after
        click.echo(
            f"{r.skill_id}: {r.students} students, {r.answers} answers: "
            f"prior {b.prior:.3f}->{a.prior:.3f} learn {b.learn:.3f}->{a.learn:.3f} "
            f"guess {b.guess:.3f}->{a.guess:.3f} slip {b.slip:.3f}->{a.slip:.3f}"
        )
    fitted = sum(1 for r in results if r.after is not None)
    click.echo(f"{'would fit' if dry_run else 'fitted'} {fitted} of {len(results)} skills")


@main.command()
@data_dir_option
@click.argument("target", type=click.Path(dir_okay=False))
def backup(data_dir, target) -> None:
    """Write the whole device to TARGET (.tar.gz): database, photos, content, keys, CA.

    The database is copied with SQLite's online backup: safe while serving.
    """
    app = _app(data_dir)
    if app.config["DATABASE_URL"]:
        raise click.ClickException("backup copies the SQLite database; use pg_dump on the hub.")
    if Path(target).exists():
        raise click.ClickException(f"{target} exists; choose a new file.")
    try:
        manifest = backups.write_backup(app.config["DATA_DIR"], Path(target))
    except BaobabError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"backed up node {manifest['node_id']} (counter {manifest['counter']}) to {target} "
        f"({Path(target).stat().st_size} bytes)"
    )


@main.command()
@data_dir_option
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def restore(data_dir, source) -> None:
    """Restore a backup into a new node (a new data directory), under a new identity.

    The restored node keeps the backup's school, people, work, photos, content and
    CA, and writes under its own new id, so it never reuses a counter the old node
    handed to its peers. It pairs again with the school's other nodes.
    """
    with opened(data_dir) as app:
        if app.config["DATABASE_URL"]:
            raise click.ClickException("restore makes a SQLite node; the hub uses pg_restore.")
        try:
            result = backups.restore_backup(
                Path(source), app.config["DATA_DIR"], app.config["ROLE"]
            )
        except BaobabError as exc:
            raise click.ClickException(f"nothing restored: {exc.message}") from None
    click.echo(
        f"restored school {result.school_id}: {result.rows} rows, {result.blobs} files"
        f"{', the CA' if result.tls else ''}; this node is {result.node_id} "
        f"(the backup's was {result.old_node_id})"
    )
    for peer in result.peers:
        click.echo(f"pair again with: {peer}")


@main.command()
@data_dir_option
def check(data_dir) -> None:
    """Check the database: integrity, migrations applied, schema matching the code."""
    failures = []
    with opened(data_dir, migrate_first=False):
        problems = integrity_problems()
        waiting = pending()
        drift = schema_drift()
    click.echo(f"integrity: {'ok' if not problems else '; '.join(problems)}")
    click.echo(f"migrations pending: {', '.join(waiting) if waiting else 'none'}")
    click.echo(f"schema matches models: {'yes' if not drift else 'no'}")
    if problems:
        failures.append("integrity")
    if waiting:
        failures.append("migrations")
    if drift:
        click.echo(str(drift))
        failures.append("schema")
    if failures:
        raise click.ClickException("check failed: " + ", ".join(failures))


@main.command("pair-code")
@data_dir_option
@click.option(
    "--any-school",
    is_flag=True,
    help="Hub: an enrolment code for a node of any school (it grants that school's accounts).",
)
@click.option(
    "--school",
    "school_id",
    default=None,
    help="Hub: an enrolment code for a node of this school (id), which it joins if it has "
    "none yet (it grants that school's accounts).",
)
@click.option(
    "--grant",
    "grants",
    multiple=True,
    type=click.Choice(["accounts"]),
    help="Let the node author accounts (people, roles, passwords, classes) too; "
    "students' work is always granted.",
)
def pair_code(data_dir, any_school, school_id, grants) -> None:
    """Print a one-time code (15 minutes) that lets another node join this school."""
    with opened(data_dir) as app:
        info = identity.node_info()
        if school_id:
            if app.config["ROLE"] != "hub":
                raise click.ClickException("Only a hub (BAOBAB_ROLE=hub) enrols for a school.")
            if School.get_or_none(School.id == school_id) is None:
                raise click.ClickException(
                    f"No school {school_id} on this hub: `baobab create-school` first."
                )
            school = school_id
            grants = (*grants, "accounts")  # as below: the node manages its school's accounts
        elif any_school:
            if app.config["ROLE"] != "hub":
                raise click.ClickException("Only a hub (BAOBAB_ROLE=hub) enrols any school.")
            school = peers.ANY_SCHOOL
            # An enrolled node brings its own school and is the first author of its
            # accounts; it may write that school's partition only, never another's.
            grants = (*grants, "accounts")
        elif info.school_id:
            school = info.school_id
        else:
            raise click.ClickException("This node has no school yet; it cannot invite others.")
        code, expires = peers.create_pairing_code(school, grants=grants)
    granted = peers.grants_text(grants).replace(",", ", ")
    click.echo(f"pairing code: {code}  (valid until {expires:%H:%M} UTC; grants {granted})")


@main.command()
@data_dir_option
@click.argument("url")
@click.argument("code")
@click.option("--hub", is_flag=True, help="URL is the district hub (enrolment).")
@click.option(
    "--my-url",
    default=None,
    help="Where the peer reaches this node (default: from --host/--port of serve, the "
    "interface nearest the peer).",
)
def pair(data_dir, url, code, hub, my_url) -> None:
    """Join the school of the node (or hub) at URL with the CODE it shows."""
    with opened(data_dir) as app:
        config = app.config
        if my_url is None:
            port = peers.served_port(config["DATA_DIR"], config["PORT"])
            my_url = peers.own_url(config["HOST"], port, url)
        try:
            peer = peers.pair_with(url, code, config["DATA_DIR"], my_url=my_url)
            if hub:
                peer.role = "hub"
                peer.grants = peers.grants_text(peers.HUB_GRANTS)
                peer.save()
        except SyncError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"paired with {peer.node_id} at {peer.url}; this node is in school {peer.school_id}")


@main.command()
@data_dir_option
@click.option("--peer", "peer_url", default=None, help="Sync with the paired peer at this URL.")
@click.option("--hub", is_flag=True, help="Sync with the district hub this node enrolled with.")
@click.option("--all", "all_peers", is_flag=True, help="Sync with every paired peer.")
def sync(data_dir, peer_url, hub, all_peers) -> None:
    """Sync both ways with a peer, the hub, or all peers; exit non-zero on any failure."""
    failures = 0
    with opened(data_dir) as app:
        if peer_url:
            try:
                targets = [peers.find_peer(url=peer_url)]
            except BaobabError as exc:
                raise click.ClickException(exc.message) from None
        else:
            chosen = [p for p in peers.list_peers() if all_peers or (hub and p.role == "hub")]
            targets = []
            for p in chosen:
                why = "revoked" if p.revoked else (None if p.url else "no address to reach it at")
                if why is None:
                    targets.append(p)
                else:
                    click.echo(
                        f"skipped {p.node_id}: {why} (it syncs with us, or pair again)", err=True
                    )
        if not targets:
            raise click.ClickException("No paired peer to sync with (see baobab pair).")
        for peer in targets:
            progress = ProgressLine(sys.stderr)
            try:
                result = peers.sync_with(
                    peer, app.config["DATA_DIR"], progress=progress, role=app.config["ROLE"]
                )
            except (SyncError, BaobabError) as exc:
                progress.close()
                failures += 1
                click.echo(f"{peer.url}: FAILED: {exc}")
                continue
            progress.close()
            if result.files_missing:
                failures += 1  # the rows are in, not everything: no "ok", no exit 0
                click.echo(f"{peer.url}: {peers.incomplete_text(result.files_missing)}")
                continue
            click.echo(
                f"{peer.url}: ok, pulled {result.pulled.rows} rows, pushed {result.pushed_rows} "
                f"rows in {result.seconds:.3f} s, {result.bytes_sent} bytes sent, "
                f"{result.bytes_received} received (clock offset {result.clock_offset_ms} ms)"
            )
            if result.pulled.id_conflicts:
                click.echo(
                    f"{peer.url}: {result.pulled.id_conflicts} event id(s) came with another "
                    "content than here: the first made kept, the other in history"
                )
    if failures:
        raise click.ClickException(f"{failures} sync(s) failed or incomplete")


@main.command("export-bundle")
@data_dir_option
@click.argument("target", type=click.Path(dir_okay=False))
@click.option("--for", "for_node", default=None, help="Only what this paired node lacked.")
def export_bundle(data_dir, target, for_node) -> None:
    """Write a signed, compressed bundle for a USB stick (what NODE lacks, or everything)."""
    with opened(data_dir) as app:
        try:
            data, size = peers.export_bundle(app.config["DATA_DIR"], for_node, app.config["ROLE"])
        except BaobabError as exc:
            raise click.ClickException(exc.message) from None
    Path(target).write_bytes(data)
    click.echo(f"wrote {target} ({size} bytes)")


def _since_ms(since: str | None) -> int | None:
    if not since:
        return None
    try:
        moment = datetime.datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            "give a date or time, e.g. 2026-09-01 or 2026-09-01T08:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


def _audit_cli(action: str, detail: str) -> None:
    AuditEntry.create(actor_id="cli", actor_name="command line", action=action, detail=detail)


since_option = click.option(
    "--since", default=None, help="Only events the node received from then on (ISO date or time)."
)


@main.command("export-xapi")
@data_dir_option
@click.argument("target", type=click.Path(dir_okay=False))
@since_option
def export_xapi(data_dir, target, since) -> None:
    """Write xAPI 1.0.3 statements (a JSON array) of answers, completions and mastery."""
    since_ms = _since_ms(since)
    with opened(data_dir) as app, open(target, "w", encoding="utf-8") as out:
        count = exports.write_xapi(out, app.config["HOME_PAGE"], since_ms)
        _audit_cli("export-xapi", f"{count} statements to {target} since {since or 'the start'}")
    click.echo(f"wrote {count} statements to {target}")


@main.command("push-xapi")
@data_dir_option
@since_option
def push_xapi(data_dir, since) -> None:
    """Send the statements the LRS (BAOBAB_LRS_ENDPOINT) has not accepted yet, with retries."""
    since_ms = _since_ms(since)
    with opened(data_dir) as app:
        config = app.config
        if not config["LRS_ENDPOINT"]:
            raise click.ClickException("No LRS: set BAOBAB_LRS_ENDPOINT and its credentials.")
        try:
            done = exports.push_xapi(
                config["HOME_PAGE"], config["LRS_ENDPOINT"], config["LRS_USERNAME"],
                config["LRS_PASSWORD"], since_ms=since_ms,
            )  # fmt: skip
        except exports.LrsError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            _audit_cli("push-xapi", f"to {config['LRS_ENDPOINT']}")
    click.echo(f"sent {done['sent']} statements ({done['skipped']} sent before)")


@main.command("export-results")
@data_dir_option
@click.argument("target", type=click.Path(file_okay=False))
def export_results(data_dir, target) -> None:
    """Write OneRoster 1.1 results (manifest, academicSessions, categories, lineItems,
    results CSV) into a folder."""
    with opened(data_dir):
        files = exports.oneroster_results()
        _audit_cli("export-results", f"OneRoster results to {target}")
    Path(target).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (Path(target) / name).write_text(text, encoding="utf-8", newline="")
    click.echo(f"wrote {', '.join(sorted(files))} to {target}")


@main.command("refresh-rollups")
@data_dir_option
def refresh_rollups(data_dir) -> None:
    """Fold the events not yet in the dashboard's rollups (after an upgrade, or a restore)."""
    with opened(data_dir):
        count = rollups.refresh()
    click.echo(f"folded {count} events")


@main.command("import-bundle")
@data_dir_option
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def import_bundle(data_dir, source) -> None:
    """Apply a bundle from a paired node; a tampered or foreign one is refused whole."""
    with opened(data_dir) as app:
        try:
            stats = peers.import_bundle_file(
                Path(source).read_bytes(), app.config["ROLE"], app.config["DATA_DIR"]
            )
        except SyncError as exc:
            raise click.ClickException(f"bundle refused, nothing applied: {exc}") from None
    click.echo(
        f"applied: {stats.inserted} new, {stats.replaced} updated, {stats.skipped} already here"
    )
    for refusal in stats.refused:
        click.echo(f"refused: {refusal}", err=True)


@main.command("peers")
@data_dir_option
def list_peers(data_dir) -> None:
    """List paired peers with the last success, last error and rows moved."""
    with opened(data_dir, migrate_first=False):
        for p in peers.list_peers():
            state = "revoked" if p.revoked else peers.outcome_of(p)
            if p.last_error and not p.revoked:
                state += f": {p.last_error}"
            click.echo(
                f"{p.id}\t{p.role}\t{p.node_id}\t{p.url or '-'}\tlast attempt "
                f"{p.last_attempt_at or 'never'}\tlast success "
                f"{p.last_success_at or 'never'}\t{state}"
            )


class TakesAnId(click.Command):
    """A command whose argument is an id, which may begin with "-".

    Ids are url-safe base64, so one node in 64 has an id that starts with "-", and click
    would read it as an unknown option. Any "-" word that names none of this command's
    options is taken as the id, so the id copied from `baobab peers` works as it is.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        params = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        known = {name for p in params for name in p.opts + p.secondary_opts}
        valued = {name for p in params if not p.is_flag for name in p.opts}
        words, ids, i = [], [], 0
        while i < len(args):
            word = args[i]
            if word == "--":
                ids += args[i + 1 :]
                break
            if len(word) < 2 or not word.startswith("-") or word.split("=", 1)[0] in known:
                words.append(word)
                if word in valued and i + 1 < len(args):
                    i += 1
                    words.append(args[i])
            else:
                ids.append(word)
            i += 1
        return super().parse_args(ctx, words + (["--", *ids] if ids else []))


@main.command("revoke", cls=TakesAnId)
@data_dir_option
@click.argument("node_id")
def revoke_peer(data_dir, node_id) -> None:
    """Stop trusting a paired node (by its node id, see `baobab peers`): its requests get 403."""
    with opened(data_dir, migrate_first=False):
        peer = peers.Peer.get_or_none(peers.Peer.node_id == node_id)
        if peer is None:
            raise click.ClickException(f"No paired node {node_id} (see `baobab peers`).")
        peers.revoke(peer.id)
    click.echo(f"revoked {node_id}: its next request is refused")


@main.command()
@click.option("--markdown", is_flag=True, help="Print the README's settings table.")
def settings(markdown) -> None:
    """List every setting with its default and meaning."""
    if markdown:
        click.echo(config.settings_markdown(), nl=False)
        return
    for s in config.SETTINGS:
        click.echo(f"{s.env_name}={s.default!r}\n    {s.help}")


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    rate_limit_handlers()  # a flood of one line must not fill the disk (server.node.logs)


if __name__ == "__main__":
    main()
