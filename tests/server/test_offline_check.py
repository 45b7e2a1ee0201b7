"""Items carry, for students, hashed keys to check answers offline, and never the keys."""

from __future__ import annotations

from types import SimpleNamespace

from server import db as database
from server.models import Item
from server.services.learning import normalise_text
from server.services.offline_check import offline_check, salted


def _item(api, token, item):
    detail = api(token).get(f"/api/v1/activities/{item.activity_id}").get_json()
    return next(i for i in detail["items"] if i["id"] == item.id)


def test_students_get_hashed_checks_and_staff_the_keys(app, api, world):
    with app.app_context(), database.db.connection_context():
        text = Item.live().where(Item.type == "text").order_by(Item.id).first()
    staff = _item(api, world.tokens["teacher"], text)
    assert staff["answer"] == text.answer and staff.get("check") is None
    mine = _item(api, world.tokens["student"], text)
    assert mine["answer"] is None and mine["tolerance"] is None
    forms = {normalise_text(a) for a in text.answer}
    assert mine["check"] == {"hashes": sorted(salted(text.id, f) for f in forms)}


def test_numbers_are_hashed_at_their_decimals_or_given_plainly():
    def check(answer, tolerance=None):
        return offline_check(
            SimpleNamespace(id="i", type="numeric", answer=answer, tolerance=tolerance)
        )

    assert check(7) == {"decimals": 0, "hashes": [salted("i", "7")]}
    assert check(2.5) == {"decimals": 1, "hashes": [salted("i", "25")]}
    assert check(-0.125) == {"decimals": 3, "hashes": [salted("i", "-125")]}
    assert check(3.14159, 0.01) == {"answer": 3.14159, "tolerance": 0.01}
    assert check(1e-7) == {"answer": 1e-7, "tolerance": 0}
    choice = offline_check(SimpleNamespace(id="c", type="choice", answer=2, tolerance=None))
    assert choice == {"hashes": [salted("c", "2")]}
