"""Local records of sync: the peers this node trusts and the pairing codes it issued."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    DoubleField,
    IntegerField,
    TextField,
)

from .base import BaseModel, utcnow


class Peer(BaseModel):
    """A node or hub this node has paired with, its key, and the truth about its syncs."""

    node_id = CharField(max_length=32, unique=True)
    public_key = CharField(max_length=64)
    school_id = CharField(max_length=100, null=True)
    role = CharField(max_length=8, default="node")  # node or hub
    url = CharField(max_length=300, null=True)
    revoked = BooleanField(default=False)
    paired_at = DateTimeField(default=utcnow)
    # Sequence numbers: ours toward them, and the highest we accepted from them.
    next_seq_out = BigIntegerField(default=1)
    last_seq_in = BigIntegerField(default=0)
    last_attempt_at = DateTimeField(null=True)
    last_success_at = DateTimeField(null=True)
    last_error = TextField(null=True)
    last_pulled = IntegerField(default=0)
    last_pushed = IntegerField(default=0)
    clock_offset_ms = BigIntegerField(default=0)
    known_vectors = TextField(default="{}")  # their vectors at our last sync, for bundles
    # What it may author here (sync.engine EVENTS, ACCOUNTS, HUB), comma-separated (0009).
    grants = TextField(default="events")
    # The software version its last hello claimed (0019): its word, signed; null if unsaid.
    version = CharField(max_length=40, null=True)

    @property
    def grant_set(self) -> frozenset[str]:
        """The grants of this pairing, as a set."""
        return frozenset(g for g in (self.grants or "").split(",") if g)


class PairingCode(BaseModel):
    """A one-time code a teacher or admin shows to let a node join a school."""

    code_hash = CharField(max_length=64, unique=True)
    school_id = CharField(max_length=100)
    created_by = CharField(max_length=100, null=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used = BooleanField(default=False)
    grants = TextField(default="events")  # what the peer it makes may author (0009)


class SharedSecret(BaseModel):
    """A key every app host of a hub must hold alike (its node key, its cookie key) (0015).

    On a hub the database is the one place they live; each host's data directory
    keeps a copy written at start (server.node.identity.adopt_shared_keys).
    """

    name = CharField(max_length=32, primary_key=True)
    value = TextField()


class SignInFailure(BaseModel):
    """A failed (or reserved) sign-in against a key, on a hub: every app host counts it (0015)."""

    key = CharField(max_length=200, index=True)
    at = DoubleField()  # seconds since the epoch: one clock for every host


class SyncRun(BaseModel):
    """A sync a hub's app host runs with a peer, and how far it has got (0015).

    ``beat_at`` moves while the sync runs: a row whose host died stops beating and
    is shown as not running (server.replication.progress).
    """

    peer_id = IntegerField(primary_key=True)
    token = CharField(max_length=16)
    host = CharField(max_length=200)
    state = TextField()  # JSON: direction, rows_done, rows_total, pulled, pushed, started_at
    beat_at = DoubleField()
