"""Sync progress on a terminal: a bar redrawn in place on a TTY, plain lines otherwise."""

from __future__ import annotations

from typing import TextIO

BAR_WIDTH = 24
UNITS = {"content": "files"}


def render(stage: str, done: int, total: int, width: int = BAR_WIDTH) -> str:
    """One status line: ``push [#########.......]  45% 13,500/30,000 rows``."""
    total = max(total, done)
    unit = UNITS.get(stage, "rows")
    if total <= 0:
        return f"{stage:<7} nothing to do"
    filled = done * width // total
    percent = done * 100 // total
    bar = "#" * filled + "." * (width - filled)
    return f"{stage:<7} [{bar}] {percent:3d}% {done:,}/{total:,} {unit}"


class ProgressLine:
    """A sync progress callback writing to ``stream`` (stderr, so stdout stays the result)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn = False
        self._last: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in ("pull", "push", "content"):
            return
        if self.tty:
            self.stream.write("\r" + render(stage, done, total) + "\x1b[K")
            self._drawn = True
        elif self._last != (stage, done):  # plain lines: each step once, for logs and pipes
            self.stream.write(f"  {stage}: {done}/{max(total, done)} {UNITS.get(stage, 'rows')}\n")
        self._last = (stage, done)
        self.stream.flush()

    def close(self) -> None:
        """End the redrawn line, so what follows starts on its own."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
