"""Contact lists and campaigns: atomic PATCH of the segmentation fields, rule validation by a
real expression parser, and index rebuilds."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from genesys_reconcile.sandbox.demo import entity_id
from tests.sandbox.conftest import Api, FakeClock

CAMPAIGNS = "/api/v2/outbound/campaigns"
PRIMARY = entity_id("list", "Primary Leads")


def rule(kind: str, expression: str, action: str = "include") -> dict[str, Any]:
    return {
        "type": kind,
        "expression": expression,
        "filter": {"type": kind, "expression": expression},
        "actions": [{"type": action}],
    }


def rules(*contact: str) -> list[dict[str, Any]]:
    return [rule("list", f"listId = '{PRIMARY}'"), *(rule("contact", e) for e in contact)]


@pytest.fixture
def spring(api: Api) -> str:
    return f"{CAMPAIGNS}/{api.named(CAMPAIGNS, 'Spring Outreach')['id']}"


def test_contact_lists_carry_typed_attributes(api: Api) -> None:
    lists = api.get("/api/v2/outbound/lists").json()["entities"]
    assert [entry["name"] for entry in lists] == [
        "Lapsed Customers",
        "Primary Leads",
        "Renewals Due",
        "Secondary Leads",
    ]
    primary = api.get(f"/api/v2/outbound/lists/{PRIMARY}").json()
    assert {a["name"]: a["type"] for a in primary["attributes"]} == {
        "age": "number",
        "region": "string",
        "engagement_score": "number",
        "do_not_call": "boolean",
        "recently_contacted": "number",
        "last_purchase": "date",
    }


def test_a_patch_replaces_segmentation_and_rebuilds_the_index(
    api: Api, spring: str, clock: FakeClock
) -> None:
    api.admin("POST", "faults", {"index_delay": 30})
    new_rules = rules("age >= 25 AND age <= 55", "region = 'O''Brien'")
    answer = api.patch(
        spring,
        {
            "version": 1,
            "rules": new_rules,
            "contactFilters": new_rules,
            "dialingMode": "progressive",
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["version"], body["indexStatus"], body["dialingMode"]) == (
        2,
        "processing",
        "progressive",
    )
    assert body["rules"] == new_rules and body["useOnlyOnce"] is True  # untouched fields stay
    busy = api.patch(spring, {"version": 2, "useOnlyOnce": False})
    assert (busy.status_code, busy.json()["code"]) == (409, "index.rebuild.in.progress")
    clock.advance(29)
    assert api.get(spring).json()["indexStatus"] == "processing"
    clock.advance(1)
    assert api.get(spring).json()["indexStatus"] == "ready"
    assert api.patch(spring, {"version": 2, "useOnlyOnce": False}).status_code == 200


def test_a_failed_rebuild_says_why(api: Api, spring: str) -> None:
    api.admin("POST", "faults", {"index_failure_rate": 1})
    api.patch(spring, {"version": 1, "useOnlyOnce": False})
    campaign = api.get(spring).json()
    assert campaign["indexStatus"] == "failed"
    assert campaign["indexError"].startswith("Index rebuild failed")
    retried = api.patch(spring, {"version": 2, "useOnlyOnce": True})
    assert retried.status_code == 200 and "indexError" not in retried.json()


def test_only_segmentation_fields_may_be_patched(api: Api, spring: str) -> None:
    answer = api.patch(spring, {"version": 1, "name": "Renamed"})
    assert answer.json()["details"] == [{"fieldName": "name", "errorCode": "field.not.patchable"}]
    stale = api.patch(spring, {"version": 5, "useOnlyOnce": False})
    assert (stale.status_code, stale.json()["code"]) == (409, "version.mismatch")


@pytest.mark.parametrize(
    ("new_rules", "status", "field", "error_code"),
    [
        (rules(*["age > 1"] * 50), 400, "rules", "rules.limit.exceeded"),
        (rules("age > 1 OR " * 186 + "age > 1"), 422, "rules[1].expression", "expression.too.long"),
        (rules("age >"), 400, "rules[1].expression", "expression.syntax"),
        (rules("agee > 25"), 400, "rules[1].expression", "expression.attribute.unknown"),
        (rules("age > '25'"), 400, "rules[1].expression", "expression.type.mismatch"),
        (rules("region > 'NW'"), 400, "rules[1].expression", "expression.type.mismatch"),
        ([rule("list", "listId = 'nope'")], 400, "rules[0].expression", "list.not.found"),
        ([rule("contact", "age > 5")], 400, "rules", "rules.list.missing"),
        (
            [dict(rule("contact", "age > 5"), actions=[{"type": "dial"}])],
            400,
            "rules[0].actions[0].type",
            "invalid.value",
        ),
    ],
    ids=[
        "51-rules",
        "2049-characters",
        "syntax",
        "unknown-attribute",
        "literal-type",
        "operator-type",
        "unknown-list",
        "no-list-rule",
        "bad-action",
    ],
)
def test_rules_are_validated_like_the_platform(
    api: Api, spring: str, new_rules: list[dict[str, Any]], status: int, field: str, error_code: str
) -> None:
    answer = api.patch(spring, {"version": 1, "rules": new_rules})
    assert answer.status_code == status, answer.text
    assert answer.json()["details"] == [{"fieldName": field, "errorCode": error_code}]
    assert api.get(spring).json()["version"] == 1  # nothing half-applied


def test_an_attribute_must_exist_in_every_referenced_list(api: Api, spring: str) -> None:
    # Both demo lists have the same attributes; a list rule to a list lacking one would fail,
    # so check the message names the list it was checked against.
    answer = api.patch(spring, {"version": 1, "rules": rules("tenure > 3")})
    assert "(contact list 'Primary Leads')" in answer.json()["message"]


def test_parallel_patches_of_one_version_let_exactly_one_win(api: Api, spring: str) -> None:
    results: list[int] = []

    def patch(mode: str) -> None:
        with httpx.Client(base_url=api.url, timeout=10) as http:
            answer = http.patch(
                spring,
                json={"version": 1, "dialingMode": mode},
                headers={"Authorization": f"Bearer {api.token}"},
            )
            results.append(answer.status_code)

    threads = [
        threading.Thread(target=patch, args=(m,))
        for m in ["power", "preview", "progressive", "agentless"] * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [409] * 11
    assert api.get(spring).json()["version"] == 2
