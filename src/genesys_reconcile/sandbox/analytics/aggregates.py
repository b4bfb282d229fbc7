"""The aggregates query: metrics per group of dimensions and per time bucket.

Answers `POST /api/v2/analytics/conversations/aggregates/query`: counts, and `count/sum/min/max`
of durations, for the conversations that pass the body's filter, grouped by `groupBy` and cut
into buckets of `granularity` (fixed minutes and hours, or calendar days, weeks and months that
break at midnight in `timeZone`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from genesys_reconcile.sandbox.analytics import vocabulary
from genesys_reconcile.sandbox.analytics.conversations import Conversation, ConversationsIn
from genesys_reconcile.sandbox.analytics.predicates import (
    DIMENSIONS,
    Predicate,
    bounds,
    combine,
    metric_value,
    predicate,
)
from genesys_reconcile.sandbox.analytics.wire import (
    array,
    choice,
    interval,
    iso,
    mapping,
    optional,
    reject_unknown,
    required,
    string,
)
from genesys_reconcile.sandbox.errors import bad_request

_FILTER_FIELDS = frozenset({"type", "predicates", "clauses"})
_CLAUSE_FIELDS = frozenset({"type", "predicates"})


def _aggregate_filter(raw: Any) -> Predicate:
    spec = mapping(raw, "filter")
    reject_unknown(spec, _FILTER_FIELDS, "filter")
    kind = choice(required(spec, "type", "filter.type"), ("and", "or"), "filter.type")
    predicates = array(optional(spec, "predicates", []), "filter.predicates")
    parts = [predicate(p, f"filter.predicates[{i}]") for i, p in enumerate(predicates)]
    for i, clause in enumerate(array(optional(spec, "clauses", []), "filter.clauses")):
        parts.append(_clause(clause, f"filter.clauses[{i}]"))
    if not parts:
        raise bad_request("filter needs predicates or clauses", "filter")
    return combine(kind, parts)


def _clause(raw: Any, path: str) -> Predicate:
    spec = mapping(raw, path)
    reject_unknown(spec, _CLAUSE_FIELDS, path)
    kind = choice(required(spec, "type", f"{path}.type"), ("and", "or"), f"{path}.type")
    predicates = array(required(spec, "predicates", f"{path}.predicates"), f"{path}.predicates")
    if not predicates:
        raise bad_request("a clause needs predicates", f"{path}.predicates")
    return combine(
        kind, [predicate(p, f"{path}.predicates[{i}]") for i, p in enumerate(predicates)]
    )


class _Buckets(Protocol):
    def index(self, moment: datetime) -> int: ...
    def bounds(self, index: int) -> tuple[datetime, datetime]: ...


@dataclass(frozen=True)
class _FixedBuckets:
    start: datetime
    end: datetime
    step: timedelta

    def index(self, moment: datetime) -> int:
        return (moment - self.start) // self.step

    def bounds(self, index: int) -> tuple[datetime, datetime]:
        low = self.start + index * self.step
        return low, min(self.end, low + self.step)


@dataclass(frozen=True)
class _CalendarBuckets:
    edges: tuple[datetime, ...]

    def index(self, moment: datetime) -> int:
        return bisect.bisect_right(self.edges, moment) - 1

    def bounds(self, index: int) -> tuple[datetime, datetime]:
        return self.edges[index], self.edges[index + 1]


_GRANULARITY = re.compile(
    r"P(?:T(?P<minutes>\d{1,5})M|T(?P<hours>\d{1,5})H|(?P<days>\d{1,5})D|1(?P<unit>[WM]))"
)


def _time_zone(body: Mapping[str, Any]) -> tzinfo:
    name = string(optional(body, "timeZone", "UTC"), "timeZone")
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise bad_request(f"unknown time zone {name!r}", "timeZone") from None


def _buckets(body: Mapping[str, Any], start: datetime, end: datetime) -> _Buckets:
    zone = _time_zone(body)
    if body.get("granularity") is None:
        return _FixedBuckets(start, end, end - start)
    text = string(body["granularity"], "granularity")
    match = _GRANULARITY.fullmatch(text)
    if match is None or any(int(v) == 0 for v in match.groupdict().values() if v and v.isdigit()):
        raise bad_request(
            f"granularity {text!r} is not one of PTnM, PTnH, PnD, P1W, P1M", "granularity"
        )
    if match["minutes"] or match["hours"]:
        minutes = int(match["minutes"] or 0) + 60 * int(match["hours"] or 0)
        return _FixedBuckets(start, end, timedelta(minutes=minutes))
    return _CalendarBuckets(_calendar_edges(start, end, zone, match["days"], match["unit"]))


def _calendar_edges(
    start: datetime, end: datetime, zone: tzinfo, days: str | None, unit: str | None
) -> tuple[datetime, ...]:
    # Day, week and month buckets break at local midnight; the first one starts at the interval.
    first = start.astimezone(zone).date()
    if unit == "W":
        first -= timedelta(days=first.weekday())
    elif unit == "M":
        first = first.replace(day=1)
    edges = [start]
    for k in range(1, 1_000_000):
        boundary = _local_midnight(_advance(first, k, days, unit), zone)
        if boundary >= end:
            break
        if boundary > start:
            edges.append(boundary)
    return (*edges, end)


def _advance(first: date, k: int, days: str | None, unit: str | None) -> date:
    if unit == "M":
        months = first.month - 1 + k
        return date(first.year + months // 12, months % 12 + 1, 1)
    return first + timedelta(days=k * (7 if unit == "W" else int(days or 1)))


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _names(body: Mapping[str, Any], key: str, allowed: frozenset[str], what: str) -> list[str]:
    names: list[str] = []
    for i, name in enumerate(array(optional(body, key, []), key)):
        if not isinstance(name, str) or name not in allowed:
            raise bad_request(f"{name!r} is not {what}", f"{key}[{i}]")
        if name not in names:
            names.append(name)
    return names


def _stats(values: list[int], counted: bool) -> dict[str, int]:
    if counted:
        return {"count": len(values)}
    return {"count": len(values), "sum": sum(values), "min": min(values), "max": max(values)}


def _bucket_metrics(cell: list[Conversation], metrics: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for name in metrics:
        extract = metric_value(name)
        values = [v for c in cell if (v := extract(c)) is not None]
        if values:
            out.append({"metric": name, "stats": _stats(values, name.startswith("n"))})
    return out


@dataclass(frozen=True)
class _View:
    """A `rangeBound` view: the statistics of a metric's values within a range."""

    name: str
    target: str
    within: Callable[[int], bool]


