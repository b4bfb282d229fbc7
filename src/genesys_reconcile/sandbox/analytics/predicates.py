"""What a query can ask of a conversation: its dimensions, its metrics, and filters over them.

Shared by the aggregates query (which also groups and counts by them) and the details query's
conversation filters. A predicate is built once from the request body, checking it as it goes,
and then tested against each conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from genesys_reconcile.sandbox.analytics.conversations import Conversation
from genesys_reconcile.sandbox.analytics.wire import choice, mapping, optional, required, string
from genesys_reconcile.sandbox.errors import bad_request

DIMENSIONS: Mapping[str, str] = {
    "queueId": "queue_id",
    "mediaType": "media_type",
    "direction": "direction",
    "userId": "user_id",
    "outboundCampaignId": "campaign_id",
}

_Extract = Callable[[Conversation], int | None]


def _answered(value: Callable[[Conversation], int]) -> _Extract:
    return lambda c: None if c.abandoned else value(c)


# Each metric yields its value for a conversation, or None where it does not apply; counts are 1.
METRICS: Mapping[str, _Extract] = {
    "nOffered": lambda c: 1,
    "nAnswered": _answered(lambda c: 1),
    "nConnected": _answered(lambda c: 1),
    "nAbandon": lambda c: 1 if c.abandoned else None,
    "tAnswered": _answered(lambda c: c.wait_ms),
    "tAbandon": lambda c: c.wait_ms if c.abandoned else None,
    "tWait": lambda c: c.wait_ms,
    "tTalk": _answered(lambda c: c.talk_ms),
    "tHeld": lambda c: c.hold_ms if c.hold_ms > 0 and not c.abandoned else None,
    "tAcw": _answered(lambda c: c.acw_ms),
    "tHandle": _answered(lambda c: c.handle_ms),
    "nOverSla": lambda c: 1 if c.over_sla else None,
    "nTransferred": lambda c: 1 if c.transferred else None,
}
_OPERATORS = ("matches", "exists", "notExists")
_RANGE_KEYS = ("gt", "gte", "lt", "lte")
Predicate = Callable[[Conversation], bool]


def dimension_predicate(
    spec: Mapping[str, Any], path: str, dimensions: Mapping[str, str]
) -> Callable[[Any], bool]:
    # Any: the same predicate reads a Conversation (aggregates) or a _Segment (details).
    name = required(spec, "dimension", f"{path}.dimension")
    if not isinstance(name, str) or name not in dimensions:
        raise bad_request(f"unknown dimension {name!r}", f"{path}.dimension")
    get = attrgetter(dimensions[name])
    operator = choice(optional(spec, "operator", "matches"), _OPERATORS, f"{path}.operator")
    if operator == "exists":
        return lambda c: get(c) is not None
    if operator == "notExists":
        return lambda c: get(c) is None
    value = string(required(spec, "value", f"{path}.value"), f"{path}.value")
    return lambda c: get(c) == value


def _bounds(spec: Mapping[str, Any], path: str) -> Callable[[int], bool]:
    bounds = mapping(required(spec, "range", f"{path}.range"), f"{path}.range")
    if not bounds:
        raise bad_request("range needs gt, gte, lt or lte", f"{path}.range")
    checks: list[Callable[[int], bool]] = []
    for key, limit in bounds.items():
        where = f"{path}.range.{key}"
        if key not in _RANGE_KEYS:
            raise bad_request(f"unknown range bound {key!r}", where)
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


def _metric_predicate(spec: Mapping[str, Any], path: str) -> Predicate:
    name = required(spec, "metric", f"{path}.metric")
    if not isinstance(name, str) or name not in METRICS:
        raise bad_request(f"unknown metric {name!r}", f"{path}.metric")
    extract = METRICS[name]
    operator = choice(optional(spec, "operator", "matches"), _OPERATORS, f"{path}.operator")
    if operator == "exists":
        return lambda c: extract(c) is not None
    if operator == "notExists":
        return lambda c: extract(c) is None
    within = _bounds(spec, path)
    return lambda c: (v := extract(c)) is not None and within(v)


def predicate(raw: Any, path: str, dimensions: Mapping[str, str] = DIMENSIONS) -> Predicate:
    spec = mapping(raw, path)
    kind = optional(spec, "type", "metric" if "metric" in spec else "dimension")
    if choice(kind, ("dimension", "metric"), f"{path}.type") == "metric":
        return _metric_predicate(spec, path)
    return dimension_predicate(spec, path, dimensions)


def combine(kind: str, parts: Sequence[Predicate]) -> Predicate:
    if kind == "and":
        return lambda c: all(p(c) for p in parts)
    return lambda c: any(p(c) for p in parts)
