"""Keeping secrets out of every output.

A `Secret` never shows its value when printed or logged. Every secret the process holds (the
client secret, each bearer token) is also registered here, and `redact` removes them from any
text: log lines, error messages and crash logs all pass through it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

HIDDEN = "<hidden>"
_SCHEMES = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_SECRET_KEYS = re.compile(r"authorization|secret|token|password", re.IGNORECASE)
_MIN_LENGTH = 6  # shorter values would redact ordinary words

_lock = threading.Lock()
_known: set[str] = set()


class Secret:
    """A value that prints as `<hidden>`; `reveal()` is the one way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({HIDDEN!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def register(value: str) -> None:
    if len(value) >= _MIN_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    text = _SCHEMES.sub(lambda m: f"{m.group(1)} {HIDDEN}", text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, HIDDEN)
    return text


def redact_value(key: str, value: Any) -> Any:
    """A log field with secrets removed; fields named like a secret are hidden whole."""
    if _SECRET_KEYS.search(key) and isinstance(value, str | Secret):
        return HIDDEN
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(key, v) for v in value]
    if isinstance(value, BaseException):
        return redact(f"{type(value).__name__}: {value}")
    return value
