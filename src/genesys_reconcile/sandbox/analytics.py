"""Synthetic contact-centre conversations and the two analytics queries that read them.

The data set is infinite in time and deterministic. Each UTC day's conversations come from
`random.Random(f"{seed}:{day}")`, so any interval (last week or 2024) has data, and a day looks the
same whichever query asked for it. Days have more traffic on weekdays and in business hours (UTC);
queues differ in volume, abandon rate, wait and handle time; media types are mostly voice, then
chat, email, message and callback. With campaigns, part of the voice traffic is outbound and
belongs to a campaign. Answered conversations have an agent from the queue, a wait, talk, sometimes
hold, and after-call work; abandoned ones have only a wait. A few answered ones are transferred,
some of them inbound voice calls that reached the wrong queue and last only seconds.

`Analytics.aggregates` answers `POST /api/v2/analytics/conversations/aggregates/query`: metrics
(counts and `count/sum/min/max` of durations) per group of dimensions and per time bucket.
`Analytics.details` answers `POST /api/v2/analytics/conversations/details/query`: filtered,
ordered pages of conversations in Genesys Cloud's nested participant/session/segment shape.
Invalid bodies raise `ApiError` 400s whose detail names the offending field by its dotted path.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from genesys_reconcile.sandbox.errors import bad_request

__all__ = ["SLA_MS", "Analytics", "Conversation"]

SLA_MS: Mapping[str, int] = {
    "voice": 20_000,
    "callback": 20_000,
    "chat": 60_000,
    "message": 60_000,
    "email": 3_600_000,
}


@dataclass(frozen=True, slots=True)
class _Media:
    weight: float
    mean_wait_s: float
    median_talk_s: float
    abandon_factor: float
    hold_share: float


# Mean waits sit near 60% of the SLA threshold, which gives the familiar "80/20"-ish service level.
_MEDIA: Mapping[str, _Media] = {
    "voice": _Media(0.62, 12, 300, 1.0, 0.25),
    "chat": _Media(0.14, 30, 540, 0.8, 0.0),
    "email": _Media(0.10, 1800, 420, 0.1, 0.0),
    "message": _Media(0.09, 35, 480, 0.6, 0.0),
    "callback": _Media(0.05, 10, 240, 0.3, 0.15),
}


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(sum(weights[: i + 1]) for i in range(len(weights)))


_MEDIA_NAMES = tuple(_MEDIA)
_MEDIA_CUM = _cumulative([m.weight for m in _MEDIA.values()])
# Relative traffic per UTC hour: quiet nights, a morning ramp, a lunch dip, an evening tail.
_HOUR_WEIGHTS = (
    (0.2,) * 7 + (1.0, 3.0, 6.0, 6.0, 6.0, 5.0, 5.0, 6.0, 6.0, 6.0, 4.0, 2.5, 1.5, 1.5)
) + (0.5,) * 3
_HOUR_CUM = _cumulative(_HOUR_WEIGHTS)
# Five weekdays at 1.2 and two weekend days at 0.5 keep the weekly mean at `per_day`.
_WEEKDAY_FACTOR, _WEEKEND_FACTOR = 1.2, 0.5
_OUTBOUND_SHARE = 0.2
_OUTBOUND_ABANDON = 0.03
_TRANSFER_SHARE = 0.07
_MISROUTE_SHARE = 0.04  # inbound voice calls answered and transferred within seconds
_CACHE_DAYS = 400
_FIRST_YEAR, _LAST_YEAR = 1970, 9000
_CONVERSATION_NS = uuid.UUID("6f1c3b0e-6a44-4c1e-9d8a-2f0b7c5e9a11")


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation, flat: what the aggregates engine counts and the details engine renders."""

    conversation_id: str
    start: datetime
    end: datetime
    queue_id: str
    media_type: str
    direction: str
    user_id: str | None
    campaign_id: str | None
    wait_ms: int
    talk_ms: int
    hold_ms: int
    acw_ms: int
    abandoned: bool
    transferred: bool

    @property
    def handle_ms(self) -> int:
        return self.talk_ms + self.hold_ms + self.acw_ms

    @property
    def over_sla(self) -> bool:
        return self.wait_ms > SLA_MS[self.media_type]


