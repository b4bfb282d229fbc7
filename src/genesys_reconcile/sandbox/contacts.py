"""The contacts of the demo contact lists, and how a contact list filter selects among them.

Contacts are not kept in the state file: each list's are generated from its id and the
sandbox's seed, the same every time, and kept in memory per list. Every value is a string, as
on the platform (`DialerContact.data`). Some values are empty (a contact with no region, a
do-not-call flag never set, no purchase yet), so filters meet empty values as they would in a
real list.

A filter is evaluated as the SDK describes it: clauses joined by the filter's `filterType`,
predicates by their clause's; `columnType` numeric compares numbers, alphabetic compares text
(case-sensitively); BETWEEN with `range.min`/`max` and their inclusivity; IN over
`range.inSet`; BEFORE/AFTER against a relative period (`P-30DT00H00M`) before the org's clock;
`inverted` negates a predicate. A predicate never selects a contact whose value in its column
is empty or does not read as the comparison's type, inverted or not: so "NOT do_not_call =
true" keeps only contacts whose flag is set to something else. Which way the platform goes is
a question for a real org; the preview's counts show it there.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

# At most this many contacts per list: enough to make counts meaningful, few enough that a
# preview is immediate. A list's `size` may claim more; the sandbox simulates its first ones.
MAX_CONTACTS = 2_000
REGIONS = ("NW", "CA", "TX", "NY", "WA", "FL")
_PERIOD = re.compile(r"P(-?\d+)DT(-?\d+)H(-?\d+)M\Z")

Contact = dict[str, Any]  # {"id", "contactListId", "data": {column: str}}


def contacts_of(seed: int, contact_list: Mapping[str, Any], now: float) -> list[Contact]:
    """A list's contacts, the same for a seed, list and day."""
    today = datetime.fromtimestamp(now, UTC).date()
    columns = tuple(str(c) for c in contact_list.get("columnNames", []))
    size = min(int(contact_list.get("size", MAX_CONTACTS)), MAX_CONTACTS)
    return _generated(seed, str(contact_list["id"]), columns, size, today.isoformat())


@functools.lru_cache(maxsize=16)
def _generated(
    seed: int, list_id: str, columns: tuple[str, ...], size: int, today: str
) -> list[Contact]:
    rng = random.Random(f"{seed}:{list_id}")  # noqa: S311 (a simulation, not cryptography)
    day = date.fromisoformat(today)
    made = []
    for number in range(size):
        values = _values(rng, day)
        data = {column: values.get(column, "") for column in columns}
        ident = f"{list_id[:8]}-{number:06d}"
        made.append({"id": ident, "contactListId": list_id, "data": data})
    return made


def _values(rng: random.Random, today: date) -> dict[str, str]:
    def sometimes_empty(share: float, value: str) -> str:
        return "" if rng.random() < share else value

    purchased = today - timedelta(days=rng.randint(1, 730))
    return {
        "phone": f"+1555{rng.randint(0, 9_999_999):07d}",
        "age": str(rng.randint(18, 80)),
        "region": sometimes_empty(0.04, rng.choice(REGIONS)),
        "engagement_score": str(rng.randint(0, 100)),
        "do_not_call": sometimes_empty(0.04, "true" if rng.random() < 0.08 else "false"),
        "recently_contacted": str(rng.randint(0, 90)),
        "last_purchase": sometimes_empty(0.1, purchased.isoformat()),
    }


# -- evaluation ---------------------------------------------------------------------------------


def selects(contact_filter: Mapping[str, Any], data: Mapping[str, str], now: float) -> bool:
    """Whether the filter selects a contact with these values."""
    clauses = [
        _joined(str(c.get("filterType", "AND")), [_predicate(p, data, now) for p in _preds(c)])
        for c in contact_filter.get("clauses", [])
    ]
    return _joined(str(contact_filter.get("filterType", "AND")), clauses)


def _preds(clause: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    predicates: Sequence[Mapping[str, Any]] = clause.get("predicates", [])
    return predicates


def _joined(filter_type: str, results: Sequence[bool]) -> bool:
    return any(results) if filter_type == "OR" else all(results)


def _predicate(predicate: Mapping[str, Any], data: Mapping[str, str], now: float) -> bool:
    value = data.get(str(predicate.get("column")), "")
    if value == "":
        return False  # neither selected nor, inverted, selected: see the module docstring
    compare = _comparison(predicate, value, now)
    if compare is None:
        return False
    return compare != bool(predicate.get("inverted", False))


def _comparison(predicate: Mapping[str, Any], value: str, now: float) -> bool | None:
    """The predicate's result on a non-empty value; None when the value cannot be compared."""
    operator = predicate.get("operator")
    wanted = str(predicate.get("value", ""))
    if operator in ("CONTAINS", "BEGINS_WITH", "ENDS_WITH"):
        return _TEXT[str(operator)](value, wanted)
    if operator in ("BEFORE", "AFTER"):
        return _relative(str(operator), value, wanted, now)
    read = _reader(str(predicate.get("columnType", "alphabetic")))
    mine = read(value)
    if mine is None:
        return None
    if operator == "IN":
        chosen = [read(str(v)) for v in (predicate.get("range") or {}).get("inSet", [])]
        return mine in chosen
    if operator == "BETWEEN":
        return _between(mine, predicate.get("range") or {}, read)
    other = read(wanted)
    if other is None:
        return None
    return _ORDER.get(str(operator), lambda a, b: False)(mine, other)


def _reader(column_type: str) -> Callable[[str], Any]:
    return _number if column_type == "numeric" else (lambda text: text)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _between(mine: Any, bounds: Mapping[str, Any], read: Callable[[str], Any]) -> bool | None:
    low, high = read(str(bounds.get("min", ""))), read(str(bounds.get("max", "")))
    if low is None or high is None:
        return None
    above = mine >= low if bounds.get("minInclusive") else mine > low
    below = mine <= high if bounds.get("maxInclusive") else mine < high
    return bool(above and below)


_TEXT: dict[str, Callable[[str, str], bool]] = {
    "CONTAINS": lambda value, wanted: wanted in value,
    "BEGINS_WITH": lambda value, wanted: value.startswith(wanted),
    "ENDS_WITH": lambda value, wanted: value.endswith(wanted),
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "EQUALS": lambda a, b: bool(a == b),
    "LESS_THAN": lambda a, b: bool(a < b),
    "LESS_THAN_EQUALS": lambda a, b: bool(a <= b),
    "GREATER_THAN": lambda a, b: bool(a > b),
    "GREATER_THAN_EQUALS": lambda a, b: bool(a >= b),
}


def _relative(operator: str, value: str, period: str, now: float) -> bool | None:
    """BEFORE/AFTER: the contact's date against now shifted by the period."""
    moment, shift = _instant(value), period_of(period)
    if moment is None or shift is None:
        return None
    threshold = datetime.fromtimestamp(now, UTC) + shift
    return moment < threshold if operator == "BEFORE" else moment > threshold


def period_of(text: str) -> timedelta | None:
    """`P-30DT00H00M` as a time span (negative: in the past); None for other text."""
    found = _PERIOD.match(text)
    if not found:
        return None
    days, hours, minutes = (int(part) for part in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _instant(text: str) -> datetime | None:
    """A contact's date, in the formats the platform's call rules read (`yyyy-MM-dd`, or a
    date-time with `Z` or an offset; without one, UTC)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
