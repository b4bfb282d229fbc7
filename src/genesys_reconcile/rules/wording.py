"""How a finding writes what it speaks of: sets of values as a reviewer reads them (`25 to 55`,
`in {CA, TX}`), literals as the rule expression dialect writes them, and lists of names.

Every text is one line: control characters are escaped, so that a finding never spans lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from genesys_reconcile.rules.expression import Literal
from genesys_reconcile.rules.values import Interval, T, Values

__all__ = ["describe", "listed", "literal", "quoted", "show_bound"]

_NUMBERISH = re.compile(r"-?[0-9][0-9.]*")


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def quoted(text: str) -> str:
    """`text` in single quotes, as the rule expression dialect writes a string."""
    return "'" + _one_line(text).replace("'", "''") + "'"


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def show_bound(value: float | None) -> str:
    """A range's bound, or `none` where it is open."""
    return "none" if value is None else _number(value)


def _text(value: str) -> str:
    """A string as a reviewer reads it in a set: bare unless that would be ambiguous."""
    plain = bool(value) and value == value.strip() and not any(c in value for c in ",{}'")
    if plain and value not in ("true", "false") and not _NUMBERISH.fullmatch(value):
        return _one_line(value)
    return quoted(value)


def literal(value: Literal) -> str:
    """A value as the rule expression dialect writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quoted(value)
    return _number(value)


def _span(interval: Interval[T], show: Callable[[T], str], anything: str) -> str:
    low, high = interval.low, interval.high
    if low is not None and high is not None and low.closed and high.closed:
        return f"{show(low.value)} to {show(high.value)}"
    parts = []
    if low is not None:
        parts.append(f"{'at least' if low.closed else 'above'} {show(low.value)}")
    if high is not None:
        parts.append(f"{'at most' if high.closed else 'below'} {show(high.value)}")
    return " and ".join(parts) or anything


def _is_point(interval: Interval[T]) -> bool:
    low, high = interval.low, interval.high
    return low is not None and high is not None and low.value == high.value


def describe(values: Values) -> str:
    """`25 to 55`, `at least 18`, `in {CA, TX}`, `CA`, or a union of such parts."""
    if values.other:
        return "any value"
    points = [_number(i.low.value) for i in values.numbers if i.low is not None and _is_point(i)]
    points += [_text(i.low.value) for i in values.strings if i.low is not None and _is_point(i)]
    points += [literal(b) for b in sorted(values.booleans)]
    parts = [_span(i, _number, "any number") for i in values.numbers if not _is_point(i)]
    parts += [_span(i, _text, "any text") for i in values.strings if not _is_point(i)]
    if len(points) == 1:
        parts.append(points[0])
    elif points:
        parts.append("in {" + ", ".join(points) + "}")
    return " or ".join(parts) or "nothing"


def listed(words: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