@dataclass(frozen=True, slots=True)
class _Queue:
    queue_id: str
    weight: float
    abandon_rate: float
    wait_factor: float
    handle_factor: float
    members: tuple[str, ...]


def _queue_profiles(
    seed: int, queues: Sequence[Mapping[str, str]], users: Sequence[Mapping[str, str]]
) -> tuple[_Queue, ...]:
    user_ids = [u["id"] for u in users]
    profiles = []
    for qi, queue in enumerate(queues):
        # Seeded by the queue's id so that a queue's character survives edits to the queue list.
        rng = random.Random(f"{seed}:queue:{queue['id']}")  # noqa: S311 - synthetic data
        members = [uid for ui, uid in enumerate(user_ids) if ui % len(queues) == qi]
        members += [uid for uid in user_ids if uid not in members and rng.random() < 0.3]
        if not members:
            members = [user_ids[qi % len(user_ids)]]
        profiles.append(
            _Queue(
                queue_id=queue["id"],
                weight=rng.lognormvariate(0, 0.6),
                abandon_rate=rng.uniform(0.03, 0.15),
                wait_factor=rng.uniform(0.6, 1.6),
                handle_factor=rng.uniform(0.7, 1.4),
                members=tuple(sorted(members)),
            )
        )
    return tuple(profiles)


def _conversation_id(seed: int, day: date, index: int) -> str:
    # Formatted by hand rather than through uuid.UUID: this runs for every generated conversation.
    h = hashlib.sha256(f"{seed}:{day.isoformat()}:{index}".encode()).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


class _DayGenerator:
    """Draws one day's conversations; every random draw comes from that day's own generator."""

    def __init__(
        self,
        seed: int,
        queues: tuple[_Queue, ...],
        campaigns: Sequence[Mapping[str, str]],
        per_day: int,
    ) -> None:
        self._seed = seed
        self._queues = queues
        self._queue_cum = _cumulative([q.weight for q in queues])
        self._campaigns = tuple(c["id"] for c in campaigns)
        # A campaign dials for one queue, as an outbound campaign does in Genesys Cloud.
        self._campaign_queue = {c: queues[i % len(queues)] for i, c in enumerate(self._campaigns)}
        self._per_day = per_day

    def day(self, day: date) -> list[Conversation]:
        rng = random.Random(f"{self._seed}:{day.isoformat()}")  # noqa: S311 - synthetic data
        mean = self._per_day * (_WEEKDAY_FACTOR if day.weekday() < 5 else _WEEKEND_FACTOR)
        count = max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0
        offsets = sorted(self._offset_ms(rng) for _ in range(count))
        midnight = datetime.combine(day, time(), tzinfo=UTC)
        return [
            self._conversation(rng, _conversation_id(self._seed, day, i), midnight, offset)
            for i, offset in enumerate(offsets)
        ]

    @staticmethod
    def _offset_ms(rng: random.Random) -> int:
        hour = bisect.bisect_right(_HOUR_CUM, rng.random() * _HOUR_CUM[-1])
        return min(hour, 23) * 3_600_000 + int(rng.random() * 3_600_000)

    def _conversation(
        self, rng: random.Random, cid: str, midnight: datetime, offset_ms: int
    ) -> Conversation:
        media_name = _MEDIA_NAMES[
            min(bisect.bisect_right(_MEDIA_CUM, rng.random() * _MEDIA_CUM[-1]), 4)
        ]
        media = _MEDIA[media_name]
        campaign = None
        if media_name == "voice" and self._campaigns and rng.random() < _OUTBOUND_SHARE:
            campaign = self._campaigns[rng.randrange(len(self._campaigns))]
            queue = self._campaign_queue[campaign]
            abandon_p = _OUTBOUND_ABANDON
        else:
            queue = self._pick_queue(rng)
            abandon_p = queue.abandon_rate * media.abandon_factor
        wait = max(500, int(rng.expovariate(1 / (media.mean_wait_s * queue.wait_factor)) * 1000))
        abandoned = rng.random() < abandon_p
        talk = hold = acw = 0
        agent, transferred = None, False
        if not abandoned:
            talk = max(5_000, int(rng.lognormvariate(0, 0.6) * media.median_talk_s * 1000))
            talk = int(talk * queue.handle_factor)
            hold = int(rng.uniform(10, 150) * 1000) if rng.random() < media.hold_share else 0
            acw = int(rng.uniform(5, 90) * 1000)
            agent = queue.members[int(rng.random() * len(queue.members))]
            transferred = rng.random() < _TRANSFER_SHARE
            if media_name == "voice" and campaign is None and rng.random() < _MISROUTE_SHARE:
                # Answered by the wrong queue and passed on within seconds.
                talk, hold, acw = int(rng.uniform(3, 15) * 1000), 0, int(rng.uniform(0, 8) * 1000)
                transferred = True
        start = midnight + timedelta(milliseconds=offset_ms)
        return Conversation(
            conversation_id=cid,
            start=start,
            end=start + timedelta(milliseconds=wait + talk + hold + acw),
            queue_id=queue.queue_id,
            media_type=media_name,
            direction="outbound" if campaign else "inbound",
            user_id=agent,
            campaign_id=campaign,
            wait_ms=wait,
            talk_ms=talk,
            hold_ms=hold,
            acw_ms=acw,
            abandoned=abandoned,
            transferred=transferred,
        )

    def _pick_queue(self, rng: random.Random) -> _Queue:
        index = bisect.bisect_right(self._queue_cum, rng.random() * self._queue_cum[-1])
        return self._queues[min(index, len(self._queues) - 1)]


