"""Translating a segment's query into the analytics API's aggregates body and details filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from genesys_reconcile.preview.query import (
    FIELDS,
    NeedsDetails,
    PreviewError,
    Window,
    aggregates_body,
    detail_filters,
    since,
    terms,
)

QUEUES = {"Support": "q-support", "Sales": "q-sales", "Billing": "q-billing"}
WINDOW = Window(datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 8, tzinfo=UTC))


def lookup(what: str) -> dict[str, str]:
    return QUEUES if what == "queues" else {"Ada Brooks": "u-ada"}


def query(*predicates: dict[str, Any], combination: str = "AND", **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"timeWindow": {"start": "x", "end": "y"}, **extra}
    if predicates:
        found["filter"] = {"type": combination, "predicates": list(predicates)}
    return found


def body(q: dict[str, Any]) -> dict[str, Any]:
    return aggregates_body(q, terms(q, lookup, lambda i: f"predicate {i}"), WINDOW)


def dimension(name: str, value: str) -> dict[str, Any]:
    return {"type": "dimension", "dimension": name, "operator": "matches", "value": value}


def test_the_body_groups_by_queue_and_media_type_per_bucket() -> None:
    assert body(query(timeGroup="hour")) == {
        "interval": "2024-07-01T00:00:00Z/2024-07-08T00:00:00Z",
        "granularity": "PT1H",
        "timeZone": "UTC",
        "groupBy": ["queueId", "mediaType"],
        "metrics": ["nOffered", "tAnswered", "tAbandon", "nOverSla", "tHandle", "tWait"],
    }


@pytest.mark.parametrize(
    ("time_group", "granularity"),
    [("hour", "PT1H"), ("day", "P1D"), ("week", "P1W"), ("month", "P1M"), (None, "P1D")],
)
def test_time_groups_become_granularities(time_group: str | None, granularity: str) -> None:
    extra = {"timeGroup": time_group} if time_group else {}
    assert body(query(**extra))["granularity"] == granularity


CALLS = "conversation.metrics.callDuration"


@pytest.mark.parametrize(
    ("operator", "ranges"),
    [
        ("GREATERTHAN", [{"gte": 300_001}]),
        ("GREATERTHANOREQUAL", [{"gte": 300_000}]),
        ("LESSTHAN", [{"lt": 300_000}]),
        ("LESSTHANOREQUAL", [{"lt": 300_001}]),
        ("EQUAL", [{"gte": 300_000, "lt": 300_001}]),
        ("NOTEQUAL", [{"lt": 300_000}, {"gte": 300_001}]),
    ],
)
def test_durations_in_seconds_become_views_over_millisecond_ranges(
    operator: str, ranges: list[dict[str, int]]
) -> None:
    channel = {"type": "EQUAL", "field": "conversation.channel", "value": "voice"}
    found = body(query(channel, {"type": operator, "field": CALLS, "value": 300}))

    # The filter keeps the dimensions; an aggregates filter cannot test a duration.
    assert found["filter"] == {"type": "and", "predicates": [dimension("mediaType", "voice")]}
    # A call's duration: its handle time when answered, its wait when abandoned.
    assert found["metrics"] == ["tHandle", "tAbandon"]
    assert found["views"] == [
        {"target": metric, "name": f"{side}:{metric}:{i}", "function": "rangeBound", "range": r}
        for side, metric in (("answered", "tHandle"), ("abandoned", "tAbandon"))
        for i, r in enumerate(ranges)
    ]


@pytest.mark.parametrize(
    ("predicates", "combination", "message"),
    [
        (
            [{"type": "EQUAL", "field": "conversation.channel", "value": "chat"},
             {"type": "GREATERTHAN", "field": CALLS, "value": 60}],
            "OR",
            "predicate 1: the analytics aggregates query counts a duration only ANDed",
        ),
        (
            [{"type": "GREATERTHAN", "field": CALLS, "value": 60},
             {"type": "GREATERTHAN", "field": "conversation.metrics.holdDuration", "value": 10}],
            "AND",
            "predicate 1: the analytics aggregates query counts one duration condition",
        ),
    ],
)  # fmt: skip
def test_what_views_cannot_count_is_refused_at_its_predicate(
    predicates: list[dict[str, Any]], combination: str, message: str
) -> None:
    with pytest.raises(NeedsDetails, match=re.escape(message)):
        body(query(*predicates, combination=combination))


def test_names_become_ids_and_notequal_matches_every_other_value() -> None:
    found = body(
        query(
            {"type": "EQUAL", "field": "queue.name", "value": "Support"},
            {"type": "NOTEQUAL", "field": "conversation.channel", "value": "voice"},
        )
    )["filter"]

    assert found == {
        "type": "and",
        "predicates": [dimension("queueId", "q-support")],
        "clauses": [
            {
                "type": "or",
                "predicates": [
                    dimension("mediaType", m) for m in ("callback", "chat", "email", "message")
                ],
            }
        ],
    }


def test_an_or_of_alternatives_is_one_flat_or() -> None:
    found = body(
        query(
            {"type": "EQUAL", "field": "user.name", "value": "Ada Brooks"},
            {"type": "NOTEQUAL", "field": "queue.name", "value": "Sales"},
            combination="OR",
        )
    )["filter"]

    assert found == {
        "type": "or",
        "predicates": [
            dimension("userId", "u-ada"),
            dimension("queueId", "q-billing"),
            dimension("queueId", "q-support"),
        ],
    }


def test_a_field_without_a_mapping_is_an_error_naming_the_predicate() -> None:
    q = query({"type": "EQUAL", "field": "conversation.wrapUpCode", "value": "x"})

    with pytest.raises(PreviewError) as caught:
        body(q)

    message = str(caught.value)
    assert message.startswith("predicate 0: conversation.wrapUpCode has no analytics mapping")
    assert all(field in message for field in FIELDS)


@pytest.mark.parametrize(
    ("predicate", "message"),
    [
        (
            {"type": "EQUAL", "field": "queue.name", "value": "Suport"},
            "no queue.name 'Suport' in the org; known: Billing, Sales, Support",
        ),
        (
            {"type": "GREATERTHAN", "field": "queue.name", "value": "Support"},
            "operator GREATERTHAN does not apply to text (queue.name)",
        ),
        (
            {"type": "EQUAL", "field": "conversation.channel", "value": "fax"},
            "no conversation.channel 'fax' in the org",
        ),
    ],
)
def test_values_the_org_cannot_match_are_errors(predicate: dict[str, Any], message: str) -> None:
    with pytest.raises(PreviewError, match=re.escape(message)):
        body(query(predicate))


def test_details_filters_split_conversation_and_segment_levels() -> None:
    q = query(
        {"type": "EQUAL", "field": "conversation.direction", "value": "inbound"},
        {"type": "GREATERTHAN", "field": "conversation.metrics.holdDuration", "value": 60},
        {"type": "EQUAL", "field": "queue.name", "value": "Billing"},
        {"type": "EQUAL", "field": "conversation.channel", "value": "voice"},
        {"type": "NOTEQUAL", "field": "queue.name", "value": "Sales"},
        {"type": "LESSTHAN", "field": "conversation.metrics.waitDuration", "value": 20},
    )

    found = detail_filters(q, terms(q, lookup, str))

    assert found == {
        "conversationFilters": [
            {
                "type": "and",
                "predicates": [
                    dimension("originatingDirection", "inbound"),
                    {"type": "metric", "metric": "tHeld", "range": {"gte": 60_001}},
                ],
            },
            {  # never tWait, which a details query does not take
                "type": "or",
                "predicates": [
                    {"type": "metric", "metric": "tAnswered", "range": {"lt": 20_000}},
                    {"type": "metric", "metric": "tAbandon", "range": {"lt": 20_000}},
                ],
            },
        ],
        "segmentFilters": [  # mediaType is a segment dimension of the details query
            {
                "type": "and",
                "predicates": [dimension("queueId", "q-billing"), dimension("mediaType", "voice")],
            },
            {
                "type": "or",
                "predicates": [
                    dimension("queueId", "q-billing"),
                    dimension("queueId", "q-support"),
                ],
            },
        ],
    }


def test_since_ends_at_the_last_whole_hour() -> None:
    now = datetime(2026, 11, 23, 10, 37, 12, tzinfo=UTC)

    assert since("7d", now) == Window(
        datetime(2026, 11, 16, 10, tzinfo=UTC), datetime(2026, 11, 23, 10, tzinfo=UTC)
    )
    assert since("12h", now).start == datetime(2026, 11, 22, 22, tzinfo=UTC)
    assert since("2w", now).days == 14


@pytest.mark.parametrize("text", ["", "7", "0d", "7 days", "-1d", "1y", "99999d"])
def test_since_refuses_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(PreviewError, match="is not a duration such as 12h, 7d or 2w"):
        since(text, datetime(2026, 1, 1, tzinfo=UTC))
