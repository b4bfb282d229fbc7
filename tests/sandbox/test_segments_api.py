"""Analytics segments over HTTP: listing, create, read, PATCH with versions, delete, and the
server's own validation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.manifest.yaml import load_file
from tests.conftest import ROOT
from tests.sandbox.conftest import Api, FakeClock

BASE = "/api/v2/analytics/segments"
SEGMENT: dict[str, Any] = {
    "name": "Transfers",
    "description": "Calls that were transferred",
    "type": "conversation",
    "query": {
        "timeGroup": "day",
        "timeWindow": {"start": "2024-07-01T00:00:00Z", "end": "2024-07-31T00:00:00Z"},
        "filter": {
            "type": "AND",
            "predicates": [{"type": "EQUAL", "field": "conversation.channel", "value": "voice"}],
        },
        "aggregations": [{"type": "AVG", "field": "conversation.metrics.talkDuration"}],
        "groupBy": ["queue.name"],
    },
}


def test_listing_pages_with_the_genesys_envelope(api: Api) -> None:
    first = api.get(BASE, params={"pageSize": 2}).json()
    assert [e["name"] for e in first["entities"]] == ["Abandoned Callbacks", "Short Voice Calls"]
    assert {k: first[k] for k in ("pageSize", "pageNumber", "total", "pageCount")} == {
        "pageSize": 2,
        "pageNumber": 1,
        "total": 3,
        "pageCount": 2,
    }
    assert first["nextUri"] == f"{BASE}?pageSize=2&pageNumber=2" and "previousUri" not in first
    second = api.get(BASE, params={"pageSize": 2, "pageNumber": 2}).json()
    assert [e["name"] for e in second["entities"]] == ["Voice Calls Over 5 Minutes Q3"]
    assert "nextUri" not in second and second["previousUri"].endswith("pageNumber=1")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pageSize": 101}, "pageSize"),
        ({"pageNumber": 0}, "pageNumber"),
        ({"pageSize": "x"}, "pageSize"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(
    api: Api, params: dict[str, Any], field: str
) -> None:
    answer = api.get(BASE, params=params)
    assert answer.status_code == 400 and answer.json()["details"][0]["fieldName"] == field


def test_create_read_and_duplicate_name(api: Api) -> None:
    created = api.post(BASE, SEGMENT)
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["selfUri"] == f"{BASE}/{body['id']}"
    assert body["createdDate"] == body["modifiedDate"] == "2025-06-15T15:06:40.000Z"
    assert {k: body[k] for k in SEGMENT} == SEGMENT
    assert api.get(f"{BASE}/{body['id']}").json() == body
    again = api.post(BASE, SEGMENT)
    assert (again.status_code, again.json()["code"]) == (409, "duplicate.name")


def _changed(path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(SEGMENT)
    target = body
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return body


@pytest.mark.parametrize(
    ("body", "field", "error_code"),
    [
        (_changed("query.groupBy", ["queue.nmae"]), "query.groupBy[0]", "field.unknown"),
        (
            _changed("query.aggregations", [{"type": "COUNT", "field": "queue.name"}] * 21),
            "query.aggregations",
            "aggregations.limit.exceeded",
        ),
        (
            _changed("query.timeWindow.end", "2025-01-01T00:00:00Z"),
            "query.timeWindow.end",
            "time.window.too.long",
        ),
        (
            _changed("query.timeWindow.end", "2024-06-01T00:00:00Z"),
            "query.timeWindow.end",
            "time.window.invalid",
        ),
        (
            _changed("query.filter.predicates.0.type", "GREATERTHAN"),
            "query.filter.predicates[0].type",
            "invalid.value",
        ),
        (
            _changed("query.filter.predicates.0.value", 5),
            "query.filter.predicates[0].value",
            "type.mismatch",
        ),
        (
            _changed("query.aggregations.0.type", "MEDIAN"),
            "query.aggregations[0].type",
            "invalid.value",
        ),
        (
            _changed("query.groupBy", ["conversation.metrics.talkDuration"]),
            "query.groupBy[0]",
            "invalid.value",
        ),
        (_changed("colour", "red"), "colour", "field.unknown"),
        (
            _changed("query.timeWindow.start", "yesterday"),
            "query.timeWindow.start",
            "invalid.value",
        ),
    ],
    ids=[
        "unknown-field",
        "aggregations",
        "window-long",
        "window-backwards",
        "operator",
        "value-type",
        "statistic",
        "group-metric",
        "body-field",
        "instant",
    ],
)
def test_the_server_refuses_what_validate_must_catch(
    api: Api, body: dict[str, Any], field: str, error_code: str
) -> None:
    answer = api.post(BASE, body)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["code"] == "bad.request"
    assert error["details"] == [{"fieldName": field, "errorCode": error_code}]


@pytest.mark.parametrize(
    "example", sorted((ROOT / "segments").glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_example_segment_is_accepted_by_the_server(api: Api, example: Path) -> None:
    body = {k: v for k, v in load_file(example).data.items() if k != "kind"}
    body["name"] += " (copy)"
    answer = api.post(BASE, body)
    assert answer.status_code == 201, answer.text


def test_patch_needs_the_current_version_and_bumps_it(api: Api, clock: FakeClock) -> None:
    segment = api.named(BASE, "Short Voice Calls")
    path = f"{BASE}/{segment['id']}"
    missing = api.patch(path, {"description": "x"})
    assert (missing.status_code, missing.json()["details"][0]["fieldName"]) == (400, "version")
    clock.advance(60)
    changed = api.patch(path, {"version": 1, "description": "Misroutes"})
    assert changed.status_code == 200
    assert (changed.json()["version"], changed.json()["description"]) == (2, "Misroutes")
    assert changed.json()["modifiedDate"] > changed.json()["createdDate"]
    stale = api.patch(path, {"version": 1, "description": "lost update"})
    assert (stale.status_code, stale.json()["code"]) == (409, "version.mismatch")
    taken = api.patch(path, {"version": 2, "name": "Abandoned Callbacks"})
    assert (taken.status_code, taken.json()["code"]) == (409, "duplicate.name")
    assert api.get(path).json()["description"] == "Misroutes"


def test_a_patch_is_validated_as_a_whole(api: Api) -> None:
    segment = api.named(BASE, "Short Voice Calls")
    answer = api.patch(f"{BASE}/{segment['id']}", {"version": 1, "query": {"timeGroup": "day"}})
    assert answer.json()["details"][0]["fieldName"] == "query.timeWindow"


def test_delete_is_final_and_may_be_conditional(api: Api) -> None:
    segment = api.named(BASE, "Abandoned Callbacks")
    path = f"{BASE}/{segment['id']}"
    assert api.delete(path, params={"version": 7}).status_code == 409
    assert api.delete(path, params={"version": 1}).status_code == 204
    assert api.get(path).status_code == 404
    assert api.delete(path).status_code == 404


def test_unknown_paths_and_methods(api: Api) -> None:
    assert api.get("/api/v2/nothing").json()["code"] == "not.found"
    assert api.request("PUT", f"{BASE}/x", json={}).status_code == 405
    assert (
        api.post(
            BASE, None, content=b"{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )


def test_oversized_bodies_are_refused(api: Api) -> None:
    huge = dict(SEGMENT, description="x" * 512_001)
    answer = api.post(BASE, huge)
    assert (answer.status_code, answer.json()["code"]) == (413, "request.entity.too.large")
