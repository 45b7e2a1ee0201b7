"""0003 peers: trusted peers with their keys and sync status, and pairing codes.

A frozen copy of the models as they were: migrations never import server.models.
"""

import datetime

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Peer(Model):
        node_id = CharField(max_length=32, unique=True)
        public_key = CharField(max_length=64)
        school_id = CharField(max_length=100, null=True)
        role = CharField(max_length=8, default="node")
        url = CharField(max_length=300, null=True)
        revoked = BooleanField(default=False)
        paired_at = DateTimeField(default=datetime.datetime.utcnow)
        next_seq_out = BigIntegerField(default=1)
        last_seq_in = BigIntegerField(default=0)
        last_attempt_at = DateTimeField(null=True)
        last_success_at = DateTimeField(null=True)
        last_error = TextField(null=True)
        last_pulled = IntegerField(default=0)
        last_pushed = IntegerField(default=0)
        clock_offset_ms = BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "peer"

    class PairingCode(Model):
        code_hash = CharField(max_length=64, unique=True)
        school_id = CharField(max_length=100)
        created_by = CharField(max_length=100, null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        expires_at = DateTimeField()
        used = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "pairing_code"

    db.create_tables([Peer, PairingCode])
