"""At most a few requests of a serving process run the app at once; the rest wait in order.

Python runs one thread at a time. With a waitress thread per request in flight (8
per process), a class of 50 kept eight threads fighting for the GIL: each of a
request's SQLite calls lets the GIL go, and getting it back meant queuing behind
the other seven, so a request took eight times its CPU to finish, the order in
which requests finished was the GIL's lottery, and the switching itself cost about
a sixth of the process's CPU (1.79 against 1.50 ms a request with three threads:
docs/benchmarks.md). Fewer threads would lose what the many are for: a request
waiting for the disk (group commit's fsync) or for the write lock must not keep
the others from running.

So the threads stay, and a :class:`RunGate` lets ``slots`` of them run the app at a
time. The others wait at the gate, in arrival order, a staff session's poll of the
live view or heatmap first (server.node.priority decides which, from cookies the
app has already authenticated). A request that is about to wait for something
other than the CPU (the disk, the write lock, another node) steps out
(:func:`stepped_out`) and gives its slot to the next; it comes back ahead of
everyone who has not started yet, so a writer is never overtaken by later requests.

A staff poll also runs alone: while one holds a slot, no request that has not started
is let in beside it (one coming back from a wait still is). With two running, a poll
shared the GIL with a student's request and waitress's loop thread and took about
three times its own CPU to answer; the heatmap's p99 while the class works is what a
teacher feels (issue 14). Polls are a few a second for a few milliseconds each, so the
class loses next to nothing: its requests still run in the other serving processes
and, in this one, right after the poll.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Lanes, served in this order; first come first served within each.
RESUMING = 0  # back from a wait it stepped out for: it was admitted before the others
STAFF_POLL = 1  # a teacher's open live view or heatmap (server.node.priority)
NORMAL = 2
LANES = (RESUMING, STAFF_POLL, NORMAL)
EXTENSION = "baobab.gate"  # where create_app keeps the app's gate

_held = threading.local()  # .gate: the gate whose slot this thread holds; .depth; .alone


class RunGate:
    """``slots`` threads at a time past the gate; the rest wait in lanes, in order."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self.running = 0  # threads holding a slot now
        self.alone = 0  # staff polls holding a slot now: nothing new starts beside them
        self._lock = threading.Lock()
        self._waiting: tuple[deque[threading.Lock], ...] = tuple(deque() for _ in LANES)
        self.waited = 0  # how many entries had to wait (for tests and figures)
        self.stepped_out = 0  # how many waits gave their slot up

    def enter(self, lane: int = NORMAL) -> None:
        """Take a slot, waiting in ``lane`` while every slot is taken."""
        if getattr(_held, "gate", None) is self:
            _held.depth += 1  # the app called again inside a request: it has its slot
            return
        with self._lock:
            if self.running < self.slots and (lane != NORMAL or not self.alone):
                self.running += 1
                self.alone += lane == STAFF_POLL
                turn = None
            else:
                turn = threading.Lock()
                turn.acquire()
                self._waiting[lane].append(turn)
                self.waited += 1
        if turn is not None:
            turn.acquire()  # released by the thread that hands us its slot (and counts us)
        _held.gate, _held.depth, _held.alone = self, 1, lane == STAFF_POLL

    def leave(self) -> None:
        """Give the slot back: to the first waiter of the first lane that may start now;
        when the last staff poll leaves, fill the slots left empty for it."""
        _held.depth -= 1
        if _held.depth:
            return
        _held.gate = None
        with self._lock:
            self.alone -= _held.alone
            self.running -= 1
            while self.running < self.slots:
                lane = next(
                    (n for n in LANES if self._waiting[n] and (n != NORMAL or not self.alone)),
                    None,
                )
                if lane is None:
                    return
                self._waiting[lane].popleft().release()  # the slot passes on
                self.running += 1
                self.alone += lane == STAFF_POLL

    @contextlib.contextmanager
    def held(self, lane: int = NORMAL) -> Iterator[None]:
        """Hold a slot for the block."""
        self.enter(lane)
        try:
            yield
        finally:
            self.leave()

    def wsgi(
        self, app: Callable[..., Iterable[bytes]], lane_of: Callable[[dict[str, Any]], int]
    ) -> Callable[..., Iterable[bytes]]:
        """``app`` behind the gate: the call runs in a slot, the body is sent outside it
        (a streamed download waits for the client, not for the CPU)."""

        def gated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            with self.held(lane_of(environ)):
                return app(environ, start_response)

        return gated


@contextlib.contextmanager
def stepped_out() -> Iterator[None]:
    """Give this thread's slot up while the block waits (for the disk, a lock or the
    network), and take one again after it, ahead of requests not yet started.

    Does nothing in a thread that holds no slot (the CLI, a background sync)."""
    gate: RunGate | None = getattr(_held, "gate", None)
    if gate is None:
        yield
        return
    depth = _held.depth
    _held.depth = 1
    gate.stepped_out += 1  # a staff poll stepping out comes back as any resuming request
    gate.leave()
    try:
        yield
    finally:
        gate.enter(RESUMING)
        _held.depth = depth


def holds_slot() -> bool:
    """Whether this thread holds a slot of a gate now."""
    return getattr(_held, "gate", None) is not None
