"""Progress on stderr: a bar for known totals, a status line for timed phases.

On a terminal the line is redrawn in place; elsewhere (CI logs, a test's pipe) each phase prints a
start line and an end line only, so logs stay short.
"""

from __future__ import annotations

import sys
import time

_TTY = sys.stderr.isatty()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Bar:
    """`with Bar("Generating", total) as bar: bar.update(n)`."""

    def __init__(self, label: str, total: int, width: int = 30) -> None:
        self.label, self.total, self.width = label, max(total, 1), width
        self.done = 0
        self.started = time.perf_counter()
        self._drawn = 0.0

    def __enter__(self) -> Bar:
        if not _TTY:
            say(f"{self.label} ...")
        self._draw(force=True)
        return self

    def update(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if not _TTY:
            return
        now = time.perf_counter()
        if not force and now - self._drawn < 0.1 and self.done < self.total:
            return
        self._drawn = now
        share = min(self.done / self.total, 1.0)
        filled = int(share * self.width)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {share:4.0%} {self.done}/{self.total}")
        sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        elapsed = time.perf_counter() - self.started
        if _TTY:
            self._draw(force=True)
            sys.stderr.write(f"  {elapsed:.1f} s\n")
            sys.stderr.flush()
        else:
            say(f"{self.label}: {self.done} in {elapsed:.1f} s")


class Status:
    """A phase with a running status line: `status.show("123 requests")`."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._last = ""

    def __enter__(self) -> Status:
        if _TTY:
            self.show("starting")
        else:
            say(f"{self.label} ...")
        return self

    def show(self, text: str) -> None:
        self._last = text
        if not _TTY:
            return
        now = time.perf_counter()
        if now - self._drawn < 0.2 and text != "starting":
            return
        self._drawn = now
        elapsed = now - self.started
        sys.stderr.write(f"\r\033[K{self.label}: {elapsed:5.1f} s  {text}")
        sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        elapsed = time.perf_counter() - self.started
        if _TTY:
            sys.stderr.write(f"\r\033[K{self.label}: {elapsed:.1f} s  {self._last}\n")
            sys.stderr.flush()
        else:
            say(f"{self.label}: done in {elapsed:.1f} s  {self._last}")
