"""The sandbox's analytics endpoints refuse what the platform refuses, in the platform's words,
and answer in the platform's shapes: both judged by the official SDK's models."""

from __future__ import annotations

import inspect
import re
from typing import Any

import PureCloudPlatformClientV2 as sdk
import pytest

from genesys_reconcile.sandbox.analytics import vocabulary
from tests.oracle import assert_conforms
from tests.sandbox.conftest import Api

AGGREGATES = "/api/v2/analytics/conversations/aggregates/query"
DETAILS = "/api/v2/analytics/conversations/details/query"
WEEK = "2024-07-01T00:00:00.000Z/2024-07-08T00:00:00.000Z"
DAY = "2024-07-01T00:00:00.000Z/2024-07-02T00:00:00.000Z"


def sdk_enum(model: str, attribute: str) -> set[str]:
    """The values an SDK model's enum setter allows."""
    source = inspect.getsource(getattr(getattr(sdk, model), attribute).fset)
    found = re.search(r"allowed_values = (\[.*?\])", source, re.S)
    assert found is not None, f"{model}.{attribute} is no enum in the SDK"
    values: list[str] = eval(found.group(1))
    return set(values)


@pytest.mark.parametrize(
    ("name", "model", "attribute"),
    [
        ("AGGREGATE_METRICS", "ConversationAggregationView", "target"),
        ("AGGREGATE_DIMENSIONS", "ConversationAggregateQueryPredicate", "dimension"),
        ("PREDICATE_TYPES", "ConversationAggregateQueryPredicate", "type"),
        ("OPERATORS", "ConversationAggregateQueryPredicate", "operator"),
        ("VIEW_FUNCTIONS", "ConversationAggregationView", "function"),
        ("CONVERSATION_DIMENSIONS", "ConversationDetailQueryPredicate", "dimension"),
        ("CONVERSATION_METRICS", "ConversationDetailQueryPredicate", "metric"),
        ("SEGMENT_DIMENSIONS", "SegmentDetailQueryPredicate", "dimension"),
        ("SEGMENT_METRICS", "SegmentDetailQueryPredicate", "metric"),
        ("ORDERS", "ConversationQuery", "order"),
        ("ORDER_BY", "ConversationQuery", "order_by"),
    ],
)
def test_the_sandbox_vocabulary_is_the_sdks(name: str, model: str, attribute: str) -> None:
    assert set(getattr(vocabulary, name)) == sdk_enum(model, attribute)


def refusal(api: Api, path: str, body: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    answer = api.post(path, body)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert_conforms("ErrorBody", error)
    assert (error["code"], error["status"]) == ("bad.request", 400)
    return error["message"], error["details"]


@pytest.mark.parametrize("metric", ["nAnswered", "nAbandon"])
def test_counts_that_are_no_aggregate_metric_are_refused(api: Api, metric: str) -> None:
    message, details = refusal(api, AGGREGATES, {"interval": WEEK, "metrics": [metric]})
    assert metric in message
    assert details[0]["fieldName"] == "metrics[0]"


def test_an_aggregates_filter_cannot_test_a_metric(api: Api) -> None:
    predicate = {"type": "metric", "metric": "tHandle", "range": {"gt": 300000}}
    body = {"interval": WEEK, "metrics": ["nOffered"], "filter": {"type": "and",
            "predicates": [predicate]}}  # fmt: skip
    message, details = refusal(api, AGGREGATES, body)
    assert "metric" in message
    assert details[0]["fieldName"] == "filter.predicates[0].metric"


def test_media_type_is_no_conversation_level_details_dimension(api: Api) -> None:
    predicate = {"type": "dimension", "dimension": "mediaType", "value": "voice"}
    body = {"interval": DAY, "conversationFilters": [{"type": "and", "predicates": [predicate]}]}
    message, details = refusal(api, DETAILS, body)
    assert "mediaType" in message
    assert details[0]["fieldName"] == "conversationFilters[0].predicates[0].dimension"
    segment = {"interval": DAY, "segmentFilters": [{"type": "and", "predicates": [predicate]}]}
    assert api.post(DETAILS, segment).status_code == 200


def test_wait_is_no_details_metric(api: Api) -> None:
    predicate = {"type": "metric", "metric": "tWait", "range": {"gte": 1000}}
    body = {"interval": DAY, "conversationFilters": [{"type": "and", "predicates": [predicate]}]}
    message, details = refusal(api, DETAILS, body)
    assert "tWait" in message
    assert details[0]["fieldName"] == "conversationFilters[0].predicates[0].metric"
    predicate["metric"] = "tAnswered"
    assert api.post(DETAILS, body).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"groupBy": ["queueName"]}, "groupBy[0]"),
        ({"granularity": "PT0H"}, "granularity"),
        ({"granularity": "hourly"}, "granularity"),
        ({"filter": {"type": "and", "predicates": [{"dimension": "queue", "value": "x"}]}},
         "filter.predicates[0].dimension"),
        ({"filter": {"type": "and", "predicates": [{"dimension": "queueId", "operator": "equals",
          "value": "x"}]}}, "filter.predicates[0].operator"),
        ({"filter": {"type": "xor", "predicates": []}}, "filter.type"),
        ({"views": [{"target": "nAnswered", "name": "v", "function": "rangeBound",
          "range": {"gte": 1}}]}, "views[0].target"),
        ({"views": [{"target": "tHandle", "name": "v", "function": "rangeBound",
          "range": {"gt": 1}}]}, "views[0].range.gt"),
        ({"views": [{"target": "tHandle", "name": "v", "function": "bucket",
          "range": {"gte": 1}}]}, "views[0].function"),
    ],
)  # fmt: skip
def test_the_aggregates_query_refuses_what_the_platform_refuses(
    api: Api, body: dict[str, Any], field: str
) -> None:
    _, details = refusal(api, AGGREGATES, {"interval": WEEK, "metrics": ["nOffered"], **body})
    assert details[0]["fieldName"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"segmentFilters": [{"type": "and", "predicates": [{"dimension": "queueName",
          "value": "x"}]}]}, "segmentFilters[0].predicates[0].dimension"),
        ({"segmentFilters": [{"type": "and", "predicates": [{"type": "metric",
          "metric": "tHandle", "range": {"gt": 1}}]}]}, "segmentFilters[0].predicates[0].metric"),
        ({"conversationFilters": [{"type": "and", "predicates": [{"dimension": "originatingDirection",
          "operator": "like", "value": "x"}]}]}, "conversationFilters[0].predicates[0].operator"),
        ({"order": "ascending"}, "order"),
    ],
)  # fmt: skip
def test_the_details_query_refuses_what_the_platform_refuses(
    api: Api, body: dict[str, Any], field: str
) -> None:
    _, details = refusal(api, DETAILS, {"interval": DAY, **body})
    assert details[0]["fieldName"] == field


