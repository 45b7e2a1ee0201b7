"""Bounds on what one device can make the node spend: password hashing, log lines."""

from __future__ import annotations

import logging
import threading

import pytest

from server.auth import passwords
from server.errors import TooManyAttempts
from server.node.logs import RateLimitFilter


class _GatedHasher:
    """Stands for argon2: each verification waits at a gate, so all 24 overlap if allowed."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.running = self.peak = self.calls = 0

    def verify(self, stored: str, given: str) -> bool:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        self.gate.wait(0.3)  # a moment of "hashing"; nothing is asserted about time
        with self.lock:
            self.running -= 1
        return False


def test_parallel_wrong_logins_bounded(monkeypatch):
    hasher = _GatedHasher()
    pool = passwords.HashingPool(passwords.HASHING_SLOTS)
    monkeypatch.setattr(passwords, "_staff_hasher", hasher)
    monkeypatch.setattr(passwords, "hashing", pool)
    monkeypatch.setattr(passwords, "HASHING_WAIT_S", 60.0)  # here every guess waits its turn
    results: list[bool] = []
    guesses = [
        threading.Thread(target=lambda: results.append(passwords.verify_password("$x", "guess")))
        for _ in range(24)
    ]
    for thread in guesses:
        thread.start()
    for thread in guesses:
        thread.join(60)
    assert results == [False] * 24 and hasher.calls == 24
    assert hasher.peak <= passwords.HASHING_SLOTS == pool.peak


def test_hashing_pool_full_answers_rate_limited():
    pool = passwords.HashingPool(1)
    with pool.slot(), pytest.raises(TooManyAttempts) as busy, pool.slot(wait_s=0):
        pass
    assert busy.value.status == 429 and busy.value.retry_after > 0
    with pool.slot(wait_s=0):  # the slot came back
        assert pool.running == 1


def _record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord(
        "server.node.runner", logging.WARNING, __file__, 1, message, args, None
    )


def test_log_flood_is_rate_limited():
    now = [0.0]
    limit = RateLimitFilter(per_window=5, window_s=60, clock=lambda: now[0])
    passed = [
        r
        for i in range(10_000)
        if limit.filter(r := _record("refused a connection from %s: %d already open", "x", i))
    ]
    assert len(passed) == 5
    # Another pattern is not held back by the flood.
    assert limit.filter(_record("the database is locked"))
    now[0] = 61.0  # next window: the first line says what was dropped
    record = _record("refused a connection from %s: %d already open", "x", 1)
    assert limit.filter(record)
    assert "9995 more like this were not logged" in record.getMessage()
    assert record.getMessage().startswith("refused a connection from x: 1 already open")


def test_log_flood_through_a_handler_is_rate_limited(tmp_path):
    handler = logging.FileHandler(tmp_path / "node.log")
    handler.addFilter(RateLimitFilter(per_window=3, window_s=60))
    logger = logging.getLogger("tests.flood")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for i in range(2_000):
            logger.warning("HTTPS accept failed: %s", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate = True
    assert len((tmp_path / "node.log").read_text().splitlines()) == 3


def test_a_saturated_node_sums_up_its_queue_waits_once_a_minute(caplog):
    """Waitress warned once per queued request: a class at full speed made a record each."""
    from waitress.task import ThreadedTaskDispatcher

    from server.node.logs import QueueDepthLog

    now = [0.0]
    dispatcher = ThreadedTaskDispatcher()  # no threads started: every task queues
    dispatcher.queue_logger = QueueDepthLog(
        logging.getLogger("tests.queue"), window_s=60, clock=lambda: now[0]
    )
    with caplog.at_level(logging.WARNING, logger="tests.queue"):
        for _ in range(5_000):
            dispatcher.add_task(object())
        assert caplog.records == []  # counted, not logged one by one
        now[0] = 61.0
        dispatcher.add_task(object())
    (record,) = caplog.records
    assert "waited for a free thread 5001 times" in record.getMessage()
    assert "deepest queue: 5001" in record.getMessage()
