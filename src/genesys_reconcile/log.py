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
    """Send log events at `level` and above to `stream` (stderr)."""
    stream = stream or sys.stderr
    if json is None:
        json = not stream.isatty()
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
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


def get(name: str) -> Any:
    if not structlog.is_configured():  # structlog's own default prints everything to stdout
        configure()
    return structlog.get_logger(name)
