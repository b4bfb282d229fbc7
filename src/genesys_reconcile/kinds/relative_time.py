"""Relative times: a file's `30d ago`, `12h ago`, `1d 6h ago` and the API's `P-30DT00H00M`.

The outbound APIs compare dates with a period before now, written `P-<d>DT-<h>H-<m>M` or with
only the days negative (`P-30DT00H00M`, as a live rule set reads back); both mean "that long
ago". A file writes the same period in words, which reviewers read at a glance.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s+ago\s*\Z")
_PERIOD = re.compile(r"P(-?\d+)DT(-?\d+)H(-?\d+)M\Z")


def to_period(text: str) -> str | None:
    """`30d ago` -> `P-30DT00H00M`; None when `text` is not a relative time."""
    found = _WORDS.match(text)
    if not found or not any(found.groups()):
        return None
    days, hours, minutes = (int(part or 0) for part in found.groups())
    return f"P-{days}DT{_past(hours)}H{_past(minutes)}M"


def to_words(period: str) -> str | None:
    """`P-30DT00H00M` or `P-30DT-0H-0M` -> `30d ago`; None for any other text, or a period in
    the future, which files keep verbatim."""
    found = _PERIOD.match(period)
    if not found:
        return None
    parts = [int(part) for part in found.groups()]
    if any(part > 0 for part in parts):
        return None
    days, hours, minutes = (abs(part) for part in parts)
    words = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return (" ".join(words) or "0d") + " ago"


def _past(amount: int) -> str:
    return f"-{amount:02d}" if amount else "00"
