"""The node's write lock hands turns to a process's writers in the order they asked.

Regression (issue 16): the lock among a process's threads was a plain lock, so a
writer that came along just as it was released (often the thread that had just
released it, writing again) took it ahead of writers already waiting. An answer
could wait through many others' writes while later ones went ahead: the slowest
requests of a class were mostly such answers.
"""

from __future__ import annotations

import threading
import time

import pytest

from server.db import WriterLock

WAIT_S = 10  # long enough never to be reached unless something is stuck


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def _writer(lock: WriterLock, name: str, order: list[str]) -> threading.Thread:
    def write() -> None:
        with lock:
            order.append(name)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("between_processes", [True, False], ids=["flock", "one-process"])
def test_a_writer_asking_again_waits_behind_those_already_waiting(tmp_path, between_processes):
    lock = WriterLock(str(tmp_path / "db.writelock") if between_processes else None)
    order: list[str] = []
    lock.__enter__()
    threads = []
    for count, name in enumerate(["first", "second", "third"], start=1):
        threads.append(_writer(lock, name, order))
        _until(lambda: lock.waited == count, f"{name} to wait")  # noqa: B023
    lock.__exit__(None, None, None)
    with lock:  # at once, while this thread still runs: a plain lock let it go first
        order.append("again")
    for thread in threads:
        thread.join(WAIT_S)
    assert order == ["first", "second", "third", "again"]
    with lock:  # nobody waits: the turn was given back, not kept
        pass


def test_a_writer_that_fails_to_lock_passes_its_turn_on(tmp_path):
    lock = WriterLock(str(tmp_path / "no such folder" / "db.writelock"))
    outcomes: list[str] = []

    def write() -> None:
        try:
            with lock:
                outcomes.append("wrote")
        except FileNotFoundError:
            outcomes.append("refused")

    threads = [threading.Thread(target=write, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert outcomes == ["refused"] * 3  # none left waiting for a turn never passed
