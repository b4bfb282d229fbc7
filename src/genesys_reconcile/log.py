"""Structured logging: key-value events on stderr, JSON when not on a terminal (for CI), and
every event passed through redaction first."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any, Protocol, TextIO

import structlog

from genesys_reconcile.redaction import redact_value


def redact_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: every field of every event with secrets removed."""
    return {key: redact_value(key, value) for key, value in event.items()}


def configure(
    level: str = "warning", stream: TextIO | None = None, json: bool | None = None
) -> None:
    """Send log events at `level` and above to `stream` (by default, whatever stderr is at
    the time of each event)."""
    if json is None:
        json = not (stream or sys.stderr).isatty()
    target: Any = stream or _Stderr()  # PrintLogger needs only write and flush
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(target),
        cache_logger_on_first_use=False,
    )


class Sharing(Protocol):
    """Something that keeps a line on stderr redrawn in place (apply's status line): it writes
    what it is given on a row of its own and draws its line again below."""

    def interrupted(self, write: Callable[[], int]) -> int: ...


_sharing: list[Sharing] = []  # what stderr is shared with now, if anything


def share_stderr(with_: Sharing | None) -> None:
    """Log events from now on go through `with_` (None: straight to stderr again)."""
    _sharing[:] = [with_] if with_ is not None else []


class _Stderr:
    """`sys.stderr` looked up at each write: code that swaps it (a test runner capturing one
    test's output, say) must not leave the log writing to a stream since closed."""

    def __init__(self) -> None:
        self.pending = ""  # an event's text until its newline, which comes in a write of its own

    def write(self, text: str) -> int:
        if not _sharing:
            return sys.stderr.write(text)
        # A status line is drawn in place: each whole event goes on a row above it.
        self.pending += text
        if self.pending.endswith("\n"):
            line, self.pending = self.pending, ""
            _sharing[0].interrupted(lambda: sys.stderr.write(line))
        return len(text)

    def flush(self) -> None:
        sys.stderr.flush()


def get(name: str) -> Any:
    if not structlog.is_configured():  # structlog's own default prints everything to stdout
        configure()
    return structlog.get_logger(name)