# ---------------------------------------------------------------------------------------------
# Request parsing shared by both queries


def _required(body: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in body or body[key] is None:
        raise bad_request(f"{path} is required", path, "field.required")
    return body[key]


def _optional(body: Mapping[str, Any], key: str, default: Any) -> Any:
    # JSON clients send null for "not set", as the Genesys Cloud SDKs do for unset fields.
    value = body.get(key)
    return default if value is None else value


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise bad_request(f"{path or 'the body'} must be an object", path)
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad_request(f"{path} must be a list", path)
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{path} must be a string", path)
    return value


def _choice(value: Any, allowed: Sequence[str], path: str) -> str:
    if value not in allowed:
        raise bad_request(f"{path} must be one of {', '.join(allowed)}, not {value!r}", path)
    return str(value)


def _reject_unknown(body: Mapping[str, Any], known: frozenset[str]) -> None:
    # Genesys Cloud rejects unrecognised fields, so a client that sends `groupBys` to the
    # details query (grouping is the aggregates query's job) learns so at once.
    for key in body:
        if key not in known:
            raise bad_request(f"Unrecognized field {key!r}", str(key))


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no offset")
    moment = moment.astimezone(UTC)
    # Far from datetime's own limits, so that day and bucket arithmetic cannot overflow.
    if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
        raise ValueError("out of range")
    return moment


def _interval(body: Mapping[str, Any], max_days: int) -> tuple[datetime, datetime]:
    text = _string(_required(body, "interval", "interval"), "interval")
    parts = text.split("/")
    try:
        if len(parts) != 2:
            raise ValueError("not start/end")
        start, end = _instant(parts[0]), _instant(parts[1])
    except ValueError:
        message = (
            f"interval {text!r} is not 'start/end' in ISO-8601 with an offset,"
            f" between the years {_FIRST_YEAR} and {_LAST_YEAR}"
        )
        raise bad_request(message, "interval") from None
    if end <= start:
        raise bad_request("interval must end after it starts", "interval")
    if end - start > timedelta(days=max_days):
        raise bad_request(f"interval must not exceed {max_days} days", "interval")
    return start, end


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------------------------------------
# Aggregates: dimensions, metrics, filters, buckets

_DIMENSIONS: Mapping[str, str] = {
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
_METRICS: Mapping[str, _Extract] = {
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
_Predicate = Callable[[Conversation], bool]


def _dimension_predicate(
    spec: Mapping[str, Any], path: str, dimensions: Mapping[str, str]
) -> Callable[[Any], bool]:
    # Any: the same predicate reads a Conversation (aggregates) or a _Segment (details).
    name = _required(spec, "dimension", f"{path}.dimension")
    if not isinstance(name, str) or name not in dimensions:
        raise bad_request(f"unknown dimension {name!r}", f"{path}.dimension")
    get = attrgetter(dimensions[name])
    operator = _choice(_optional(spec, "operator", "matches"), _OPERATORS, f"{path}.operator")
    if operator == "exists":
        return lambda c: get(c) is not None
    if operator == "notExists":
        return lambda c: get(c) is None
    value = _string(_required(spec, "value", f"{path}.value"), f"{path}.value")
    return lambda c: get(c) == value


def _bounds(spec: Mapping[str, Any], path: str) -> Callable[[int], bool]:
    bounds = _mapping(_required(spec, "range", f"{path}.range"), f"{path}.range")
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


def _metric_predicate(spec: Mapping[str, Any], path: str) -> _Predicate:
    name = _required(spec, "metric", f"{path}.metric")
    if not isinstance(name, str) or name not in _METRICS:
        raise bad_request(f"unknown metric {name!r}", f"{path}.metric")
    extract = _METRICS[name]
    operator = _choice(_optional(spec, "operator", "matches"), _OPERATORS, f"{path}.operator")
    if operator == "exists":
        return lambda c: extract(c) is not None
    if operator == "notExists":
        return lambda c: extract(c) is None
    within = _bounds(spec, path)
    return lambda c: (v := extract(c)) is not None and within(v)


def _predicate(raw: Any, path: str, dimensions: Mapping[str, str] = _DIMENSIONS) -> _Predicate:
    spec = _mapping(raw, path)
    kind = _optional(spec, "type", "metric" if "metric" in spec else "dimension")
    if _choice(kind, ("dimension", "metric"), f"{path}.type") == "metric":
        return _metric_predicate(spec, path)
    return _dimension_predicate(spec, path, dimensions)


def _combine(kind: str, parts: Sequence[_Predicate]) -> _Predicate:
    if kind == "and":
        return lambda c: all(p(c) for p in parts)
    return lambda c: any(p(c) for p in parts)


def _aggregate_filter(raw: Any) -> _Predicate:
    spec = _mapping(raw, "filter")
    kind = _choice(_required(spec, "type", "filter.type"), ("and", "or"), "filter.type")
    predicates = _list(_optional(spec, "predicates", []), "filter.predicates")
    parts = [_predicate(p, f"filter.predicates[{i}]") for i, p in enumerate(predicates)]
    for i, clause in enumerate(_list(_optional(spec, "clauses", []), "filter.clauses")):
        parts.append(_clause(clause, f"filter.clauses[{i}]"))
    if not parts:
        raise bad_request("filter needs predicates or clauses", "filter")
    return _combine(kind, parts)


def _clause(raw: Any, path: str) -> _Predicate:
    spec = _mapping(raw, path)
    kind = _choice(_required(spec, "type", f"{path}.type"), ("and", "or"), f"{path}.type")
    predicates = _list(_required(spec, "predicates", f"{path}.predicates"), f"{path}.predicates")
    if not predicates:
        raise bad_request("a clause needs predicates", f"{path}.predicates")
    return _combine(
        kind, [_predicate(p, f"{path}.predicates[{i}]") for i, p in enumerate(predicates)]
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
    name = _string(_optional(body, "timeZone", "UTC"), "timeZone")
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
    text = _string(body["granularity"], "granularity")
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


def _names(body: Mapping[str, Any], key: str, allowed: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for i, name in enumerate(_list(_optional(body, key, []), key)):
        if not isinstance(name, str) or name not in allowed:
            raise bad_request(f"unknown {key} entry {name!r}", f"{key}[{i}]")
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
        extract = _METRICS[name]
        values = [v for c in cell if (v := extract(c)) is not None]
        if values:
            out.append({"metric": name, "stats": _stats(values, name.startswith("n"))})
    return out


def _group_key(dimensions: Sequence[str]) -> Callable[[Conversation], tuple[Any, ...]]:
    if not dimensions:
        return lambda c: ()
    get = attrgetter(*(_DIMENSIONS[d] for d in dimensions))
    if len(dimensions) == 1:
        return lambda c: (get(c),)
    return lambda c: tuple(get(c))


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is not None, v or "") for v in key)


# ---------------------------------------------------------------------------------------------
# Details: filters over conversations and participants, and the nested rendering

_CONVERSATION_DIMENSIONS: Mapping[str, str] = {
    "conversationId": "conversation_id",
    "originatingDirection": "direction",
    "mediaType": "media_type",
}


@dataclass(frozen=True, slots=True)
class _Segment:
    """What a segment filter can see of one participant's segments."""

    purpose: str
    queue_id: str | None
    media_type: str
    direction: str
    user_id: str | None


_SEGMENT_DIMENSIONS: Mapping[str, str] = {
    "queueId": "queue_id",
    "mediaType": "media_type",
    "direction": "direction",
    "userId": "user_id",
    "purpose": "purpose",
}


def _segments(c: Conversation) -> tuple[_Segment, ...]:
    customer = _Segment("customer", None, c.media_type, c.direction, None)
    acd = _Segment("acd", c.queue_id, c.media_type, c.direction, None)
    if c.user_id is None:
        return customer, acd
    return customer, acd, _Segment("agent", c.queue_id, c.media_type, c.direction, c.user_id)


_SegmentPredicate = Callable[[_Segment], bool]


def _detail_filters(body: Mapping[str, Any]) -> list[_Predicate]:
    tests: list[_Predicate] = []
    for i, spec in enumerate(
        _list(_optional(body, "conversationFilters", []), "conversationFilters")
    ):
        path = f"conversationFilters[{i}]"
        kind, predicates = _detail_filter(spec, path)
        # Conversation filters take metric predicates too (durations such as tHandle).
        parts = [
            _predicate(p, f"{path}.predicates[{j}]", _CONVERSATION_DIMENSIONS)
            for j, p in enumerate(predicates)
        ]
        tests.append(_combine(kind, parts))
    for i, spec in enumerate(_list(_optional(body, "segmentFilters", []), "segmentFilters")):
        tests.append(_segment_filter(spec, f"segmentFilters[{i}]"))
    return tests


def _detail_filter(raw: Any, path: str) -> tuple[str, list[Any]]:
    spec = _mapping(raw, path)
    kind = _choice(_required(spec, "type", f"{path}.type"), ("and", "or"), f"{path}.type")
    predicates = _list(_required(spec, "predicates", f"{path}.predicates"), f"{path}.predicates")
    if not predicates:
        raise bad_request("a filter needs predicates", f"{path}.predicates")
    return kind, predicates


def _detail_predicate(raw: Any, path: str) -> Mapping[str, Any]:
    spec = _mapping(raw, path)
    _choice(_optional(spec, "type", "dimension"), ("dimension",), f"{path}.type")
    return spec


def _segment_filter(spec: Any, path: str) -> _Predicate:
    # Like Genesys Cloud, an "and" filter must hold on one segment, not across several.
    kind, predicates = _detail_filter(spec, path)
    parts: list[_SegmentPredicate] = []
    for j, p in enumerate(predicates):
        where = f"{path}.predicates[{j}]"
        parts.append(_dimension_predicate(_detail_predicate(p, where), where, _SEGMENT_DIMENSIONS))
    if kind == "and":
        return lambda c: any(all(p(s) for p in parts) for s in _segments(c))
    return lambda c: any(p(s) for s in _segments(c) for p in parts)


def _sub_id(conversation_id: str, part: str) -> str:
    return str(uuid.uuid5(_CONVERSATION_NS, f"{conversation_id}:{part}"))


def _metric(name: str, value: int, at: datetime) -> dict[str, Any]:
    return {"name": name, "value": value, "emitDate": _iso(at)}


def _segment(kind: str, start: datetime, end: datetime, **extra: str | None) -> dict[str, Any]:
    segment: dict[str, Any] = {"segmentStart": _iso(start), "segmentEnd": _iso(end)}
    segment["segmentType"] = kind
    segment.update({k: v for k, v in extra.items() if v is not None})
    return segment


def _session(
    c: Conversation, part: str, segments: list[dict[str, Any]], metrics: list[dict[str, Any]]
) -> dict[str, Any]:
    session: dict[str, Any] = {
        "sessionId": _sub_id(c.conversation_id, f"{part}:session"),
        "mediaType": c.media_type,
        "direction": c.direction,
    }
    if c.campaign_id is not None:
        session["outboundCampaignId"] = c.campaign_id
    session["segments"] = segments
    if metrics:
        session["metrics"] = metrics
    return session


def _ms(moment: datetime, ms: int) -> datetime:
    return moment + timedelta(milliseconds=ms)


def _customer(c: Conversation) -> dict[str, Any]:
    hang_up = c.end if c.abandoned else _ms(c.start, c.wait_ms + c.talk_ms + c.hold_ms)
    segment = _segment("interact", c.start, hang_up, disconnectType="endpoint")
    return {
        "participantId": _sub_id(c.conversation_id, "customer"),
        "purpose": "customer",
        "sessions": [_session(c, "customer", [segment], [])],
    }


def _acd(c: Conversation, queue_name: str | None) -> dict[str, Any]:
    answered_at = _ms(c.start, c.wait_ms)
    disconnect = "peer" if c.abandoned else "transfer"
    segment = _segment(
        "interact", c.start, answered_at, queueId=c.queue_id, disconnectType=disconnect
    )
    metrics = [_metric("nOffered", 1, c.start)]
    metrics.append(_metric("tAbandon" if c.abandoned else "tAnswered", c.wait_ms, answered_at))
    if c.over_sla:
        metrics.append(_metric("nOverSla", 1, answered_at))
    participant: dict[str, Any] = {"participantId": _sub_id(c.conversation_id, "acd")}
    if queue_name is not None:
        participant["participantName"] = queue_name
    participant["purpose"] = "acd"
    participant["sessions"] = [_session(c, "acd", [segment], metrics)]
    return participant


def _agent_segments(c: Conversation) -> list[dict[str, Any]]:
    # The agent is alerted during the last seconds of the wait and holds halfway through the talk.
    answered = _ms(c.start, c.wait_ms)
    alert = _segment("alert", _ms(answered, -min(c.wait_ms, 4_000)), answered, queueId=c.queue_id)
    first = c.talk_ms // 2 if c.hold_ms else c.talk_ms
    segments = [alert, _segment("interact", answered, _ms(answered, first), queueId=c.queue_id)]
    cursor = _ms(answered, first)
    if c.hold_ms:
        held = _ms(cursor, c.hold_ms)
        segments.append(_segment("hold", cursor, held, queueId=c.queue_id))
        rest = c.talk_ms - first
        segments.append(_segment("interact", held, _ms(held, rest), queueId=c.queue_id))
        cursor = _ms(held, rest)
    segments[-1]["disconnectType"] = "transfer" if c.transferred else "peer"
    segments.append(_segment("wrapup", cursor, c.end, queueId=c.queue_id))
    return segments


def _agent(c: Conversation, user_name: str | None) -> dict[str, Any]:
    talked = _ms(c.start, c.wait_ms + c.talk_ms + c.hold_ms)
    metrics = [_metric("tTalk", c.talk_ms, talked)]
    if c.hold_ms:
        metrics.append(_metric("tHeld", c.hold_ms, talked))
    metrics += [_metric("tAcw", c.acw_ms, c.end), _metric("tHandle", c.handle_ms, c.end)]
    if c.transferred:
        metrics.append(_metric("nTransferred", 1, talked))
    participant: dict[str, Any] = {"participantId": _sub_id(c.conversation_id, "agent")}
    if user_name is not None:
        participant["participantName"] = user_name
    participant.update({"purpose": "agent", "userId": c.user_id})
    participant["sessions"] = [_session(c, "agent", _agent_segments(c), metrics)]
    return participant


# ---------------------------------------------------------------------------------------------


_AGGREGATE_FIELDS = frozenset(
    {
        "interval",
        "granularity",
        "timeZone",
        "groupBy",
        "filter",
        "metrics",
        "flattenMultivaluedDimensions",
    }
)
_DETAIL_FIELDS = frozenset(
    {"interval", "conversationFilters", "segmentFilters", "order", "orderBy", "paging"}
)


class Analytics:
    """The sandbox org's conversation history and the analytics queries over it."""

    def __init__(
        self,
        seed: int,
        queues: Sequence[Mapping[str, str]],
        users: Sequence[Mapping[str, str]],
        campaigns: Sequence[Mapping[str, str]] = (),
        per_day: int = 240,
    ) -> None:
        if not queues or not users:
            raise ValueError("analytics needs at least one queue and one user")
        if per_day < 0:
            raise ValueError("per_day must not be negative")
        profiles = _queue_profiles(seed, queues, users)
        self._generator = _DayGenerator(seed, profiles, campaigns, per_day)
        self._queue_names = {q["id"]: q["name"] for q in queues}
        self._user_names = {u["id"]: u["name"] for u in users}
        self._days: OrderedDict[date, list[Conversation]] = OrderedDict()
        self._lock = threading.Lock()

    def conversations(self, start: datetime, end: datetime) -> list[Conversation]:
        """Conversations that start in [start, end), in start order."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        found: list[Conversation] = []
        day = start.date()
        while datetime.combine(day, time(), tzinfo=UTC) < end:
            conversations = self._day(day)
            low = bisect.bisect_left(conversations, start, key=attrgetter("start"))
            high = bisect.bisect_left(conversations, end, key=attrgetter("start"))
            found += conversations[low:high]
            day += timedelta(days=1)
        return found

    def _day(self, day: date) -> list[Conversation]:
        with self._lock:
            if day in self._days:
                self._days.move_to_end(day)
                return self._days[day]
        # Generated outside the lock: a race only computes the same deterministic day twice.
        conversations = self._generator.day(day)
        with self._lock:
            self._days[day] = conversations
            while len(self._days) > _CACHE_DAYS:
                self._days.popitem(last=False)
        return conversations

    def aggregates(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer an aggregates query: metrics per group and per time bucket."""
        body = _mapping(body, "")
        _reject_unknown(body, _AGGREGATE_FIELDS)
        start, end = _interval(body, 366)
        buckets = _buckets(body, start, end)
        group_by = _names(body, "groupBy", _DIMENSIONS)
        metrics = _names(body, "metrics", _METRICS)
        if not metrics:
            raise bad_request("metrics must name at least one metric", "metrics", "field.required")
        keep = _aggregate_filter(body["filter"]) if body.get("filter") is not None else None
        group_of = _group_key(group_by)
        cells: dict[tuple[tuple[Any, ...], int], list[Conversation]] = {}
        for c in self.conversations(start, end):
            if keep is None or keep(c):
                cells.setdefault((group_of(c), buckets.index(c.start)), []).append(c)
        return {"results": _results(cells, group_by, metrics, buckets)}

    def details(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer a details query: one page of matching conversations, nested, and the total."""
        body = _mapping(body, "")
        _reject_unknown(body, _DETAIL_FIELDS)
        start, end = _interval(body, 31)
        descending = _choice(_optional(body, "order", "asc"), ("asc", "desc"), "order") == "desc"
        _choice(_optional(body, "orderBy", "conversationStart"), ("conversationStart",), "orderBy")
        size, number = _paging(body)
        tests = _detail_filters(body)
        hits = [c for c in self.conversations(start, end) if all(t(c) for t in tests)]
        hits.sort(key=attrgetter("start", "conversation_id"), reverse=descending)
        page = hits[(number - 1) * size : number * size]
        answer: dict[str, Any] = {}
        if page:
            answer["conversations"] = [self._render(c) for c in page]
        answer["totalHits"] = len(hits)
        return answer

    def _render(self, c: Conversation) -> dict[str, Any]:
        participants = [_customer(c), _acd(c, self._queue_names.get(c.queue_id))]
        if c.user_id is not None:
            participants.append(_agent(c, self._user_names.get(c.user_id)))
        return {
            "conversationId": c.conversation_id,
            "conversationStart": _iso(c.start),
            "conversationEnd": _iso(c.end),
            "originatingDirection": c.direction,
            "participants": participants,
        }


def _results(
    cells: Mapping[tuple[tuple[Any, ...], int], list[Conversation]],
    group_by: Sequence[str],
    metrics: Sequence[str],
    buckets: _Buckets,
) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for key, index in sorted(cells, key=lambda cell: (_sort_key(cell[0]), cell[1])):
        data = _bucket_metrics(cells[(key, index)], metrics)
        if data:
            low, high = buckets.bounds(index)
            entry = {"interval": f"{_iso(low)}/{_iso(high)}", "metrics": data}
            groups.setdefault(key, []).append(entry)
    return [
        {"group": {d: v for d, v in zip(group_by, key, strict=True) if v is not None}, "data": data}
        for key, data in groups.items()
    ]


def _paging(body: Mapping[str, Any]) -> tuple[int, int]:
    raw = body.get("paging")
    paging = {} if raw is None else _mapping(raw, "paging")
    size = _optional(paging, "pageSize", 25)
    number = _optional(paging, "pageNumber", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 100:
        raise bad_request("paging.pageSize must be an integer from 1 to 100", "paging.pageSize")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise bad_request("paging.pageNumber must be an integer of at least 1", "paging.pageNumber")
    return size, number
