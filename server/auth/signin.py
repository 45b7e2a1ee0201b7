"""Sign-in of staff and students, and bearer tokens."""

from __future__ import annotations

from ..errors import NotFound, NotSignedIn
from ..models import (
    ApiToken,
    Classroom,
    Enrollment,
    Person,
)
from ..services.rows import live_by_id
from .passwords import (
    new_token,
    token_digest,
    verify_password,
    verify_picture_password,
)
from .throttle import SignInThrottle


def staff_sign_in(throttle: SignInThrottle, username: str, password: str, address: str) -> Person:
    """Check a teacher's or admin's credentials, rate limited per account and address."""
    account_key, address_key = f"user:{username.lower()}", f"addr:{address}"
    throttle.check(account_key, address_key, limit_factor=6)
    person = Person.live().where(Person.username == username).first()
    if (
        person is None
        or person.role == "student"
        or not verify_password(person.password_hash, password)
    ):
        throttle.fail(account_key, address_key)
        raise NotSignedIn("Wrong username or password.")
    throttle.succeed(account_key)
    return person


def student_sign_in(
    throttle: SignInThrottle, student_id: str, pictures: list[str], address: str
) -> Person:
    """Sign a child in by their picture password, or none when their class allows."""
    account_key, address_key = f"student:{student_id}", f"addr:{address}"
    throttle.check(account_key, address_key, limit_factor=6)
    student = live_by_id(Person, student_id)
    if student is None or student.role != "student":
        raise NotFound("No such student.")
    enrolled = Enrollment.live(Enrollment.classroom_id).where(
        (Enrollment.person_id == student.id) & (Enrollment.role == "student")
    )
    rows = Classroom.live(Classroom.picture_password).where(Classroom.id.in_(enrolled))
    asks = [c.picture_password for c in rows]
    if any(asks) or not asks:  # a child in no class at all needs their pictures too
        if not verify_picture_password(student.picture_password_hash, pictures):
            throttle.fail(account_key, address_key)
            raise NotSignedIn("Those are not your pictures. Try again.")
    throttle.succeed(account_key)
    return student


def issue_token(person: Person, name: str) -> str:
    """Make a bearer token for an API client of ``person``; only its hash is kept."""
    token, digest = new_token()
    ApiToken.create(token_hash=digest, person_id=person.id, name=name)
    return token


def person_for_token(token: str) -> Person | None:
    """The live person a bearer token belongs to, or None."""
    row = ApiToken.get_or_none(ApiToken.token_hash == token_digest(token))
    if row is None:
        return None
    return live_by_id(Person, row.person_id)


def revoke_token(token: str) -> None:
    """Forget a bearer token."""
    ApiToken.delete().where(ApiToken.token_hash == token_digest(token)).execute()
