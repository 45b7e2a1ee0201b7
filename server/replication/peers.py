"""Peers: pairing by one-time code, signed sync requests, and running a sync."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from sync import wire
from sync.auth import (
    HEADER_NODE,
    HEADER_SEQ,
    HEADER_SIGNATURE,
    normalise_code,
    pairing_proof,
    proofs_match,
    request_payload,
    verify,
)
from sync.bundle import import_bundle, read_bundle, write_bundle
from sync.engine import (
    ACCOUNTS,
    DEFAULT_MAX_ROWS,
    EVENTS,
    HUB,
    Sender,
    SessionResult,
    SyncSession,
    hello_version,
    serve_message,
)
from sync.errors import SyncError
from sync.http import HttpTransport, post_json, signed_request
from sync.stamp import DISTRICT, school_partition
from sync.vector import pending_union

from ..db import bulk_checkpoints, held_apart, is_sqlite, write_transaction
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, NotSignedIn
from ..models import AuditEntry, LocalNode, PairingCode, Peer, Person, School
from ..models.base import utcnow
from ..node import identity, rundir
from ..version import __version__
from . import blobs, clock, photo_sync
from . import progress as sync_progress
from .store import NodeStore

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
CODE_LENGTH = 8
CODE_MINUTES = 15
ANY_SCHOOL = "*"  # a hub's enrolment code: the node brings its own school
PAIR_PATH = "/api/v1/sync/pair"
OUTCOME_PATH = "/api/v1/sync/outcome"
OUTCOMES = ("ok", "incomplete", "failed")
MAX_SAID = 2000  # characters of a peer's account of a sync kept here
MAX_SEQ_DIGITS = 18  # below 2**63: what the database's BigIntegerField holds
ALWAYS = object()  # sync_with's default: run the session whatever happened meanwhile


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


#: What an admin may grant with a code: students' work always, accounts by choice.
#: HUB is never granted by a code: only the hub a node enrolled with has it.
CODE_GRANTS = (EVENTS, ACCOUNTS)
HUB_GRANTS = frozenset({EVENTS, ACCOUNTS, HUB})
#: In the run folder while `serve` runs: where it listens ({"host", "port"}).
LISTEN_FILE = "listen"


def grants_text(grants: Any) -> str:
    """Grants as stored: EVENTS always, in a fixed order."""
    chosen = {EVENTS, *grants}
    unknown = chosen - {EVENTS, ACCOUNTS, HUB}
    if unknown:
        raise InvalidInput(f"Unknown grant(s): {', '.join(sorted(unknown))}.")
    return ",".join(g for g in (EVENTS, ACCOUNTS, HUB) if g in chosen)


def create_pairing_code(
    school_id: str, created_by: str | None = None, grants: Any = ()
) -> tuple[str, datetime.datetime]:
    """Make a one-time code that lets one node join ``school_id``; valid 15 minutes.

    The node it pairs may author what ``grants`` say (EVENTS always; ACCOUNTS
    if the admin chose it): the code carries the admin's choice.
    """
    if not set(grants) <= set(CODE_GRANTS):
        raise InvalidInput(f"A pairing code grants only {' and '.join(CODE_GRANTS)}.")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    expires = now + datetime.timedelta(minutes=CODE_MINUTES)
    # Spent and expired codes are worth nothing: keep the table from growing.
    spent = (PairingCode.used == True) | (PairingCode.expires_at < now)  # noqa: E712
    PairingCode.delete().where(spent).execute()
    PairingCode.create(
        code_hash=_code_hash(raw),
        school_id=school_id,
        created_by=created_by,
        expires_at=expires,
        grants=grants_text(grants),
    )
    return f"{raw[:4]}-{raw[4:]}", expires


def accept_pairing(data: dict[str, Any], data_dir: str, role: str = "node") -> dict[str, Any]:
    """Serve a pairing request: check the code, trust the newcomer, prove ourselves."""
    with write_transaction():
        code = PairingCode.get_or_none(PairingCode.code_hash == _code_hash(data["code"]))
        if code is None or code.used or code.expires_at < utcnow():
            raise NotSignedIn("That pairing code is wrong or has expired.")
        expected = pairing_proof(data["code"], data["public_key"], data["node_id"])
        if not proofs_match(expected, data["proof"]):
            raise NotSignedIn("The pairing proof does not match the code.")
        me = LocalNode.get()
        if data["node_id"] == me.node_id:
            raise Conflict("A node cannot pair with itself.")
        theirs = data.get("school_id")
        if code.school_id != ANY_SCHOOL and theirs and theirs != code.school_id:
            # Refused here, before anything is stored: the requester's own check is not ours.
            log.warning(
                "pairing refused: node %s of school %s used a code of school %s",
                data["node_id"],
                theirs,
                code.school_id,
            )
            raise Conflict("That node belongs to another school: it cannot pair with this one.")
        code.used = True
        code.save()
        peer = Peer.get_or_none(Peer.node_id == data["node_id"])
        if peer is None:
            peer = Peer(node_id=data["node_id"])
        school_id = code.school_id
        if school_id == ANY_SCHOOL:
            school_id = data.get("school_id")
            if not school_id:
                raise InvalidInput("Enrolment needs the node's school id.")
        peer.public_key = data["public_key"]
        peer.school_id = school_id
        peer.role = data["role"]  # what it says it is; what it may author is the code's
        peer.grants = code.grants
        # The address it says it is reached at, so this side can start a sync too; a
        # known address is never overwritten with nothing. A hub never calls a node.
        if data.get("url") and role != "hub":
            peer.url = data["url"].rstrip("/")
        peer.revoked = False
        peer.last_seq_in = 0
        peer.save()
        if role == "hub":
            _audit_enrolment(code, peer)
    key = identity.node_key(data_dir)
    return {
        "node_id": me.node_id,
        "public_key": key.public_hex(),
        "school_id": school_id,
        "role": role,
        "proof": pairing_proof(data["code"], key.public_hex(), me.node_id),
    }


def _audit_enrolment(code: PairingCode, peer: Peer) -> None:
    """Put a node's enrolment in the hub's audit log, beside the code it used: which node,
    for which school, by whose code, allowed to author what."""
    maker = Person.get_or_none(Person.id == code.created_by) if code.created_by else None
    school = School.get_or_none(School.id == peer.school_id)
    AuditEntry.create(
        actor_id=maker.id if maker else "cli",
        actor_name=maker.display_name if maker else "baobab pair-code",
        action="node-enrolled",
        school_id=peer.school_id,
        subject_id=peer.node_id,
        detail=(
            f"node {peer.node_id} enrolled for {school.name if school else peer.school_id}"
            f" ({peer.school_id}); it may author: {peer.grants or 'events'}"
        )[:2000],
    )


def own_url(host: str, port: int, toward: str = "") -> str:
    """The address this node is reached at from the peer at ``toward``.

    ``host`` is the address ``serve`` listens on: a specific one is the answer;
    on every interface (0.0.0.0), the interface address nearest the peer's (the
    longest common prefix), loopback for a peer on this machine.
    """
    if host not in ("0.0.0.0", "", "::"):
        return f"http://{host}:{port}"
    from ..node.runner import lan_addresses  # waitress and ifaddr: only when pairing

    addresses = lan_addresses() or ["127.0.0.1"]
    target = urllib.parse.urlsplit(toward).hostname or ""
    try:
        peer_ip = int(ipaddress.IPv4Address(target))
    except ValueError:
        peer_ip = None
    if peer_ip is not None:
        if target.startswith("127."):
            return f"http://127.0.0.1:{port}"

        def shared_bits(address: str) -> int:
            return 32 - (int(ipaddress.IPv4Address(address)) ^ peer_ip).bit_length()

        addresses = sorted(addresses, key=lambda a: (a.startswith("127."), -shared_bits(a)))
    return f"http://{addresses[0]}:{port}"


def served_port(data_dir: str, configured: int) -> int:
    """The port ``serve`` listens on: the one it bound (run/port), else the setting."""
    bound = str(rundir.read_json(rundir.run_dir(data_dir) / "port") or "")
    return int(bound) if bound.isdigit() and int(bound) > 0 else configured


def pair_with(
    url: str, code: str, data_dir: str, role: str = "node", my_url: str | None = None
) -> Peer:
    """Join a school through a node (or hub) at ``url`` with the code it showed.

    ``my_url`` is where the peer reaches this node: sent, so that either side can
    start a sync (without it, only this side could).
    """
    me = identity.ensure_node()
    key = identity.node_key(data_dir)
    request = {
        "url": my_url,
        "code": code,
        "node_id": me.node_id,
        "public_key": key.public_hex(),
        "role": role,
        "school_id": me.school_id,
        "proof": pairing_proof(code, key.public_hex(), me.node_id),
    }
    reply = post_json(url.rstrip("/") + PAIR_PATH, request)
    expected = pairing_proof(code, reply.get("public_key", ""), reply.get("node_id", ""))
    if not proofs_match(expected, str(reply.get("proof", ""))):
        raise SyncError("the peer could not prove it knows the code: not pairing")
    if me.school_id and me.school_id != reply["school_id"]:
        raise SyncError("that peer belongs to another school than this node")
    with write_transaction():
        peer = Peer.get_or_none(Peer.node_id == reply["node_id"]) or Peer(node_id=reply["node_id"])
        peer.public_key = reply["public_key"]
        peer.school_id = reply["school_id"]
        peer.role = "hub" if reply.get("role") == "hub" else "node"
        # We chose to join its school with its code: it may author our accounts; the
        # district's content only if it is the hub.
        peer.grants = grants_text(HUB_GRANTS if peer.role == "hub" else {ACCOUNTS})
        peer.url = url.rstrip("/")
        peer.revoked = False
        peer.save()
        if not me.school_id:
            identity.set_school(reply["school_id"])
    return peer


# ---------------------------------------------------------------- serving signed requests


def check_sender(headers: Any) -> Peer:
    """Before a signed request's body is read: a paired, unrevoked sender, a fresh number.

    The signature covers the body, so only `authenticate` (after the body) proves
    the sender; these checks cost nothing and refuse most of what is not from a
    paired node before its body is read (the body may be 64 MB). A replayed
    number is refused here too; a forged one passes here and fails the signature.
    """
    node_id = headers.get(HEADER_NODE)
    seq_text = headers.get(HEADER_SEQ, "")
    if not node_id or not headers.get(HEADER_SIGNATURE) or not seq_text.isdigit():
        raise NotSignedIn("Sync requests must be signed by a paired node.")
    peer = Peer.get_or_none(Peer.node_id == node_id)
    if peer is None or peer.revoked:
        raise Forbidden("This node is not paired with this one, or was revoked.")
    if len(seq_text) > 18:  # a sequence number fits a signed 64-bit column
        raise InvalidInput("The request's sequence number is out of range.")
    if int(seq_text) <= peer.last_seq_in:
        raise Conflict("This request was already seen (a replay); nothing was applied.")
    return peer


def authenticate(method: str, path: str, headers: Any, body: bytes) -> Peer:
    """The trusted, unrevoked peer that signed this request; its sequence number moves on."""
    node_id = headers.get(HEADER_NODE)
    seq_text = headers.get(HEADER_SEQ, "")
    signature = headers.get(HEADER_SIGNATURE)
    if not node_id or not signature or not seq_text.isdigit():
        raise NotSignedIn("Sync requests must be signed by a paired node.")
    if not seq_text.isascii() or len(seq_text) > MAX_SEQ_DIGITS:
        # The database keeps it in a signed 64-bit integer: a larger one is not a sequence.
        raise InvalidInput(f"{HEADER_SEQ} must be a whole number below 10^{MAX_SEQ_DIGITS}.")
    seq = int(seq_text)
    with write_transaction():
        peer = Peer.get_or_none(Peer.node_id == node_id)
        if peer is None or peer.revoked:
            raise Forbidden("This node is not paired with this one, or was revoked.")
        if not verify(
            peer.public_key, request_payload(method, path, node_id, seq, body), signature
        ):
            raise NotSignedIn("The request signature does not verify.")
        # One statement checks and moves the number: two hub hosts handed the same
        # request at once (a replay) cannot both read the old number and both go on.
        moved = (
            Peer.update(last_seq_in=seq)
            .where((Peer.id == peer.id) & (Peer.last_seq_in < seq))
            .execute()
        )
        if not moved:
            raise Conflict("This request was already seen (a replay); nothing was applied.")
    return peer


def allowed_partitions(peer: Peer, role: str = "node") -> tuple[set[str], set[str]]:
    """What a peer may read here, and what it may write.

    A node shares its own school and the district's content with nodes of its
    school. A hub shares with each enrolled node that node's school, and the
    district's content read-only: only the hub publishes shared content.
    """
    me = LocalNode.get()
    if not peer.school_id:
        return {DISTRICT}, set()
    school = school_partition(peer.school_id)
    if role == "hub":
        return {school, DISTRICT}, {school}
    if peer.school_id != me.school_id:
        return set(), set()
    if HUB in peer.grant_set:
        return {school, DISTRICT}, {school, DISTRICT}
    # Between nodes of a school only the school's partition: district content comes
    # only from the hub (invariant 10), so a node does not relay it.
    return {school}, {school}


def sender_of(peer: Peer) -> Sender:
    """The peer as the engine sees it: its node id and what it may author here."""
    return Sender(peer.node_id, peer.grant_set)


def _say_refusals(peer: Peer, refused: list[str], direction: str) -> str | None:
    """Log rows a peer's sync had refused and say them in its status; None if none."""
    if not refused:
        return None
    message = f"Refused {direction}: " + "; ".join(refused)
    log.warning("sync with peer %s: %s", peer.node_id, message)
    return message


