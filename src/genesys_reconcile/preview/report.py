"""An aggregates answer, normalised: counts and rates per queue and media type, and per bucket.

The answer holds `count/sum` statistics per group and time bucket, and leaves out empty buckets.
`Counts` keeps the additive parts (so rows, totals and buckets are sums of the same thing) and
derives rates and averages from them; a rate over nothing is None, shown as "-", never a zero
division and never a misleading 0 %.

A segment with a duration condition is counted by views (see `query.views`): they count the
conversations whose duration lies in range, answered and abandoned apart, but say nothing of
those conversations' other metrics. Such figures are None ("-"), not the figures of every
conversation the other predicates select.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from genesys_reconcile.kinds.segment_fields import MEDIA_TYPES
from genesys_reconcile.preview.query import ABANDONED, ANSWERED, Window, instant


@dataclass(frozen=True)
class Counts:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    # None: not measured for this segment (see the module's docstring).
    over_sla: int | None = 0
    handle_ms: int | None = 0
    handled: int | None = 0  # conversations with a handle time (the answered ones)
    wait_ms: int | None = 0
    waited: int | None = 0

    def __add__(self, other: Counts) -> Counts:
        measured = (_plus(getattr(self, n), getattr(other, n)) for n in _MEASURED)
        return Counts(
            self.offered + other.offered,
            self.answered + other.answered,
            self.abandoned + other.abandoned,
            *measured,
        )

    @property
    def abandon_rate(self) -> float | None:
        return _ratio(self.abandoned, self.offered)

    @property
    def sla_breach_rate(self) -> float | None:
        return _ratio(self.over_sla, self.offered)

    @property
    def avg_handle_s(self) -> float | None:
        return _ratio(self.handle_ms, None if self.handled is None else self.handled * 1000)

    @property
    def avg_wait_s(self) -> float | None:
        return _ratio(self.wait_ms, None if self.waited is None else self.waited * 1000)


_MEASURED = ("over_sla", "handle_ms", "handled", "wait_ms", "waited")


def _plus(one: int | None, other: int | None) -> int | None:
    return None if one is None or other is None else one + other


def _ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def total(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


# Which statistic of which metric fills each additive field.
_SOURCES: Mapping[str, tuple[str, str]] = {
    "offered": ("nOffered", "count"),
    "answered": ("tAnswered", "count"),
    "abandoned": ("tAbandon", "count"),
    "over_sla": ("nOverSla", "count"),
    "handle_ms": ("tHandle", "sum"),
    "handled": ("tHandle", "count"),
    "wait_ms": ("tWait", "sum"),
    "waited": ("tWait", "count"),
}


def counts_of(metrics: Sequence[Mapping[str, Any]]) -> Counts:
    stats = {m["metric"]: m.get("stats", {}) for m in metrics}
    return Counts(
        **{
            name: int(stats.get(metric, {}).get(stat, 0))
            for name, (metric, stat) in _SOURCES.items()
        }
    )


def counts_in_views(views: Sequence[Mapping[str, Any]], targets: Sequence[str]) -> Counts:
    """The counts of a duration condition's views (named `side:metric:index`); `targets` are
    the metrics the views read, which say what else the views measure."""
    count = {ANSWERED: 0, ABANDONED: 0}
    sums = {metric: 0 for metric in targets}
    for view in views:
        side, metric, _ = str(view["name"]).split(":")
        count[side] += int(view["stats"].get("count", 0))
        sums[metric] += int(view["stats"].get("sum", 0))
    answered, abandoned = count[ANSWERED], count[ABANDONED]
    handles = "tHandle" in targets
    waits = "tAnswered" in targets  # waitDuration: the views read the waits themselves
    return Counts(
        offered=answered + abandoned,
        answered=answered,
        abandoned=abandoned,
        over_sla=None,
        handle_ms=sums["tHandle"] if handles else None,
        handled=answered if handles else None,
        wait_ms=sums["tAnswered"] + sums.get("tAbandon", 0) if waits else None,
        waited=answered + abandoned if waits else None,
    )


def counts_of_entry(entry: Mapping[str, Any], body: Mapping[str, Any]) -> Counts:
    """The counts of one answer bucket of the aggregates `body`."""
    if "views" not in body:
        return counts_of(entry.get("metrics", []))
    targets = list(dict.fromkeys(str(v["target"]) for v in body["views"]))
    return counts_in_views(entry.get("views", []), targets)


@dataclass(frozen=True)
class Row:
    queue_id: str
    queue: str  # the queue's name, or its id when the org no longer has it
    media_type: str
    counts: Counts


@dataclass(frozen=True)
class Bucket:
    start: datetime
    by_queue: Mapping[str, Counts] = field(default_factory=dict)

    @property
    def counts(self) -> Counts:
        return total(self.by_queue.values())


@dataclass(frozen=True)
class Normalised:
    rows: list[Row]
    buckets: list[Bucket]


def normalise(
    answer: Mapping[str, Any],
    queues: Mapping[str, str],
    starts: Sequence[datetime],
    body: Mapping[str, Any],
) -> Normalised:
    """Rows per queue and media type, and every bucket of `starts` (empty ones too)."""
    cells: dict[tuple[str, str], Counts] = {}
    per_bucket: dict[datetime, dict[str, Counts]] = {start: {} for start in starts}
    for result in answer.get("results", []):
        group = result.get("group", {})
        key = (str(group.get("queueId", "")), str(group.get("mediaType", "")))
        for entry in result.get("data", []):
            counts = counts_of_entry(entry, body)
            if not counts.offered:  # a bucket with the views' metrics but none in range
                continue
            cells[key] = cells.get(key, Counts()) + counts
            bucket = per_bucket.setdefault(instant(entry["interval"].split("/", 1)[0]), {})
            bucket[key[0]] = bucket.get(key[0], Counts()) + counts
    rows = [Row(q, queues.get(q, q) or "(no queue)", m, c) for (q, m), c in cells.items()]
    rows.sort(key=lambda r: (r.queue.casefold(), _media_order(r.media_type)))
    buckets = [Bucket(start, by_queue) for start, by_queue in sorted(per_bucket.items())]
    return Normalised(rows, buckets)


def _media_order(media: str) -> tuple[int, str]:
    return (MEDIA_TYPES.index(media) if media in MEDIA_TYPES else len(MEDIA_TYPES), media)


def bucket_starts(window: Window, granularity: str) -> list[datetime]:
    """Where each bucket of the window begins, as the API cuts them in UTC: the first at the
    window's start, the next at the following hour step, midnight, Monday or first of month."""
    start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
    if granularity == "PT1H":
        count = -(-(end - start) // timedelta(hours=1))
        return [start + timedelta(hours=i) for i in range(count)]
    starts = [start]
    day = start.date()
    while True:
        day = _next_boundary(day, granularity)
        boundary = datetime.combine(day, time(), tzinfo=UTC)
        if boundary >= end:
            return starts
        starts.append(boundary)


def _next_boundary(day: date, granularity: str) -> date:
    if granularity == "P1W":
        return day + timedelta(days=7 - day.weekday())
    if granularity == "P1M":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=1)
