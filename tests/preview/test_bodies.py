"""Every analytics body the preview and the plan's impact lines send is one the platform takes:
each is captured as the sandbox receives it and judged by the official SDK's models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.preview.query import NeedsDetails, PreviewError, Window
from genesys_reconcile.preview.run import conversations, load_segment, preview
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.sandbox.analytics.engine import Analytics as Engine
from genesys_reconcile.settings import load_settings
from tests.oracle import assert_conforms
from tests.preview.helpers import segment
from tests.sandbox.test_analytics_strict import sdk_enum

ROOT = Path(__file__).resolve().parents[2]
WEEK = Window(datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 8, tzinfo=UTC))
Sent = list[tuple[str, dict[str, Any], dict[str, Any]]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    """(query, body, answer) for every analytics query the sandbox answers."""
    found: Sent = []
    for query in ("aggregates", "details"):
        original = getattr(Engine, query)

        def spy(self: Engine, body: Any, original: Any = original, query: str = query) -> Any:
            answer = original(self, body)
            found.append((query, body, answer))
            return answer

        monkeypatch.setattr(Engine, query, spy)
    yield found


def assert_valid(sent: Sent) -> None:
    assert sent, "no analytics query was sent"
    for query, body, answer in sent:
        if query == "aggregates":
            assert_conforms("ConversationAggregationQuery", body)
            # The SDK types `metrics` and `groupBy` as plain strings: their values are the
            # view targets' and the predicates' dimensions.
            assert set(body["metrics"]) <= sdk_enum("ConversationAggregationView", "target")
            dimensions = sdk_enum("ConversationAggregateQueryPredicate", "dimension")
            assert set(body.get("groupBy", [])) <= dimensions
            assert_conforms("ConversationAggregateQueryResponse", answer)
        else:
            assert_conforms("ConversationQuery", body)
            assert_conforms("AnalyticsConversationQueryResponse", answer)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "segments").glob("*.yaml")))
def test_every_example_segment_sends_valid_bodies(
    name: str, client: GenesysClient, sent: Sent
) -> None:
    resource = load_segment(ROOT / "segments" / name, load_settings(cwd=ROOT))
    analytics = Analytics(client)

    preview(analytics, resource, WEEK)
    conversations(analytics, resource, WEEK, limit=3)
    analytics.matched(resource.document.data["query"], WEEK, str)

    assert {q for q, _, _ in sent} == {"aggregates", "details"}
    assert_valid(sent)


FIELDS = {
    "conversation.channel": ["voice", "chat"],
    "conversation.direction": ["inbound", "outbound"],
    "queue.name": ["Support", "Sales"],
    "user.name": None,
    "conversation.metrics.callDuration": [300, 30],
    "conversation.metrics.talkDuration": [120, 60],
    "conversation.metrics.holdDuration": [30, 10],
    "conversation.metrics.wrapUpDuration": [60, 20],
    "conversation.metrics.waitDuration": [20, 60],
}
OPERATORS = ["EQUAL", "NOTEQUAL", "GREATERTHAN", "GREATERTHANOREQUAL", "LESSTHAN",
             "LESSTHANOREQUAL"]  # fmt: skip


def kinds_of_predicate(client: GenesysClient) -> Iterator[tuple[str, str, list[str]]]:
    users = [u["name"] for u in client.list_users()][:2]
    for field, values in FIELDS.items():
        values = values or users
        numeric = isinstance(values[0], int)
        for operator in OPERATORS if numeric else OPERATORS[:2]:
            for combination in ("AND", "OR"):
                yield (
                    field,
                    f"{operator}/{combination}",
                    [
                        f"{{type: {operator}, field: {field}, value: {values[0]!r}}}",
                        "{type: EQUAL, field: conversation.channel, value: voice}",
                    ][: 2 if combination == "AND" or not numeric else 1],
                )


def test_every_field_and_operator_sends_valid_bodies(
    client: GenesysClient, sent: Sent, tmp_path: Path
) -> None:
    checked = 0
    for _, kind, predicates in kinds_of_predicate(client):
        combination = kind.split("/")[1]
        resource = segment(tmp_path, predicates, combination=combination)
        analytics = Analytics(client)
        try:
            preview(analytics, resource, WEEK)
        except NeedsDetails:
            pytest.fail(f"{kind} {predicates}: the aggregates query should count it")
        try:
            conversations(analytics, resource, WEEK, limit=2)
        except PreviewError as error:
            assert "cannot list an OR filter" in str(error)
        analytics.matched(resource.document.data["query"], WEEK, str)
        checked += 1
    assert checked > 40
    assert_valid(sent)
    assert any("views" in body for q, body, _ in sent if q == "aggregates")


def test_what_views_cannot_count_is_counted_with_valid_details_bodies(
    client: GenesysClient, sent: Sent, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        [
            "{type: EQUAL, field: conversation.direction, value: outbound}",
            "{type: LESSTHAN, field: conversation.metrics.waitDuration, value: 5}",
            "{type: GREATERTHAN, field: conversation.metrics.callDuration, value: 600}",
        ],
        combination="OR",
    )

    matched = Analytics(client).matched(resource.document.data["query"], WEEK, str)

    assert matched > 0
    assert [q for q, _, _ in sent] == ["details"]
    assert_valid(sent)
