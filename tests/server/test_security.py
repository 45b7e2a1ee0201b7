"""Password hashing: argon2id for staff, a salted SHA-256 for picture passwords, old hashes kept."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from server import db as database
from server.auth.passwords import (
    PICTURE_SCHEME,
    hash_password,
    hash_picture_password,
    verify_password,
    verify_picture_password,
)
from server.models import Person
from server.services.demo import DEMO_PICTURES

# What hash_picture_password made before: argon2id, 4 MiB, 2 passes.
OLD_PICTURE_HASHER = PasswordHasher(time_cost=2, memory_cost=4 * 1024, parallelism=1)


def test_staff_passwords_stay_argon2id():
    stored = hash_password("a long teacher password")
    assert stored.startswith("$argon2id$") and "m=32768" in stored
    assert verify_password(stored, "a long teacher password")
    assert not verify_password(stored, "a long teacher passwore")
    # A picture hash is never accepted as a staff password hash.
    assert not verify_password(hash_picture_password(["sun", "goat", "drum"]), "sun goat drum")


def test_picture_passwords_are_salted_and_order_matters():
    first, second = (hash_picture_password(["sun", "goat", "drum"]) for _ in range(2))
    assert first.startswith(PICTURE_SCHEME + "$") and first != second  # a fresh salt each time
    assert "sun" not in first
    assert verify_picture_password(first, ["sun", "goat", "drum"])
    assert verify_picture_password(second, ["sun", "goat", "drum"])
    assert not verify_picture_password(first, ["goat", "sun", "drum"])
    assert not verify_picture_password(first, ["sun", "goat"])
    assert not verify_picture_password(first, [])


@pytest.mark.parametrize(
    "stored",
    [None, "", "plain", "pic-sha256$", "pic-sha256$abc", "pic-sha256$!!!$00", "other$abc$def"],
)
def test_malformed_picture_hashes_never_match(stored):
    assert not verify_picture_password(stored, ["sun", "goat", "drum"])


def test_a_digest_of_another_salt_does_not_match():
    stored = hash_picture_password(["sun", "goat", "drum"])
    scheme, salt, digest = stored.split("$")
    other_salt = hash_picture_password(["sun", "goat", "drum"]).split("$")[1]
    assert not verify_picture_password(f"{scheme}${other_salt}${digest}", ["sun", "goat", "drum"])


def test_picture_hashes_made_by_the_old_argon2_scheme_still_verify():
    old = OLD_PICTURE_HASHER.hash("sun goat drum")
    assert verify_picture_password(old, ["sun", "goat", "drum"])
    assert not verify_picture_password(old, ["sun", "drum", "goat"])


def test_a_child_with_an_old_hash_signs_in(app, api, world):
    with app.app_context(), database.db.connection_context():
        Person.update(picture_password_hash=OLD_PICTURE_HASHER.hash(" ".join(DEMO_PICTURES))).where(
            Person.id == world.student
        ).execute()
    caller = api()
    assert caller.student_login(world.student, ["sun", "moon", "star"]).status_code == 401
    assert caller.student_login(world.student, DEMO_PICTURES).status_code == 200


def test_new_picture_passwords_use_the_new_scheme(api, world):
    teacher = api(world.tokens["teacher"])
    changed = teacher.patch(
        f"/api/v1/people/{world.student}", json={"pictures": ["moon", "fish", "boat"]}
    )
    assert changed.status_code == 200, changed.get_json()
    stored = Person.get_by_id(world.student).picture_password_hash
    assert stored.startswith(PICTURE_SCHEME + "$")
    caller = api()
    assert caller.student_login(world.student, DEMO_PICTURES).status_code == 401
    assert caller.student_login(world.student, ["moon", "fish", "boat"]).status_code == 200
