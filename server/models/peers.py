"""Local records of sync: the peers this node trusts and the pairing codes it issued."""

from __future__ import annotations

from peewee import BigIntegerField, BooleanField, CharField, DateTimeField, IntegerField, TextField

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
