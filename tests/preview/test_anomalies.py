"""z-scores against a baseline of preceding buckets: what is flagged and what never is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from genesys_reconcile.preview.anomalies import Baseline, detect, period_of
from genesys_reconcile.preview.report import Bucket, Counts

START = datetime(2024, 7, 1, tzinfo=UTC)
QUEUES = {"q1": "Support", "q2": "Sales"}


def buckets(*offered: int, abandoned: list[int] | None = None, hours: bool = False) -> list[Bucket]:
    step = timedelta(hours=1) if hours else timedelta(days=1)
    lost = abandoned or [0] * len(offered)
    return [
        Bucket(START + i * step, {"q1": Counts(offered=n, abandoned=a)})
        for i, (n, a) in enumerate(zip(offered, lost, strict=True))
    ]


# Noisy but ordinary daily volumes for one queue.
ORDINARY = [52, 47, 55, 49, 51, 46, 53, 50, 48, 54]


def test_a_planted_spike_is_flagged_with_its_baseline() -> None:
    (found,) = detect(buckets(*ORDINARY, 140), QUEUES, 1, Baseline())

    assert (found.queue, found.metric, found.start) == ("Support", "offered", START + timedelta(10))
    assert found.value == 140
    assert found.mean == pytest.approx(sum(ORDINARY[-7:]) / 7)
    assert found.z > 3


def test_a_sudden_drop_is_flagged_too() -> None:
    (found,) = detect(buckets(*ORDINARY, 3), QUEUES, 1, Baseline())

    assert found.value == 3 and found.z < -3


def test_a_flat_series_is_not_flagged() -> None:
    assert detect(buckets(*[40] * 30), QUEUES, 1, Baseline()) == []


def test_ordinary_noise_is_not_flagged() -> None:
    assert detect(buckets(*ORDINARY), QUEUES, 1, Baseline()) == []


def test_a_flat_zero_baseline_does_not_make_one_conversation_an_anomaly() -> None:
    assert detect(buckets(0, 0, 0, 0, 0, 0, 0, 1), QUEUES, 1, Baseline()) == []


@pytest.mark.parametrize("history", [0, 1, 4])
def test_an_empty_or_short_baseline_never_alerts(history: int) -> None:
    series = [50] * history + [500]

    assert detect(buckets(*series), QUEUES, 1, Baseline(window=7, min_samples=5)) == []


def test_min_samples_and_window_are_settings() -> None:
    series = [50, 51, 49, 500]

    assert detect(buckets(*series), QUEUES, 1, Baseline(window=3, min_samples=3)) != []
    assert detect(buckets(*series), QUEUES, 1, Baseline(window=7, min_samples=4)) == []


def test_the_threshold_is_a_setting() -> None:
    series = [*ORDINARY, 70]

    assert detect(buckets(*series), QUEUES, 1, Baseline(threshold=3)) == []
    assert detect(buckets(*series), QUEUES, 1, Baseline(threshold=2)) != []


def test_hourly_buckets_are_compared_with_the_same_hour_on_preceding_days() -> None:
    # Quiet nights and busy days: hour-on-hour, every morning would look like a spike.
    day = [2] * 8 + [40] * 10 + [5] * 6
    week = day * 7 + [2] * 8 + [40, 40, 200] + [40] * 7 + [5] * 6
    found = detect(buckets(*week, hours=True), QUEUES, period_of("PT1H"), Baseline())

    assert [(a.start, a.value) for a in found] == [(START + timedelta(days=7, hours=10), 200)]


def test_an_abandonment_rate_spike_is_flagged() -> None:
    offered = [100] * 9
    abandoned = [5, 6, 4, 5, 7, 5, 6, 4, 40]

    (found,) = detect(buckets(*offered, abandoned=abandoned), QUEUES, 1, Baseline())

    assert (found.metric, found.value) == ("abandonRate", 0.4)
    assert found.mean == pytest.approx(sum(abandoned[1:8]) / 700)


def test_rates_over_too_few_conversations_are_not_judged() -> None:
    offered = [100] * 8 + [3]
    abandoned = [5] * 8 + [3]  # 100 % of 3 calls

    found = detect(buckets(*offered, abandoned=abandoned), QUEUES, 1, Baseline(min_volume=10))

    assert [a.metric for a in found] == ["offered"]


def test_each_queue_has_its_own_baseline() -> None:
    series = [
        Bucket(START + timedelta(days=i), {"q1": Counts(offered=50), "q2": Counts(offered=5)})
        for i in range(8)
    ]
    series.append(Bucket(START + timedelta(days=8), {"q1": Counts(offered=50)}))

    (found,) = detect(series, QUEUES, 1, Baseline())

    assert (found.queue, found.value) == ("Sales", 0)


@pytest.mark.parametrize(
    "settings",
    [{"window": 1}, {"min_samples": 1}, {"window": 3, "min_samples": 4}, {"threshold": 0}],
)
def test_baselines_that_cannot_work_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="min_samples"):
        Baseline(**settings)  # type: ignore[arg-type]
