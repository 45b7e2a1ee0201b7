"""Node identity: Ed25519 keys made at setup, signed requests, pairing proofs.

Every sync request is signed over its method, path, the sender's node id, a
per-peer sequence number and the body's digest. The receiver accepts only
sequence numbers above the last it saw from that peer, so a replayed request is
refused; clocks play no part (they lie, invariant 9).
"""

from __future__ import annotations

import hashlib
import hmac

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from .errors import SyncError

HEADER_NODE = "X-Baobab-Node"
HEADER_SEQ = "X-Baobab-Seq"
HEADER_SIGNATURE = "X-Baobab-Signature"


class AuthError(SyncError):
    """Raised when a signature or a pairing proof does not verify."""


class NodeKey:
    """This node's signing key."""

    def __init__(self, signing_key: SigningKey) -> None:
        self._key = signing_key

    @classmethod
    def generate(cls) -> NodeKey:
        """Make a new key pair."""
        return cls(SigningKey.generate())

    @classmethod
    def from_hex(cls, private_hex: str) -> NodeKey:
        """Load a key from its hex seed."""
        return cls(SigningKey(bytes.fromhex(private_hex.strip())))

    def private_hex(self) -> str:
        """The seed, for the key file."""
        return bytes(self._key).hex()

    def public_hex(self) -> str:
        """The public key others verify us with."""
        return bytes(self._key.verify_key).hex()

    def sign(self, payload: bytes) -> str:
        """Sign ``payload``; return the signature in hex."""
        return self._key.sign(payload).signature.hex()


def request_payload(method: str, path: str, node_id: str, seq: int, body: bytes) -> bytes:
    """What a request signature covers."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{node_id}\n{seq}\n{digest}".encode()


def verify(public_hex: str, payload: bytes, signature_hex: str) -> bool:
    """Say whether ``signature_hex`` is the holder of ``public_hex`` signing ``payload``."""
    try:
        VerifyKey(bytes.fromhex(public_hex)).verify(payload, bytes.fromhex(signature_hex))
        return True
    except (BadSignatureError, ValueError, TypeError):
        return False


def pairing_proof(code: str, public_hex: str, node_id: str) -> str:
    """Proof that the sender knows the pairing code, bound to its key and id."""
    message = f"{node_id}\n{public_hex}".encode()
    return hmac.new(normalise_code(code).encode(), message, hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    """Codes are typed by people: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def proofs_match(expected: str, given: str) -> bool:
    """Constant-time comparison of two proofs."""
    return hmac.compare_digest(expected.encode(), given.encode())
