"""A segment's query as Genesys Cloud analytics queries: the aggregates body and details filters.

A segment speaks in field paths (`queue.name`, `conversation.metrics.callDuration`, seconds);
the analytics API speaks in dimensions and metrics (`queueId`, `tHandle`, milliseconds).
`kinds.segment_fields.FIELDS` is the one table between them, documented in the README.
Translation goes through `Term`s: one per segment predicate. A text predicate is a list of
alternatives (a NOTEQUAL has several, because the API can only match), the same for the
aggregates `filter` and the details query's conversation and segment filters. A duration
predicate is a set of ranges over one or two metrics: an aggregates filter cannot test a metric,
so the aggregates query counts them with `rangeBound` views, and the details query filters them
with metric predicates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.kinds.base import iso
from genesys_reconcile.kinds.segment_fields import FIELDS, Field, Level, uncountable


class PreviewError(ReconcileError):
    """A segment the preview cannot translate, or a preview option that makes no sense."""


class NeedsDetails(PreviewError):
    """A filter the aggregates query cannot count (its views count one duration condition,
    ANDed with the rest), but the details query can list."""


GRANULARITY: Mapping[str, str] = {"hour": "PT1H", "day": "P1D", "week": "P1W", "month": "P1M"}
DEFAULT_TIME_GROUP = "day"
# Counts and durations behind every figure the preview shows (see `report.Counts`): the count
# of answered and abandoned conversations is the `count` of tAnswered and tAbandon.
METRICS = ("nOffered", "tAnswered", "tAbandon", "nOverSla", "tHandle", "tWait")
GROUP_BY = ("queueId", "mediaType")
# A complement longer than this would be a filter the API refuses; say so instead.
MAX_ALTERNATIVES = 100
# A view's name says which side of the conversations it counts: "answered:tHandle:0".
ANSWERED, ABANDONED = "answered", "abandoned"
_SINCE = re.compile(r"(?P<count>[1-9][0-9]{0,3})(?P<unit>[hdw])")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class Window:
    """An interval of conversation start times, [start, end)."""

    start: datetime
    end: datetime

    @property
    def interval(self) -> str:
        return f"{iso(self.start)}/{iso(self.end)}"

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


DETAILS_MAX_DAYS = 31  # the longest interval a details query may span


def pieces(window: Window) -> list[Window]:
    """The window cut into intervals a details query may span."""
    step = timedelta(days=DETAILS_MAX_DAYS)
    found, start = [], window.start
    while start < window.end:
        found.append(Window(start, min(window.end, start + step)))
        start += step
    return found


def since(text: str, now: datetime) -> Window:
    """The window `7d` (or `12h`, `2w`) before `now`, ending at the last whole hour so that
    runs within the same hour ask the same query and share the cache."""
    match = _SINCE.fullmatch(text.strip())
    if match is None:
        raise PreviewError(f"--since {text!r} is not a duration such as 12h, 7d or 2w")
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return Window(end - int(match["count"]) * _UNIT[match["unit"]], end)


def segment_window(query: Mapping[str, Any]) -> Window:
    """The window a segment file names (its schema guarantees RFC 3339 instants)."""
    window = query["timeWindow"]
    return Window(instant(window["start"]), instant(window["end"]))


def instant(text: str) -> datetime:
    """An RFC 3339 instant, `Z` or `z` for UTC, as an aware datetime in UTC."""
    return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)


# -- terms: the segment's predicates in the API's vocabulary -------------------------------------

Range = dict[str, int]  # {"gte": ms, "lt": ms}, either bound optional


@dataclass(frozen=True)
class Duration:
    """A duration predicate: the value lies in one of `ranges`; `metrics` reads it, by side."""

    metrics: tuple[tuple[str, str], ...]  # (side, metric): ("answered", "tHandle"), ...
    ranges: tuple[Range, ...]


@dataclass(frozen=True)
class Term:
    """One segment predicate: true when any of its alternatives (API predicates) holds."""

    level: Level
    alternatives: tuple[dict[str, Any], ...]  # aggregates predicates (none for a duration)
    details: tuple[dict[str, Any], ...]  # details predicates
    where: str = ""  # the predicate's place, for errors
    duration: Duration | None = None


Lookup = Callable[[str], Mapping[str, str]]  # "queues" -> {name: id}


def terms(query: Mapping[str, Any], lookup: Lookup, where: Callable[[int], str]) -> list[Term]:
    """The terms of a segment query's filter; `where(i)` names predicate i's place in errors."""
    predicates = (query.get("filter") or {}).get("predicates", [])
    return [
        _term(predicate, lookup, functools.partial(where, index))
        for index, predicate in enumerate(predicates)
    ]


def _term(predicate: Mapping[str, Any], lookup: Lookup, where: Callable[[], str]) -> Term:
    path, operator, value = predicate["field"], predicate["type"], predicate["value"]
    field = FIELDS.get(path)
    if field is None:
        known = ", ".join(sorted(FIELDS))
        raise PreviewError(f"{where()}: {path} has no analytics mapping; previewable: {known}")
    if field.metric is not None:
        duration = Duration(_sides(field), _ranges(operator, value, where))
        details = tuple(
            {"type": "metric", "metric": metric, "range": r}
            for _, metric in duration.metrics
            for r in duration.ranges
        )
        return Term("conversation", (), details, where(), duration)
    alternatives = _dimension(field, path, operator, str(value), lookup, where)
    details = tuple(_as_detail(a, field) for a in alternatives)
    return Term(field.level, alternatives, details, where())


def _sides(field: Field) -> tuple[tuple[str, str], ...]:
    sides = [(ANSWERED, str(field.metric))]
    if field.abandoned:
        sides.append((ABANDONED, field.abandoned))
    return tuple(sides)


def _ranges(operator: str, value: float, where: Callable[[], str]) -> tuple[Range, ...]:
    # Durations are whole milliseconds, so "> v" is ">= v + 1" and every range is a view's
    # {gte, lt}.
    millis = round(value * 1000)
    ranges: dict[str, tuple[Range, ...]] = {
        "EQUAL": ({"gte": millis, "lt": millis + 1},),
        "NOTEQUAL": ({"lt": millis}, {"gte": millis + 1}),
        "GREATERTHAN": ({"gte": millis + 1},),
        "GREATERTHANOREQUAL": ({"gte": millis},),
        "LESSTHAN": ({"lt": millis},),
        "LESSTHANOREQUAL": ({"lt": millis + 1},),
    }
    if operator not in ranges:
        raise PreviewError(f"{where()}: operator {operator} does not apply to a duration")
    return ranges[operator]


def _dimension(
    field: Field, path: str, operator: str, value: str, lookup: Lookup, where: Callable[[], str]
) -> tuple[dict[str, Any], ...]:
    if operator not in ("EQUAL", "NOTEQUAL"):
        raise PreviewError(f"{where()}: operator {operator} does not apply to text ({path})")
    known = dict(lookup(field.lookup)) if field.lookup else {v: v for v in field.values}
    if value not in known:
        sample = ", ".join(sorted(known)[:10])
        raise PreviewError(f"{where()}: no {path} {value!r} in the org; known: {sample}")
    if operator == "EQUAL":
        chosen = [known[value]]
    else:
        chosen = sorted(ident for name, ident in known.items() if name != value)
        if not chosen:
            raise PreviewError(f"{where()}: {path} NOTEQUAL {value!r} excludes every value")
        if len(chosen) > MAX_ALTERNATIVES:
            raise PreviewError(
                f"{where()}: {path} NOTEQUAL {value!r} means matching {len(chosen)} other "
                f"values, more than the {MAX_ALTERNATIVES} a query can hold"
            )
    return tuple(
        {"type": "dimension", "dimension": field.dimension, "operator": "matches", "value": v}
        for v in chosen
    )


def _as_detail(predicate: Mapping[str, Any], field: Field) -> dict[str, Any]:
    if not field.detail:
        return dict(predicate)
    return {**predicate, "dimension": field.detail}


# -- the two queries -------------------------------------------------------------------------


def aggregates_body(
    query: Mapping[str, Any], found: Sequence[Term], window: Window
) -> dict[str, Any]:
    """The aggregates query: the segment's conversations by queue and media type, per bucket.

    A duration predicate becomes `views` counting the conversations in its ranges; the other
    predicates filter. Raises `NeedsDetails` for what views cannot count."""
    body: dict[str, Any] = {
        "interval": window.interval,
        "granularity": GRANULARITY[query.get("timeGroup") or DEFAULT_TIME_GROUP],
        "timeZone": "UTC",
        "groupBy": list(GROUP_BY),
        "metrics": list(METRICS),
    }
    duration = _the_duration(_combination(query), found)
    dimensions = [t for t in found if t.duration is None]
    if dimensions:
        body["filter"] = _filter(_combination(query), dimensions)
    if duration is not None:
        body["metrics"] = list(dict.fromkeys(m for _, m in duration.metrics))
        body["views"] = views(duration)
    return body


def views(duration: Duration) -> list[dict[str, Any]]:
    """One `rangeBound` view per metric and range, named `side:metric:index`."""
    return [
        {"target": metric, "name": f"{side}:{metric}:{i}", "function": "rangeBound", "range": r}
        for side, metric in duration.metrics
        for i, r in enumerate(duration.ranges)
    ]


def _the_duration(kind: str, found: Sequence[Term]) -> Duration | None:
    refused = uncountable([t.duration is not None for t in found], kind)
    if refused is not None:
        index, why = refused
        raise NeedsDetails(f"{found[index].where}: {why}")
    durations = [t.duration for t in found if t.duration is not None]
    return durations[0] if durations else None


def _combination(query: Mapping[str, Any]) -> str:
    return str((query.get("filter") or {}).get("type", "AND")).lower()


def _filter(kind: str, found: Sequence[Term]) -> dict[str, Any]:
    if kind == "or":  # an OR of ORs is one OR
        return {"type": "or", "predicates": [a for t in found for a in t.alternatives]}
    single = [t.alternatives[0] for t in found if len(t.alternatives) == 1]
    clauses = [
        {"type": "or", "predicates": list(t.alternatives)} for t in found if len(t.alternatives) > 1
    ]
    result: dict[str, Any] = {"type": "and", "predicates": single}
    if clauses:
        result["clauses"] = clauses
    return result


def detail_filters(query: Mapping[str, Any], found: Sequence[Term]) -> dict[str, Any]:
    """`conversationFilters` and `segmentFilters` selecting the same conversations.

    Details filters are ANDed with each other, so an OR that spans both levels has no
    translation; the aggregates query still does."""
    by_level: dict[Level, list[Term]] = {"conversation": [], "segment": []}
    for term in found:
        by_level[term.level].append(term)
    if _combination(query) == "or" and all(by_level.values()):
        raise PreviewError(
            "--conversations cannot list an OR filter that mixes queue, agent or channel fields "
            "with other fields; preview without --conversations for its aggregates"
        )
    keys: dict[Level, str] = {"conversation": "conversationFilters", "segment": "segmentFilters"}
    kind = _combination(query)
    return {
        keys[level]: _detail_level(kind, level_terms)
        for level, level_terms in by_level.items()
        if level_terms
    }


def _detail_level(kind: str, found: Iterable[Term]) -> list[dict[str, Any]]:
    found = list(found)
    if kind == "or":
        return [{"type": "or", "predicates": [d for t in found for d in t.details]}]
    filters = []
    single = [t.details[0] for t in found if len(t.details) == 1]
    if single:
        filters.append({"type": "and", "predicates": single})
    filters += [{"type": "or", "predicates": list(t.details)} for t in found if len(t.details) > 1]
    return filters
