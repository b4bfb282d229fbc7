"""Queues, agents and the analytics queries, over HTTP."""

from __future__ import annotations

from tests.sandbox.conftest import Api

AGGREGATES = "/api/v2/analytics/conversations/aggregates/query"
DETAILS = "/api/v2/analytics/conversations/details/query"
WEEK = "2024-07-01T00:00:00.000Z/2024-07-08T00:00:00.000Z"


def test_queues_and_agents_are_listed_with_paging(api: Api) -> None:
    queues = api.get("/api/v2/routing/queues").json()
    assert [q["name"] for q in queues["entities"]] == [
        "Billing",
        "Collections",
        "Retention",
        "Sales",
        "Support",
    ]
    users = api.get("/api/v2/users", params={"pageSize": 5}).json()
    assert (users["total"], users["pageCount"], len(users["entities"])) == (8, 2, 5)


def test_aggregates_group_the_demo_queues_by_media_type(api: Api) -> None:
    body = {
        "interval": WEEK,
        "groupBy": ["queueId", "mediaType"],
        "metrics": ["nOffered", "tHandle"],
    }
    answer = api.post(AGGREGATES, body)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    queue_ids = {q["id"] for q in api.get("/api/v2/routing/queues").json()["entities"]}
    assert {r["group"]["queueId"] for r in results} == queue_ids
    offered = sum(
        m["stats"]["count"]
        for r in results
        for d in r["data"]
        for m in d["metrics"]
        if m["metric"] == "nOffered"
    )
    details = api.post(DETAILS, {"interval": WEEK, "paging": {"pageSize": 1}}).json()
    assert offered == details["totalHits"] > 0  # both count every conversation of the week


def test_the_same_query_gives_the_same_answer(api: Api) -> None:
    body = {"interval": WEEK, "granularity": "P1D", "metrics": ["tAbandon", "tWait"]}
    assert api.post(AGGREGATES, body).json() == api.post(AGGREGATES, body).json()


def test_analytics_needs_a_token_and_a_valid_body(api: Api) -> None:
    assert (
        api.http.post(AGGREGATES, json={"interval": WEEK, "metrics": ["nOffered"]}).status_code
        == 401
    )
    answer = api.post(AGGREGATES, {"interval": WEEK, "metrics": ["nOfferred"]})
    assert answer.status_code == 400
    assert answer.json()["details"] == [{"fieldName": "metrics[0]", "errorCode": "invalid.value"}]
    too_long = api.post(DETAILS, {"interval": "2024-07-01T00:00:00Z/2024-09-01T00:00:00Z"})
    assert (too_long.status_code, too_long.json()["details"][0]["fieldName"]) == (400, "interval")
