"""Decay measures from the district's time: a node's clock corrected by what its syncs saw."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from server.models import Peer, Person
from server.models.base import utcnow
from server.replication import clock
from server.services import learning, mastery
from sync.engine import ACCOUNTS, EVENTS, HUB
from sync.hlc import wall_ms

DAY_MS = 24 * 3600 * 1000


def _peer(offset_ms: int, grants: set[str], *, synced_days_ago: float | None = 0, **kw) -> Peer:
    return Peer(
        node_id=uuid.uuid4().hex[:16],
        public_key="k",
        clock_offset_ms=offset_ms,
        grants=",".join(sorted(grants)),
        last_success_at=None
        if synced_days_ago is None
        else utcnow() - dt.timedelta(days=synced_days_ago),
        **kw,
    )


def test_the_hub_is_the_reference_when_there_is_one():
    peers = [_peer(5_000, {EVENTS}), _peer(-7_000, {HUB}), _peer(9_000, {EVENTS, ACCOUNTS})]
    assert clock.reference_offset(peers) == -7_000


def test_a_peer_that_calls_itself_hub_without_the_grant_is_not_the_reference():
    claims = _peer(3 * DAY_MS, {EVENTS}, role="hub")
    assert clock.reference_offset([claims, _peer(0, {EVENTS}), _peer(0, {EVENTS})]) == 0


def test_without_a_hub_one_node_an_hour_off_is_outvoted():
    hour = 3600 * 1000
    # We and two peers agree; the third runs an hour ahead.
    assert (
        clock.reference_offset([_peer(10, {EVENTS}), _peer(-10, {EVENTS}), _peer(hour, {EVENTS})])
        == 0
    )
    # We are the one an hour behind: the others agree with each other, not with us.
    assert clock.reference_offset([_peer(hour, {EVENTS}), _peer(hour + 20, {EVENTS})]) == hour


def test_revoked_stale_unsynced_and_absurd_offsets_do_not_count():
    peers = [
        _peer(DAY_MS, {EVENTS}, revoked=True),
        _peer(DAY_MS, {EVENTS}, synced_days_ago=30),
        _peer(DAY_MS, {EVENTS}, synced_days_ago=None),
        _peer(clock.MAX_TRUSTED_OFFSET_MS + 1, {HUB}),
    ]
    assert clock.reference_offset(peers) == 0


def test_the_hub_measures_from_its_own_clock(db):
    _peer(DAY_MS, {HUB}).save()
    clock.forget()
    before = wall_ms()
    assert before <= clock.district_now_ms("hub") <= wall_ms()


def test_decay_on_a_node_behind_the_hub_counts_the_days_it_lost(db, world):
    """A Pi that booted three days behind measures decay as the hub does, not three days short."""
    student = Person.get_by_id(world.student)
    for n in range(6):
        learning.record_answer(
            student,
            {"id": uuid.uuid4().hex, "item_id": world.item_choice, "response": 0,
             "device_ms": wall_ms() - 20 * DAY_MS + n},
        )  # fmt: skip
    clock.forget()
    skill = mastery.mastery_of(student)

    def practised(items):
        return {m["skill_id"]: m for m in items if m["attempts"]}

    uncorrected = practised(skill)
    assert uncorrected, "the answers should have traced a skill"
    _peer(3 * DAY_MS, {HUB}).save()  # the hub's clock is three days ahead of ours
    clock.forget()
    corrected = practised(mastery.mastery_of(student))
    as_hub = practised(mastery.mastery_of(student, now_ms=wall_ms() + 3 * DAY_MS))
    for skill_id, m in corrected.items():
        assert m["p_known_now"] == pytest.approx(as_hub[skill_id]["p_known_now"], rel=1e-6)
        if uncorrected[skill_id]["p_known"] > uncorrected[skill_id]["p_known_now"]:
            assert m["p_known_now"] < uncorrected[skill_id]["p_known_now"]
    assert any(corrected[s]["p_known_now"] < uncorrected[s]["p_known_now"] for s in corrected), (
        "three more days of forgetting should show"
    )