def serve(peer: Peer, body: bytes, role: str = "node", data_dir: str | None = None) -> bytes:
    """Answer one signed sync message from a peer (``data_dir``: where erased photos'
    bytes are deleted, when the message erased a student here)."""
    message = wire.decode(body)
    readable, writable = allowed_partitions(peer, role)
    ignored = None
    if isinstance(message, dict) and message.get("type") == "hello":
        # A session begins: the last attempt of this peer, whoever started it.
        changes: dict[Any, Any] = {Peer.last_attempt_at: utcnow()}
        told = _peer_url(message.get("url"))
        if told and role != "hub" and told != peer.url:
            # Signed by the peer itself: where it is reached now (DHCP moves nodes, and a
            # node paired before its first `serve` could only guess its port).
            log.info("peer %s is now reached at %s", peer.node_id, told)
            changes[Peer.url] = told
        version, ignored = hello_version(message)
        changes[Peer.version] = _said_version(peer, version, ignored)
        Peer.update(changes).where(Peer.id == peer.id).execute()
    store = NodeStore(role)
    reply = serve_message(store, message, readable, writable, sender_of(peer), __version__)
    store.forget_bytes(data_dir)
    if ignored:
        reply["ignored"] = [f"your version: {ignored}; shown as unknown"]
    said = _say_refusals(peer, reply.get("refused") or [], "from it")
    if said is not None:
        Peer.update(last_error=said).where(Peer.id == peer.id).execute()
    return wire.encode(reply)


