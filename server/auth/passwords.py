"""Passwords, picture passwords and bearer tokens: how they are stored and checked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import TooManyAttempts

log = logging.getLogger(__name__)

#: The twelve pictures a child picks three of. Keys are stable; labels are translated.
PICTURES = (
    "sun", "moon", "star", "tree", "flower", "fish",
    "bird", "goat", "drum", "ball", "house", "boat",
)  # fmt: skip


PICTURE_PASSWORD_LENGTH = 3


# Teachers' passwords: argon2id, memory-hard, 32 MiB so that a Pi with 1 GB
# survives a handful of concurrent staff sign-ins.
_staff_hasher = PasswordHasher(time_cost=3, memory_cost=32 * 1024, parallelism=1)


# Picture passwords have only 12**3 = 1,728 values. No hash makes that strong:
# whoever holds the database tries them all offline, in 17 s even against the
# argon2id we used before (4 MiB, 2 passes, ~10 ms each), and in no time against
# anything cheaper. What protects a child's account is the online rate limit
# (SignInThrottle: a few failures per account per window), and the node being
# in the classroom. So a memory-hard hash only costs: 30 children signing in
# at once queued ~10 ms of CPU each on a 2-core box. We store a salted SHA-256
# instead (microseconds; the salt keeps equal passwords from looking equal) and
# keep argon2id only for staff passwords, which can be strong. Hashes made by
# the old scheme (``$argon2…``) still verify. The hash syncs with the person, so
# it uses no node secret: every node of the school must verify it.
PICTURE_SCHEME = "pic-sha256"


_legacy_picture_hasher = PasswordHasher(time_cost=2, memory_cost=4 * 1024, parallelism=1)


# Each argon2 computation holds 32 MiB for a moment: 24 wrong sign-ins at once took a
# node from 437 to 949 MB. At most HASHING_SLOTS run at once in a process (each serving
# process has its own pool); the others wait up to HASHING_WAIT_S for a slot, then are
# told to retry (429), which costs nothing. Two slots keep both cores of a small box busy.
HASHING_SLOTS = 2
HASHING_WAIT_S = 10.0


class HashingPool:
    """At most ``slots`` password hashes at once; counts its peak (for tests and logs)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    @contextmanager
    def slot(self, wait_s: float | None = None) -> Iterator[None]:
        """Hold one slot while hashing; TooManyAttempts when none frees in time."""
        if not self._free.acquire(timeout=HASHING_WAIT_S if wait_s is None else wait_s):
            log.warning("password hashing busy: a sign-in was asked to retry")
            raise TooManyAttempts(
                "The node is busy checking other sign-ins; try again in a moment.",
                retry_after=2,
            )
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._free.release()


hashing = HashingPool(HASHING_SLOTS)


def hash_password(password: str) -> str:
    """Hash a staff password with argon2id (in the bounded pool)."""
    with hashing.slot():
        return _staff_hasher.hash(password)


def _verify(hasher: PasswordHasher, stored: str | None, given: str) -> bool:
    if not stored:
        return False
    with hashing.slot():
        try:
            return hasher.verify(stored, given)
        except (VerificationError, InvalidHashError):
            return False


def verify_password(stored: str | None, password: str) -> bool:
    """Say whether ``password`` matches the stored staff hash."""
    return _verify(_staff_hasher, stored, password)


def _picture_digest(salt: bytes, pictures: list[str]) -> str:
    return hashlib.sha256(salt + " ".join(pictures).encode()).hexdigest()


def hash_picture_password(pictures: list[str]) -> str:
    """Hash a sequence of picture keys (order matters): ``pic-sha256$salt$digest``."""
    salt = secrets.token_bytes(16)
    encoded = base64.urlsafe_b64encode(salt).decode().rstrip("=")
    return f"{PICTURE_SCHEME}${encoded}${_picture_digest(salt, pictures)}"


def verify_picture_password(stored: str | None, pictures: list[str]) -> bool:
    """Say whether the picked pictures match the stored hash (either scheme)."""
    if not stored:
        return False
    if stored.startswith("$argon2"):
        return _verify(_legacy_picture_hasher, stored, " ".join(pictures))
    scheme, _, rest = stored.partition("$")
    encoded, _, digest = rest.partition("$")
    if scheme != PICTURE_SCHEME or not digest:
        return False
    try:
        salt = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return False
    return hmac.compare_digest(_picture_digest(salt, pictures), digest)


def new_token() -> tuple[str, str]:
    """Return a new bearer token and the SHA-256 hex under which it is stored."""
    token = "bb_" + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()