_VIEW_FIELDS = frozenset({"target", "name", "function", "range"})


def _views(body: Mapping[str, Any]) -> list[_View]:
    views = []
    for i, raw in enumerate(array(optional(body, "views", []), "views")):
        path = f"views[{i}]"
        spec = mapping(raw, path)
        reject_unknown(spec, _VIEW_FIELDS, path)
        target = required(spec, "target", f"{path}.target")
        if target not in vocabulary.AGGREGATE_METRICS:
            raise bad_request(f"{target!r} is not an aggregate metric", f"{path}.target")
        name = string(required(spec, "name", f"{path}.name"), f"{path}.name")
        functions = sorted(vocabulary.VIEW_FUNCTIONS)
        choice(required(spec, "function", f"{path}.function"), functions, f"{path}.function")
        views.append(_View(name, str(target), bounds(spec, path, ("gte", "lt"))))
    return views


def _bucket_views(cell: list[Conversation], views: Sequence[_View]) -> list[dict[str, Any]]:
    out = []
    for view in views:
        extract = metric_value(view.target)
        values = [v for c in cell if (v := extract(c)) is not None and view.within(v)]
        if values:
            out.append({"name": view.name, "stats": _stats(values, view.target.startswith("n"))})
    return out


def _group_key(dimensions: Sequence[str]) -> Callable[[Conversation], tuple[Any, ...]]:
    if not dimensions:
        return lambda c: ()
    # A dimension the sandbox does not simulate has no value, so it groups nothing apart.
    getters = [attrgetter(DIMENSIONS[d]) if d in DIMENSIONS else _nothing for d in dimensions]
    return lambda c: tuple(get(c) for get in getters)


def _nothing(c: Conversation) -> None:
    return None


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is not None, v or "") for v in key)


_AGGREGATE_FIELDS = frozenset(
    {
        "interval",
        "granularity",
        "timeZone",
        "groupBy",
        "filter",
        "metrics",
        "flattenMultivaluedDimensions",
        "views",
    }
)


# Fields of the SDK's ConversationAggregationQuery the sandbox does not simulate.
_UNSIMULATED = frozenset({"alternateTimeDimension", "queryType", "sortMetric", "limit"})


def answer(body: Mapping[str, Any], conversations: ConversationsIn) -> dict[str, Any]:
    """Answer an aggregates query: metrics per group and per time bucket."""
    body = mapping(body, "")
    reject_unknown(body, _AGGREGATE_FIELDS, unsimulated=_UNSIMULATED)
    start, end = interval(body, 366)
    buckets = _buckets(body, start, end)
    group_by = _names(body, "groupBy", vocabulary.AGGREGATE_DIMENSIONS, "an aggregates dimension")
    metrics = _names(body, "metrics", vocabulary.AGGREGATE_METRICS, "an aggregate metric")
    if not metrics:
        raise bad_request("metrics must name at least one metric", "metrics", "field.required")
    views = _views(body)
    keep = _aggregate_filter(body["filter"]) if body.get("filter") is not None else None
    group_of = _group_key(group_by)
    cells: dict[tuple[tuple[Any, ...], int], list[Conversation]] = {}
    for c in conversations(start, end):
        if keep is None or keep(c):
            cells.setdefault((group_of(c), buckets.index(c.start)), []).append(c)
    return {"results": _results(cells, group_by, metrics, views, buckets)}


def _results(
    cells: Mapping[tuple[tuple[Any, ...], int], list[Conversation]],
    group_by: Sequence[str],
    metrics: Sequence[str],
    views: Sequence[_View],
    buckets: _Buckets,
) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for key, index in sorted(cells, key=lambda cell: (_sort_key(cell[0]), cell[1])):
        data = _bucket_metrics(cells[(key, index)], metrics)
        found = _bucket_views(cells[(key, index)], views)
        if data or found:
            low, high = buckets.bounds(index)
            entry: dict[str, Any] = {"interval": f"{iso(low)}/{iso(high)}", "metrics": data}
            if found:
                entry["views"] = found
            groups.setdefault(key, []).append(entry)
    return [
        {"group": {d: v for d, v in zip(group_by, key, strict=True) if v is not None}, "data": data}
        for key, data in groups.items()
    ]