def _said_version(peer: Peer, version: str | None, ignored: str | None) -> str | None:
    """What a hello's version claim stores: the claim when well formed, else nothing
    (never the raw value); a malformed one is logged. An old peer says none: unknown."""
    if ignored:
        log.warning("peer %s said a malformed version (%s): ignored", peer.node_id, ignored)
    return version


def _peer_url(value: Any) -> str | None:
    """An address a peer says it is reached at, when it is a plain http(s) URL."""
    if not isinstance(value, str) or len(value) > 300:
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        return None
    return value.rstrip("/")


def advertised_url(data_dir: str, toward: str) -> str | None:
    """Where the peer at ``toward`` reaches this node, while it serves (else None)."""
    listen = rundir.read_json(rundir.run_dir(data_dir) / LISTEN_FILE)
    if not isinstance(listen, dict) or not listen.get("port"):
        return None
    return own_url(str(listen.get("host", "0.0.0.0")), int(listen["port"]), toward)


def _hello_extra(data_dir: str, peer: Peer, role: str) -> dict[str, Any]:
    """What our hello tells the peer besides the engine's: our address, if we serve one."""
    url = advertised_url(data_dir, peer.url or "") if role != "hub" else None
    return {"url": url} if url else {}


def incomplete_text(missing: int) -> str:
    """How a sync that moved its rows but not every file is said, on both sides."""
    return f"incomplete: {missing} file(s) still to move; the next sync resumes"


