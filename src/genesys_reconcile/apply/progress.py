"""Apply's progress on stderr.

On a terminal, each finished change is left as a line in the scrollback (what was done, how
long it took, or why it failed), and below them one status line (counts, time elapsed, rate,
time left, what is being waited for) is redrawn in place. The status line is cut to the
terminal's width, read again at each draw so a resized window is followed: a line that wraps
leaves rows behind that the carriage return cannot reach. Off a terminal (a CI log), one line
per finished change and nothing redrawn. Either way, a run stopped by a signal ends with what
it did, what it never started, and where its audit trail is. No colour: plain text only.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from genesys_reconcile import log
from genesys_reconcile.apply import progress_lines as lines
from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.plan.model import Change

CLEAR = "\r\x1b[K"  # back to the row's start, then clear to its end


def columns(stream: TextIO) -> int:
    """The width of the terminal `stream` writes to: COLUMNS when set (as shutil reads it),
    else the terminal's own, else 80."""
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        width = 0
    if width > 0:
        return width
    try:
        width = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):  # no file descriptor, or no terminal on it
        width = 0
    return width if width > 0 else 80


class Progress:
    def __init__(
        self,
        total: int,
        stream: TextIO,
        live: bool,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] | None = None,
        every: float = 1.0,
    ) -> None:
        self.total, self.stream, self.live, self.clock = total, stream, live, clock
        self.width = width or (lambda: columns(stream))
        self.done = 0
        # Changes report from parallel threads; a log event may come while a report is drawn.
        self.lock = threading.RLock()
        self.began = clock()
        self.started: dict[tuple[str, str, str], float] = {}  # when each change in flight began
        self.note = ""  # the latest wait, until a change finishes
        self.shown = False  # whether a status line is on the screen
        # A write held back by the rate limit or a slow API reports nothing for a while: the
        # status line is redrawn every `every` seconds meanwhile, so its elapsed time runs on.
        self.every, self.quiet = every, threading.Event()
        self.ticker: threading.Thread | None = None

    def interrupted(self, write: Callable[[], int]) -> int:
        """Something else for the terminal, such as a log event: on a row of its own, with
        the status line drawn again below it."""
        with self.lock:
            if self.shown:
                self.stream.write(CLEAR)
            written = write()
            if self.shown:
                self._draw()
            return written

    def starting(self, change: Change) -> None:
        with self.lock:
            self.started[_key(change)] = self.clock()
            if self.live:
                log.share_stderr(self)  # from the first change on; close() lets go of it
                self._draw()
                self._tick_on()

    def finished(self, outcome: Outcome) -> None:
        with self.lock:
            self.done += 1
            if self.live:
                seconds = self.clock() - self.started.pop(_key(outcome.change), self.began)
                self.stream.write(CLEAR + lines.scrolled(outcome, seconds) + "\n")
                self.note = ""  # it may be the wait that just ended; a wait still on says so again
                self._draw()
            else:
                self.stream.write(lines.logged(outcome) + "\n")
            self.stream.flush()

    def waiting(self, line: str) -> None:
        """A resource still settling, such as a campaign rebuilding its index."""
        if self.live:
            with self.lock:
                self.note = line
                self._draw()

    def close(self) -> None:
        """The status line's last state, left on the screen, with no more ETA to give."""
        self.quiet.set()
        log.share_stderr(None)
        with self.lock:
            if self.live and self.shown:
                tally = lines.tally(self.done, self.total, self.clock() - self.began)
                self.stream.write(CLEAR + lines.fitted(tally, self.width()) + "\n")
                self.stream.flush()
                self.shown = False

    def stopped(
        self, outcomes: Sequence[Outcome], not_started: Sequence[Change], audit: Path
    ) -> None:
        """A run stopped by a signal: what it did and did not do, and where that is recorded."""
        self.close()
        with self.lock:
            self.stream.write(lines.stopped(outcomes, not_started, audit))
            self.stream.flush()

    def _tick_on(self) -> None:
        if self.ticker is None and self.every > 0:
            self.ticker = threading.Thread(target=self._ticking, daemon=True)
            self.ticker.start()

    def _ticking(self) -> None:
        while not self.quiet.wait(self.every):
            with self.lock:
                if self.shown:  # not once the last state is left on the screen
                    self._draw()

    def _draw(self) -> None:
        elapsed = self.clock() - self.began
        line = lines.status(self.done, self.total, elapsed, self.note)
        self.stream.write(CLEAR + lines.fitted(line, self.width()))
        self.stream.flush()
        self.shown = True


def _key(change: Change) -> tuple[str, str, str]:
    return (change.kind, change.name, change.action.value)
