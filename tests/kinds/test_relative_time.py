from __future__ import annotations

import pytest

from genesys_reconcile.kinds.relative_time import to_period, to_words


@pytest.mark.parametrize(
    ("words", "period"),
    [
        ("30d ago", "P-30DT00H00M"),
        ("365d ago", "P-365DT00H00M"),
        ("12h ago", "P-0DT-12H00M"),
        ("1d 6h 30m ago", "P-1DT-06H-30M"),
    ],
)
def test_words_and_periods_round_trip(words: str, period: str) -> None:
    assert to_period(words) == period
    assert to_words(period) == words


def test_the_platforms_other_spelling_reads_as_the_same_words() -> None:
    assert to_words("P-1DT-0H-0M") == "1d ago"


@pytest.mark.parametrize("text", ["30 days", "ago", "d ago", "2024-01-01", "-3d ago"])
def test_other_text_is_not_a_relative_time(text: str) -> None:
    assert to_period(text) is None


def test_a_period_in_the_future_is_not_written_in_words() -> None:
    assert to_words("P1DT00H00M") is None
