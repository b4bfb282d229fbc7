"""An aggregates answer, normalised: counts and rates per queue and media type, and per bucket.

The answer holds `count/sum` statistics per group and time bucket, and leaves out empty buckets.
`Counts` keeps the additive parts (so rows, totals and buckets are sums of the same thing) and
derives rates and averages from them; a rate over nothing is None, shown as "-", never a zero
division and never a misleading 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from genesys_reconcile.kinds.segment_fields import MEDIA_TYPES
from genesys_reconcile.preview.query import Window, instant


@dataclass(frozen=True)
class Counts:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    over_sla: int = 0
    handle_ms: int = 0
    handled: int = 0  # conversations with a handle time (the answered ones)
    wait_ms: int = 0
    waited: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def abandon_rate(self) -> float | None:
        return _ratio(self.abandoned, self.offered)

    @property
    def sla_breach_rate(self) -> float | None:
        return _ratio(self.over_sla, self.offered)

    @property
    def avg_handle_s(self) -> float | None:
        return _ratio(self.handle_ms, self.handled * 1000)

    @property
    def avg_wait_s(self) -> float | None:
        return _ratio(self.wait_ms, self.waited * 1000)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def total(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


# Which statistic of which metric fills each additive field.
_SOURCES: Mapping[str, tuple[str, str]] = {
    "offered": ("nOffered", "count"),
    "answered": ("nAnswered", "count"),
    "abandoned": ("nAbandon", "count"),
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
    answer: Mapping[str, Any], queues: Mapping[str, str], starts: Sequence[datetime]
) -> Normalised:
    """Rows per queue and media type, and every bucket of `starts` (empty ones too)."""
    cells: dict[tuple[str, str], Counts] = {}
    per_bucket: dict[datetime, dict[str, Counts]] = {start: {} for start in starts}
    for result in answer.get("results", []):
        group = result.get("group", {})
        key = (str(group.get("queueId", "")), str(group.get("mediaType", "")))
        for entry in result.get("data", []):
            counts = counts_of(entry.get("metrics", []))
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
