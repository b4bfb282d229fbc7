"""Structured logging: key-value events on stderr, JSON when not on a terminal (for CI), and
every event passed through redaction first."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

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


class _Stderr:
    """`sys.stderr` looked up at each write: code that swaps it (a test runner capturing one
    test's output, say) must not leave the log writing to a stream since closed."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def get(name: str) -> Any:
    if not structlog.is_configured():  # structlog's own default prints everything to stdout
        configure()
    return structlog.get_logger(name)