def record_outcome(peer: Peer, body: bytes) -> None:
    """A peer says how the sync it started with us ended: we say the same.

    ``{"outcome": "ok"|"incomplete"|"failed", "files_missing": N, "said": text|null}``;
    anything else is refused (422) and changes nothing.
    """
    try:
        data = json.loads(body)
        outcome, missing, said = data["outcome"], data.get("files_missing", 0), data.get("said")
    except (ValueError, TypeError, KeyError):
        raise InvalidInput("Send {outcome, files_missing, said} as JSON.") from None
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}.")
    if not isinstance(missing, int) or isinstance(missing, bool) or not 0 <= missing < 2**31:
        raise InvalidInput("files_missing must be a whole number.")
    if said is not None and (not isinstance(said, str) or len(said) > MAX_SAID):
        raise InvalidInput(f"said must be text of at most {MAX_SAID} characters.")
    if outcome == "incomplete" and not missing:
        raise InvalidInput("An incomplete sync has files still to move.")
    if outcome == "failed" and not said:
        raise InvalidInput("A failed sync says why.")
    fields: dict[Any, Any] = {Peer.last_error: said or None}
    if outcome == "ok":
        fields[Peer.last_success_at] = utcnow()
    Peer.update(fields).where(Peer.id == peer.id).execute()


