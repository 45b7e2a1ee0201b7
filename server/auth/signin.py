"""Sign-in of staff and students, and bearer tokens.

The rate limit (server.auth.throttle) counts failed sign-ins under three keys:

- the account on this device (account and client address): ``SIGNIN_MAX_FAILURES``;
- the client address, whatever account it tries: six times that;
- the account from anywhere: three times that, *except* from a device (address)
  that signed in to this account within 30 days, which only its own limits hold.

So a stranger's guesses lock out their own device, not the teacher on theirs,
and guesses spread over many devices are still bounded per account. An attempt
is reserved against every key before the password is verified and given back
on success, so parallel guesses cannot outrun the limit.

On a hub, usernames are unique per school, not across schools: staff sign-in
names the school (its id or code) and a username that several schools share is
refused without it, never taken as the first match.
"""

from __future__ import annotations

from collections.abc import Callable

from ..db import run_compiled
from ..errors import InvalidInput, NotFound, NotSignedIn
from ..models import (
    ApiToken,
    Classroom,
    Enrollment,
    Person,
    School,
)
from ..services.rows import live_by_id
from .passwords import (
    new_token,
    token_digest,
    verify_password,
    verify_picture_password,
)
from .throttle import SignInThrottle

#: Failures per address (any account), as a multiple of SIGNIN_MAX_FAILURES.
ADDRESS_FACTOR = 6
#: Failures per account from devices it never signed in on, as a multiple.
ACCOUNT_FACTOR = 3


def _limited(
    throttle: SignInThrottle,
    account: str,
    address: str,
    check: Callable[[], bool],
    cheap: bool = False,
) -> bool:
    """Run ``check`` (True: signed in) under the limit of ``account`` from ``address``.

    ``cheap``: the check takes microseconds (a picture password's digest), so it runs
    under the limit's lock instead of reserving an attempt and giving it back: a
    child's sign-in on a device it used today writes no file.
    """
    device = f"{account}|addr:{address}"
    limits = {
        device: throttle.max_failures,
        f"addr:{address}": throttle.max_failures * ADDRESS_FACTOR,
    }
    if cheap:
        account_limit = (account, throttle.max_failures * ACCOUNT_FACTOR)
        return throttle.checked(limits, account_limit, device, check)
    if not throttle.known(device):
        limits[account] = throttle.max_failures * ACCOUNT_FACTOR
    reservation = throttle.attempt(limits)
    try:
        result = check()
    except BaseException:
        throttle.release(reservation, *limits)  # not a guess (an error, a refusal)
        raise
    if result:
        throttle.release(reservation, *limits, forget=(device,), known=device)
    return result


def _staff_matches(username: str, school: str | None) -> list[Person]:
    query = Person.live().where((Person.username == username) & (Person.role != "student"))
    if school:
        named = School.live(School.id).where((School.id == school) | (School.code == school))
        query = query.where(Person.school_id.in_(named))
    return list(query.limit(2))


def staff_sign_in(
    throttle: SignInThrottle,
    username: str,
    password: str,
    address: str,
    school: str | None = None,
) -> Person:
    """Check a teacher's or admin's credentials, rate limited per account and address."""
    matches = _staff_matches(username, school)
    if len(matches) > 1:
        raise InvalidInput(
            "Several schools have this username: say which school you belong to.",
            {"school": ["Name your school (its code) to sign in."]},
        )
    person = matches[0] if matches else None
    account = (
        f"person:{person.id}" if person else f"user:{(school or '').lower()}|{username.lower()}"
    )

    def check() -> bool:
        return person is not None and verify_password(person.password_hash, password)

    if not _limited(throttle, account, address, check):
        raise NotSignedIn("Wrong username or password.")
    return person


def _picture_rules(person_id: str):
    """Whether each class of a student asks for pictures (compiled once: every sign-in)."""
    enrolled = Enrollment.live(Enrollment.classroom_id).where(
        (Enrollment.person_id == person_id) & (Enrollment.role == "student")
    )
    return Classroom.live(Classroom.picture_password).where(Classroom.id.in_(enrolled))


def student_sign_in(
    throttle: SignInThrottle, student_id: str, pictures: list[str], address: str
) -> Person:
    """Sign a child in by their picture password, or none when their class allows."""
    student = live_by_id(Person, student_id)
    if student is None or student.role != "student" or student.archived:
        raise NotFound("No such student.")
    asks = [row[0] for row in run_compiled("classes-picture-rule", _picture_rules, student.id)]

    def check() -> bool:
        if any(asks) or not asks:  # a child in no class at all needs their pictures too
            return verify_picture_password(student.picture_password_hash, pictures)
        return True

    # A picture password is a salted digest (microseconds); one made before it (argon2,
    # milliseconds) is checked outside the lock, by reservation.
    cheap = not (student.picture_password_hash or "").startswith("$argon2")
    if not _limited(throttle, f"student:{student.id}", address, check, cheap=cheap):
        raise NotSignedIn("Those are not your pictures. Try again.")
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
