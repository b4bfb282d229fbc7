"""Buckets that stand out from the ones before them: a z-score per queue against a baseline.

Each bucket of a queue is compared with up to `window` preceding buckets of the same queue. Hourly
buckets are compared with the same hour on preceding days, because every contact centre is
quieter at night than at noon and an hour-on-hour baseline would flag every morning. A bucket is
judged only when its baseline has at least `min_samples` values: an empty or short baseline says
nothing, so it never alerts.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from genesys_reconcile.preview.report import Bucket, Counts


@dataclass(frozen=True)
class Baseline:
    window: int = 7  # preceding buckets (or days, for hourly buckets) in a baseline
    min_samples: int = 5  # fewer baseline values than this: no verdict
    threshold: float = 3.0  # |z| at or above this is an anomaly
    min_volume: int = 10  # a rate over fewer conversations than this is noise, not a sample

    def __post_init__(self) -> None:
        # A standard deviation needs two values.
        if self.window < 2 or not 2 <= self.min_samples <= self.window or self.threshold <= 0:
            raise ValueError("need 2 <= min_samples <= window and a positive threshold")


@dataclass(frozen=True)
class Anomaly:
    queue_id: str
    queue: str
    start: datetime
    metric: str  # "offered" or "abandonRate"
    value: float
    mean: float  # the baseline's mean, in the metric's own units
    z: float


@dataclass(frozen=True)
class Score:
    index: int
    history: list[int]  # the buckets of the baseline
    z: float


# The least spread a value can have by chance, given its index and the baseline's mean: without
# it, a baseline that happens to be flat (0, 0, 0, 0, 0 calls at 3 a.m.) makes one call an
# anomaly.
Floor = Callable[[int, float], float]


def outliers(
    series: Sequence[float | None], period: int, baseline: Baseline, floor: Floor
) -> Iterator[Score]:
    """The buckets of `series` (None: no sample) whose z-score reaches the threshold."""
    for index, value in enumerate(series):
        if value is None:
            continue
        previous = (index - k * period for k in range(1, baseline.window + 1))
        history = [i for i in previous if i >= 0 and series[i] is not None]
        if len(history) < baseline.min_samples:
            continue
        values = [v for i in history if (v := series[i]) is not None]
        mean = statistics.fmean(values)
        z = (value - mean) / max(statistics.stdev(values), floor(index, mean))
        if abs(z) >= baseline.threshold:
            yield Score(index, history, z)


def detect(
    buckets: Sequence[Bucket], queues: Mapping[str, str], period: int, baseline: Baseline
) -> list[Anomaly]:
    """Anomalies in each queue's volume and abandonment rate, in time order."""
    found = []
    for queue_id in sorted({q for b in buckets for q in b.by_queue}):
        counts = [b.by_queue.get(queue_id, Counts()) for b in buckets]
        for metric, (shown, scored, floor) in _measures(counts, baseline).items():
            for s in outliers(scored, period, baseline, floor):
                value, mean = shown[s.index], statistics.fmean(shown[i] or 0.0 for i in s.history)
                name = queues.get(queue_id, queue_id)
                start = buckets[s.index].start
                found.append(Anomaly(queue_id, name, start, metric, value or 0.0, mean, s.z))
    found.sort(key=lambda a: (a.start, a.queue.casefold(), a.metric))
    return found


Series = list[float | None]


def _measures(
    counts: Sequence[Counts], baseline: Baseline
) -> dict[str, tuple[Series, Series, Floor]]:
    """Each metric's values as shown, as scored, and its noise floor.

    Volume is scored on Anscombe's square-root scale, where a Poisson count's chance variation
    is about 1 whether the queue takes 2 calls an hour or 200: on the plain scale, 4 calls
    against a usual 1 would look as alarming as 400 against 100. A rate over n conversations
    varies by at least sqrt(p(1-p)/n) (binomial), and a bucket with fewer than `min_volume`
    conversations is no sample of a rate at all."""
    offered = [c.offered for c in counts]

    def rate_floor(index: int, p: float) -> float:
        n = offered[index]
        return math.sqrt(max(p * (1 - p), 1 / n) / n)

    volume: Series = [float(n) for n in offered]
    rates: Series = [c.abandon_rate if c.offered >= baseline.min_volume else None for c in counts]
    return {
        "offered": (volume, [2 * math.sqrt(n + 3 / 8) for n in offered], lambda _, __: 1.0),
        "abandonRate": (rates, rates, rate_floor),
    }


def period_of(granularity: str) -> int:
    """How many buckets back the same time of day is: 24 for hours, else the previous one."""
    return 24 if granularity == "PT1H" else 1