def test_views_answer_as_the_platform_does(api: Api) -> None:
    views = [
        {"target": "tHandle", "name": "long", "function": "rangeBound", "range": {"gte": 300000}},
        {"target": "tHandle", "name": "short", "function": "rangeBound", "range": {"lt": 300000}},
    ]
    body = {"interval": WEEK, "groupBy": ["queueId"], "metrics": ["tHandle"], "views": views}
    assert_conforms("ConversationAggregationQuery", body)
    answer = api.post(AGGREGATES, body)
    assert answer.status_code == 200, answer.text
    assert_conforms("ConversationAggregateQueryResponse", answer.json())
    for result in answer.json()["results"]:
        for entry in result["data"]:
            handled = next(m for m in entry["metrics"] if m["metric"] == "tHandle")["stats"]
            by_name = {v["name"]: v["stats"] for v in entry.get("views", [])}
            parts = [by_name.get(n, {"count": 0, "sum": 0}) for n in ("long", "short")]
            assert sum(p["count"] for p in parts) == handled["count"]
            assert sum(p["sum"] for p in parts) == handled["sum"]
            assert all(v["min"] >= 300000 for n, v in by_name.items() if n == "long")


def test_details_answers_conform(api: Api) -> None:
    predicate = {"type": "metric", "metric": "tAbandon", "range": {"lt": 30000}}
    body = {
        "interval": DAY,
        "conversationFilters": [{"type": "or", "predicates": [predicate]}],
        "segmentFilters": [{"type": "and", "predicates": [{"dimension": "mediaType",
                            "value": "voice"}]}],
        "paging": {"pageSize": 5, "pageNumber": 1},
    }  # fmt: skip
    assert_conforms("ConversationQuery", body)
    answer = api.post(DETAILS, body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["totalHits"] > 0
    assert_conforms("AnalyticsConversationQueryResponse", answer.json())


@pytest.mark.parametrize(
    ("path", "field"),
    [(AGGREGATES, "limit"), (AGGREGATES, "queryType"), (DETAILS, "evaluationFilters")],
)
def test_platform_fields_the_sandbox_does_not_simulate_say_so(
    api: Api, path: str, field: str
) -> None:
    body = {"interval": DAY, "metrics": ["nOffered"]} if path == AGGREGATES else {"interval": DAY}
    message, details = refusal(api, path, {**body, field: 5})

    assert message == f"the sandbox does not simulate {field!r}"
    assert details[0]["fieldName"] == field
