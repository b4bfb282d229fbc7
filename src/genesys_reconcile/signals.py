"""SIGTERM as graceful as Ctrl-C, and a second signal as the way out.

CI cancels a job with SIGTERM. Its default action kills the process between a write and its
audit line, so it is turned into an exception in the main thread, as Python does with SIGINT:
apply then finishes the writes in flight, starts no more and reports. While it finishes, a
second signal of either kind ends the process at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C's KeyboardInterrupt would be, so both stop alike."""


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """The shell's convention: 128 plus the signal's number (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + signal_of(interrupt)


def signal_of(interrupt: KeyboardInterrupt) -> signal.Signals:
    return signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT


@contextlib.contextmanager
def graceful() -> Iterator[None]:
    """Within the block, the first SIGINT or SIGTERM raises in the main thread; the next one
    exits at once. Handlers are restored afterwards (tests run the CLI in-process)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    for signum in HANDLED:
        signal.signal(signum, _first)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _first(signum: int, frame: FrameType | None) -> None:
    for handled in HANDLED:
        signal.signal(handled, _again)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _again(signum: int, frame: FrameType | None) -> None:
    # The user insists: what is in flight is abandoned, which a re-run settles.
    name = signal.Signals(signum).name
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"error: interrupted again by {name}; stopped at once\n")
        sys.stderr.flush()
    os._exit(128 + signum)
