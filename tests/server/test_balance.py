"""Connections spread evenly over the serving processes (server.node.balance)."""

from __future__ import annotations

import os
import time

from server.node import balance, rundir
from server.node.balance import ConnectionBalance, share_excess


class _Server:
    def __init__(self, connections: int) -> None:
        self.active_channels = dict.fromkeys(range(connections))


def test_the_excess_is_what_one_holds_over_an_even_share():
    assert share_excess(30, [20]) == 5
    assert share_excess(25, [25]) == 0
    assert share_excess(26, [25]) == 0  # 51 cannot split evenly: 26 is a fair share
    assert share_excess(20, [30]) == 0  # the emptier one closes nothing
    assert share_excess(9, [0, 0]) == 6
    assert share_excess(7, []) == 0  # alone: nothing to balance against


def test_a_process_over_its_share_closes_that_many_then_none(tmp_path):
    shares = ConnectionBalance(tmp_path)
    shares.servers += [_Server(20), _Server(10)]  # plain and TLS: counted together
    shares.folder.mkdir()
    rundir.write_json(shares.folder / str(os.getppid()), 10)  # another serving process
    assert shares.count_once() == 10
    assert [shares.take() for _ in range(12)] == [True] * 10 + [False] * 2
    assert shares.closed == 10
    assert rundir.read_json(shares.folder / str(os.getpid())) == 30


def test_a_count_gone_stale_or_of_a_dead_process_is_not_a_process(tmp_path):
    shares = ConnectionBalance(tmp_path)
    shares.servers.append(_Server(12))
    shares.folder.mkdir()
    stale = shares.folder / str(os.getppid())
    rundir.write_json(stale, 0)
    old = time.time() - balance.STALE_S - 1
    os.utime(stale, (old, old))
    rundir.write_json(shares.folder / "999999999", 0)  # no such process
    assert shares.count_once() == 0
    assert not shares.take()


def test_the_counting_thread_starts_and_stops_and_takes_its_count_away(tmp_path):
    shares = ConnectionBalance(tmp_path, interval_s=0.01)
    shares.servers.append(_Server(3))
    shares.start()
    mine = shares.folder / str(os.getpid())
    deadline = time.monotonic() + 30
    while not mine.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rundir.read_json(mine) == 3
    shares.stop()
    assert not mine.exists()
