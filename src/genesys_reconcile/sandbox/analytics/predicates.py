"""What a query can ask of a conversation: its dimensions, its metrics, and filters over them.

Shared by the aggregates query (which also groups and counts by them) and the details query's
conversation and segment filters. Each place takes its own vocabulary (`Vocabulary`), the
platform's (`vocabulary`): an aggregates filter tests dimensions only, a details conversation
filter tests the conversation's dimensions and metrics, a segment filter its segments'. A
predicate is built once from the request body, checking it as it goes, and then tested against
each conversation (or segment).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from operator import attrgetter
from typing import Any

from genesys_reconcile.sandbox.analytics import vocabulary
from genesys_reconcile.sandbox.analytics.conversations import Conversation
from genesys_reconcile.sandbox.analytics.wire import (
    choice,
    mapping,
    optional,
    reject_unknown,
    required,
    string,
)
from genesys_reconcile.sandbox.errors import bad_request

# The aggregates dimensions the sandbox simulates, and the conversation attribute of each.
DIMENSIONS: Mapping[str, str] = {
    "queueId": "queue_id",
    "mediaType": "media_type",
    "direction": "direction",
    "originatingDirection": "direction",
    "userId": "user_id",
    "outboundCampaignId": "campaign_id",
}

Extract = Callable[[Conversation], int | None]


def _answered(value: Callable[[Conversation], int]) -> Extract:
    return lambda c: None if c.abandoned else value(c)


_MS = timedelta(milliseconds=1)

# The metrics the sandbox simulates: each yields its value for a conversation, or None where
# it does not apply; counts are 1. The count of answered or abandoned conversations is the
# `count` of tAnswered or tAbandon, as on the platform (it has no nAnswered or nAbandon).
METRICS: Mapping[str, Extract] = {
    "nOffered": lambda c: 1,
    "nConnected": _answered(lambda c: 1),
    "tAnswered": _answered(lambda c: c.wait_ms),
    "tAbandon": lambda c: c.wait_ms if c.abandoned else None,
    "tAcd": lambda c: c.wait_ms,
    "tWait": lambda c: c.wait_ms,
    "tTalk": _answered(lambda c: c.talk_ms),
    "tHeld": lambda c: c.hold_ms if c.hold_ms > 0 and not c.abandoned else None,
    "tAcw": _answered(lambda c: c.acw_ms),
    "tHandle": _answered(lambda c: c.handle_ms),
    "nOverSla": lambda c: 1 if c.over_sla else None,
    "nTransferred": lambda c: 1 if c.transferred else None,
    "tConversationDuration": lambda c: (c.end - c.start) // _MS,
}


def metric_value(name: str) -> Extract:
    """How to read a metric the platform knows; one the sandbox does not simulate has no value."""
    return METRICS.get(name, lambda c: None)


@dataclass(frozen=True)
class Vocabulary:
    """What one kind of filter may test, and how the sandbox reads its dimensions."""

    where: str  # the filter, in messages
    dimensions: frozenset[str]
    metrics: frozenset[str]  # empty: this filter cannot test a metric
    simulated: Mapping[str, str]  # dimension -> attribute of what is tested
    fields: frozenset[str] = frozenset(
        {"type", "dimension", "metric", "operator", "value", "range"}
    )


AGGREGATE = Vocabulary(
    "an aggregates filter",
    vocabulary.AGGREGATE_DIMENSIONS,
    frozenset(),
    DIMENSIONS,
    frozenset({"type", "dimension", "operator", "value", "range"}),
)
_RANGE_KEYS = ("gt", "gte", "lt", "lte")
Predicate = Callable[[Conversation], bool]


def _dimension(spec: Mapping[str, Any], path: str, words: Vocabulary) -> Callable[[Any], bool]:
    # Any: the same predicate reads a Conversation (aggregates) or a segment (details).
    name = required(spec, "dimension", f"{path}.dimension")
    if not isinstance(name, str) or name not in words.dimensions:
        raise bad_request(f"{name!r} is not a dimension of {words.where}", f"{path}.dimension")
    attribute = words.simulated.get(name)
    get: Callable[[Any], Any] = attrgetter(attribute) if attribute else (lambda c: None)
    operator = _operator(spec, path)
    if operator == "exists":
        return lambda c: get(c) is not None
    if operator == "notExists":
        return lambda c: get(c) is None
    value = string(required(spec, "value", f"{path}.value"), f"{path}.value")
    return lambda c: get(c) == value


def _operator(spec: Mapping[str, Any], path: str) -> str:
    allowed = sorted(vocabulary.OPERATORS)
    return choice(optional(spec, "operator", "matches"), allowed, f"{path}.operator")


def bounds(
    spec: Mapping[str, Any], path: str, keys: Sequence[str] = _RANGE_KEYS
) -> Callable[[int], bool]:
    """The test a `range` (`{gt, gte, lt, lte}`, or a view's `{gte, lt}`) makes of a value."""
    limits = mapping(required(spec, "range", f"{path}.range"), f"{path}.range")
    if not limits:
        raise bad_request(f"range needs {', '.join(keys)}", f"{path}.range")
    checks: list[Callable[[int], bool]] = []
    for key, limit in limits.items():
        where = f"{path}.range.{key}"
        if key not in keys:
            message = f"unknown range bound {key!r}; a range takes {', '.join(keys)}"
            raise bad_request(message, where)
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            raise bad_request("range bounds must be numbers", where)
        checks.append(_bound(key, float(limit)))
    return lambda v: all(check(v) for check in checks)


def _bound(key: str, limit: float) -> Callable[[int], bool]:
    if key == "gt":
        return lambda v: v > limit
    if key == "gte":
        return lambda v: v >= limit
    if key == "lt":
        return lambda v: v < limit
    return lambda v: v <= limit


def _metric(spec: Mapping[str, Any], path: str, words: Vocabulary) -> Predicate:
    if not words.metrics:
        raise bad_request(
            f"{words.where} has no metric predicates; count durations with views "
            "(function rangeBound), or filter them in a details query",
            f"{path}.type",
        )
    name = required(spec, "metric", f"{path}.metric")
    if not isinstance(name, str) or name not in words.metrics:
        raise bad_request(f"{name!r} is not a metric of {words.where}", f"{path}.metric")
    extract = metric_value(name)
    operator = _operator(spec, path)
    if operator == "exists":
        return lambda c: extract(c) is not None
    if operator == "notExists":
        return lambda c: extract(c) is None
    within = bounds(spec, path)
    return lambda c: (v := extract(c)) is not None and within(v)


def predicate(raw: Any, path: str, words: Vocabulary = AGGREGATE) -> Callable[[Any], bool]:
    spec = mapping(raw, path)
    if "metric" in spec and "metric" not in words.fields:
        raise bad_request(
            f"{words.where} predicate has no field 'metric'; count durations with views "
            "(function rangeBound), or filter them in a details query",
            f"{path}.metric",
        )
    reject_unknown(spec, words.fields, path)
    kind = optional(spec, "type", "metric" if "metric" in spec else "dimension")
    kind = choice(kind, sorted(vocabulary.PREDICATE_TYPES), f"{path}.type")
    if kind == "property":
        raise bad_request("the sandbox does not simulate property predicates", f"{path}.type")
    if kind == "metric":
        return _metric(spec, path, words)
    return _dimension(spec, path, words)


def combine(kind: str, parts: Sequence[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if kind == "and":
        return lambda c: all(p(c) for p in parts)
    return lambda c: any(p(c) for p in parts)