def outcome_of(peer: Peer, running: Any = None) -> str:
    """The last sync with a peer, whoever started it, in one word.

    never, running, ok, incomplete (rows in, files still to move), failed, or
    interrupted (it began and no end was heard: a killed process, a cut link).
    """
    if running:
        return "running"
    if peer.last_attempt_at is None:
        return "never" if peer.last_success_at is None else "ok"
    if peer.last_success_at is not None and peer.last_success_at >= peer.last_attempt_at:
        return "ok"
    if peer.last_error:
        return "incomplete" if peer.last_error.startswith("incomplete:") else "failed"
    return "interrupted"


# ---------------------------------------------------------------- initiating a sync


def _tell_outcome(peer: Peer, data_dir: str, outcome: str, missing: int, said: str | None) -> None:
    """Tell the peer how the sync ended, so that both sides say the same (best effort:
    if it is not heard, the peer says "interrupted", which is true as far as it knows)."""
    body = json.dumps({"outcome": outcome, "files_missing": missing, "said": said}).encode()
    try:
        request = signed_request(
            peer.url + OUTCOME_PATH,
            "POST",
            body,
            LocalNode.get().node_id,
            identity.node_key(data_dir),
            _next_seq(peer.id),
            "application/json",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        log.info("could not tell %s how the sync ended: %s", peer.url, exc)


def _next_seq(peer_id: int) -> int:
    with write_transaction():
        peer = Peer.get_by_id(peer_id)
        Peer.update(next_seq_out=peer.next_seq_out + 1).where(Peer.id == peer_id).execute()
        return peer.next_seq_out


def sync_with(
    peer: Peer,
    data_dir: str,
    progress: Any = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    role: str = "node",
    unless_succeeded_since: Any = ALWAYS,
) -> SessionResult | None:
    """Run a session with a peer, one at a time per peer across every process of the node.

    A second sync with the same peer waits for the first (rundir.sync_lock): two at
    once would interleave their sequence numbers and the peer would refuse one as a
    replay. The peer is read again once the lock is held (it may have been revoked).
    With ``unless_succeeded_since`` (the scheduler's: the peer's ``last_success_at`` as
    it read it after its last try), no session runs and None is returned when that has
    changed: a sync succeeded meanwhile, one that "Sync now" or the CLI ran, perhaps the
    one this call waited for. Changed, not later: a box without a clock battery may have
    stamped that success with a wrong time since set right, and a stamp ahead of the
    clock must not stop the scheduler until the clock gets there.
    """
    with sync_lock(data_dir, peer.id, role):
        peer = Peer.get_by_id(peer.id)
        if unless_succeeded_since is not ALWAYS and peer.last_success_at != unless_succeeded_since:
            return None
        return _sync_with(peer, data_dir, progress, max_rows, role)


def sync_lock(data_dir: str, peer_id: int, role: str) -> Any:
    """The per-peer sync lock: a file lock on a node, a PostgreSQL lock on a hub on it.

    A hub's app hosts share only the database, so the lock lives there (held on a
    connection of its own: a host that dies lets it go, and another host's sync of
    the peer goes on). A hub on SQLite is one machine: the file lock is enough.
    """
    if role == "hub" and not is_sqlite():
        return held_apart("sync", peer_id)
    return rundir.sync_lock(data_dir, peer_id)


def _sync_with(
    peer: Peer,
    data_dir: str,
    progress: Any = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    role: str = "node",
) -> SessionResult:
    """Run a session with a peer and record the truth about it, success or failure.

    While it runs, ``sync_progress.get`` says how far it has got (the web
    page polls it); ``progress(stage, done, total)`` hears the same.
    """
    if peer.revoked:
        raise Forbidden("That peer was revoked.")
    if not peer.url:
        raise InvalidInput("That peer has no address to reach it at.")
    me = LocalNode.get()
    Peer.update(last_attempt_at=utcnow()).where(Peer.id == peer.id).execute()
    transport = HttpTransport(
        peer.url, me.node_id, identity.node_key(data_dir), lambda: _next_seq(peer.id)
    )
    running = sync_progress.begin(data_dir, peer.id, shared=role == "hub")

    def report(stage: str, done: int, total: int) -> None:
        sync_progress.update(running, stage, done, total)
        if progress is not None:
            progress(stage, done, total)

    try:
        store = NodeStore(role)
        readable = allowed_partitions(peer, role)[0] if role != "hub" else None
        with bulk_checkpoints():  # each request's sequence number commits too
            result = SyncSession(
                store,
                transport,
                allowed=readable,
                max_rows=max_rows,
                progress=report,
                peer=sender_of(peer),
                hello=_hello_extra(data_dir, peer, role),
                version=__version__,
            ).run()
        store.forget_bytes(data_dir)  # erased photos' bytes: the rows said so, and committed
        _fetched, still_missing = blobs.fetch_missing(peer.url, data_dir, report)
        signer = photo_sync.PhotoPeer(
            peer.url, me.node_id, identity.node_key(data_dir), lambda: _next_seq(peer.id)
        )
        readable, _writable = allowed_partitions(peer, role)
        # Photos follow, both ways; only those the peer may read leave this node.
        still_missing += photo_sync.exchange(signer, data_dir, readable)[2]
    except Exception as exc:  # any failure is the truth to record, never a success
        message = str(exc) if isinstance(exc, SyncError) else f"{type(exc).__name__}: {exc}"
        Peer.update(last_error=message).where(Peer.id == peer.id).execute()
        _tell_outcome(peer, data_dir, "failed", 0, message[:MAX_SAID])
        raise
    finally:
        sync_progress.end(running)
    result.files_missing = still_missing
    if still_missing:
        log.info("sync with %s: %d files still to move", peer.url, still_missing)
    # Rows are in; files that could not be moved yet make the sync incomplete, not ok:
    # it is said first, and it is no success (the last success stays the last one).
    said = [
        incomplete_text(still_missing) if still_missing else None,
        _say_refusals(peer, result.refused, "both ways"),
    ]
    message = "; ".join(s for s in said if s) or None
    fields: dict[Any, Any] = {
        Peer.last_error: message,
        Peer.known_vectors: json.dumps(result.peer_vectors),
        Peer.last_pulled: result.pulled.rows,
        Peer.last_pushed: result.pushed_rows,
        Peer.clock_offset_ms: result.clock_offset_ms,
        Peer.version: _said_version(peer, result.peer_version, result.peer_version_ignored),
    }
    if not still_missing:
        fields[Peer.last_success_at] = utcnow()
    Peer.update(fields).where(Peer.id == peer.id).execute()
    clock.forget()  # decay here measures from the offset just seen (other processes: soon)
    outcome = "incomplete" if still_missing else "ok"
    _tell_outcome(peer, data_dir, outcome, still_missing, message and message[:MAX_SAID])
    return result


def id_conflicts(role: str = "node") -> int:
    """Event ids seen with two contents (the other content kept in history), on every
    replica alike once synced: the history rows of event tables (events have no others)."""
    from sync.stamp import EVENT

    from ..models import RowHistory

    events = [t for t, kind in NodeStore(role).tables().items() if kind == EVENT]
    return RowHistory.select().where(RowHistory.table_name.in_(events)).count()


def find_peer(url: str | None = None, peer_id: int | None = None) -> Peer:
    """A paired peer by address or id."""
    if peer_id is not None:
        peer = Peer.get_or_none(Peer.id == peer_id)
    else:
        peer = Peer.get_or_none(Peer.url == (url or "").rstrip("/"))
    if peer is None:
        raise NotFound("No paired peer there: pair with it first (baobab pair URL CODE).")
    return peer


def revoke(peer_id: int) -> None:
    """Stop trusting a peer: its requests get 403 from now on."""
    peer = find_peer(peer_id=peer_id)
    Peer.update(revoked=True).where(Peer.id == peer.id).execute()


def list_peers() -> list[Peer]:
    """Every peer this node knows, by id."""
    return list(Peer.select().order_by(Peer.id))


class ListingStore(NodeStore):
    """Our store for one listing of peers: each partition's vector is read once.

    The hub's sync-health page lists every node; they share the district's vector
    and a school's nodes share theirs, so the listing's statements grow with the
    partitions, not with the nodes times the partitions.
    """

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self._vectors: dict[str, Any] = {}

    def vector(self, partition: str) -> Any:
        """The partition's vector as first read in this listing."""
        if partition not in self._vectors:
            self._vectors[partition] = super().vector(partition)
        return self._vectors[partition]


def peer_status(
    peer: Peer, data_dir: str, role: str = "node", store: NodeStore | None = None
) -> dict[str, Any]:
    """A peer with what it still lacks from us, as far as our last sync with it knows.

    ``store``: one shared by a listing of many peers (``ListingStore``).
    """
    store = store or NodeStore(role)
    known = json.loads(peer.known_vectors or "{}")
    readable, writable = allowed_partitions(peer, role)
    mine = {p: store.vector(p) for p in readable}
    never_synced = peer.last_success_at is None
    pending_out = pending_union(
        [(mine[p], known.get(p, {})) for p in readable if p in known or never_synced]
    )
    # What they held at the last sync that we still lack (an interrupted pull).
    pending_in = pending_union([(known[p], mine[p]) for p in readable if p in known])
    running = sync_progress.get(data_dir, peer.id, shared=role == "hub")
    return {
        **peer.__data__,
        "grants": sorted(peer.grant_set),
        "pending_out": pending_out,
        "pending_in": pending_in,
        "running": running,
        "last_outcome": outcome_of(peer, running),
    }


# ---------------------------------------------------------------- USB bundles


def export_bundle(
    data_dir: str, for_node: str | None = None, role: str = "node"
) -> tuple[bytes, int]:
    """A signed bundle of our partitions: what ``for_node`` lacked at our last sync, or all."""
    store = NodeStore(role)
    theirs: dict[str, dict[str, int]] = {}
    secrets = False  # a bundle for anyone carries no password hashes
    partitions = store.partitions()
    if for_node:
        peer = Peer.get_or_none(Peer.node_id == for_node)
        if peer is None:
            raise NotFound(f"No paired node {for_node}.")
        theirs = json.loads(peer.known_vectors or "{}")
        secrets = ACCOUNTS in peer.grant_set
        partitions = sorted(allowed_partitions(peer, role)[0] & set(partitions))
    elif role != "hub":
        # District content reaches a node only from the hub: a node's bundle for anyone
        # carries its school's work, which every node of the school accepts.
        partitions = [p for p in partitions if p != DISTRICT]
    data = write_bundle(
        store, identity.node_key(data_dir), partitions, theirs, for_node, secrets=secrets
    )
    return data, len(data)


def import_bundle_file(data: bytes, role: str = "node", data_dir: str | None = None) -> Any:
    """Verify a bundle whole, then apply it; refused whole if tampered or foreign."""
    header, _chunks = read_bundle(data)
    peer = Peer.get_or_none((Peer.node_id == str(header.get("node_id"))) & (Peer.revoked == False))  # noqa: E712

    def trusted_key(node_id: str) -> str | None:
        return peer.public_key if peer is not None and peer.node_id == node_id else None

    writable = allowed_partitions(peer, role)[1] if peer is not None else set()
    grants = peer.grant_set if peer is not None else frozenset()
    store = NodeStore(role)
    stats = import_bundle(store, data, trusted_key, writable, grants)
    store.forget_bytes(data_dir)
    if peer is not None:
        said = _say_refusals(peer, [str(r) for r in stats.refused], "from its bundle")
        if said is not None:
            Peer.update(last_error=said).where(Peer.id == peer.id).execute()
    return stats
