"""Journey segments, served as the real platform serves them: every body the SDK's models, the
SDK itself as a client, inactive segments listed only when asked for, and each refusal a 400
(a stale version a 409) in the platform's error body."""

from __future__ import annotations

import copy
import json
from typing import Any

import PureCloudPlatformClientV2 as sdk
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.ids import entity_id
from genesys_reconcile.sandbox.server import SandboxServer
from tests.oracle import assert_conforms, sdk_client
from tests.sandbox.conftest import CREDENTIALS, Api

BASE = "/api/v2/journey/segments"
MOBILE = entity_id("journeysegment", "Returning mobile visitors from paid search")
ACTIVE = ["Returning mobile visitors from paid search", "Visitors from Ireland"]


def request_body(**more: Any) -> dict[str, Any]:
    """The specification's validated `JourneySegmentRequest`."""
    return {
        "displayName": "Desktop visitors who searched",
        "description": "Searched the help pages from a desktop",
        "color": "#008000",
        "isActive": True,
        "shouldDisplayToAgent": True,
        "context": {
            "patterns": [
                {
                    "criteria": [
                        {
                            "key": "device.category",
                            "values": ["desktop"],
                            "operator": "equal",
                            "shouldIgnoreCase": True,
                            "entityType": "visit",
                        }
                    ]
                }
            ]
        },
        "journey": {
            "patterns": [
                {
                    "criteria": [
                        {
                            "key": "searchQuery",
                            "values": ["help"],
                            "operator": "containsAny",
                            "shouldIgnoreCase": True,
                        }
                    ],
                    "count": 2,
                    "streamType": "Web",
                    "sessionType": "web",
                }
            ]
        },
        "assignmentExpirationDays": 30,
        **more,
    }


def names(listing: dict[str, Any]) -> list[str]:
    return sorted(e["displayName"] for e in listing["entities"])


def created(api: Api, sent: dict[str, Any]) -> dict[str, Any]:
    assert_conforms("JourneySegmentRequest", sent)
    answer = api.post(BASE, sent)
    assert answer.status_code == 200, answer.text
    assert_conforms("JourneySegment", answer.json())
    made: dict[str, Any] = answer.json()
    return made


def test_listings_are_the_sdk_models_and_hold_inactive_segments_only_when_asked(
    api: Api,
) -> None:
    active = api.get(BASE, params={"pageSize": 100}).json()
    assert_conforms("SegmentListing", active)
    assert names(active) == ACTIVE
    assert names(api.get(BASE, params={"isActive": "true"}).json()) == ACTIVE
    inactive = api.get(BASE, params={"isActive": "false"}).json()
    assert_conforms("SegmentListing", inactive)
    assert names(inactive) == ["Spring sale browsers"]
    assert inactive["entities"][0]["isActive"] is False
    one = api.get(f"{BASE}/{MOBILE}").json()
    assert_conforms("JourneySegment", one)
    assert one["displayName"] == ACTIVE[0]
    assert api.get(f"{BASE}/{entity_id('journeysegment', 'nothing')}").status_code == 404
    wrong = api.get(BASE, params={"isActive": "maybe"})
    assert wrong.status_code == 400
    assert_conforms("ErrorBody", wrong.json())


def test_a_listing_pages_by_the_platforms_envelope(api: Api) -> None:
    for n in range(3):
        created(api, request_body(displayName=f"Paged {n}"))
    first = api.get(BASE, params={"pageSize": 2}).json()
    second = api.get(BASE, params={"pageSize": 2, "pageNumber": 2}).json()
    assert (first["total"], first["pageCount"]) == (5, 3)
    assert len({e["id"] for e in first["entities"] + second["entities"]}) == 4


def test_a_create_fills_the_servers_defaults_and_a_second_of_one_name_is_refused(
    api: Api,
) -> None:
    made = created(api, {"displayName": "Bare"})
    assert made["isActive"] is True
    assert made["shouldDisplayToAgent"] is False
    assert made["context"] == {"patterns": []} and made["journey"] == {"patterns": []}
    assert made["version"] == 1 and made["scope"] in ("Session", "Customer")
    full = created(api, request_body())
    assert full["journey"] == request_body()["journey"]
    again = api.post(BASE, {"displayName": "Bare"})
    assert again.status_code == 400
    assert_conforms("ErrorBody", again.json())
    assert again.json()["details"][0]["fieldName"] == "displayName"


def test_a_patch_changes_what_it_names_clears_a_null_and_needs_the_live_version(
    api: Api,
) -> None:
    sent = {"version": 1, "isActive": False, "description": None}
    assert_conforms("PatchSegment", sent)
    answer = api.patch(f"{BASE}/{MOBILE}", sent)
    assert answer.status_code == 200, answer.text
    patched = answer.json()
    assert_conforms("JourneySegment", patched)
    assert (patched["isActive"], patched["version"]) == (False, 2)
    assert "description" not in patched
    assert patched["context"]["patterns"][0]["criteria"][0]["key"] == "device.category"
    stale = api.patch(f"{BASE}/{MOBILE}", {"version": 1, "color": "#000000"})
    assert stale.status_code == 409
    assert_conforms("ErrorBody", stale.json())
    assert "does not match" in stale.json()["message"]
    missing = api.patch(f"{BASE}/{MOBILE}", {"color": "#000000"})
    assert missing.status_code == 400
    assert missing.json()["details"][0]["fieldName"] == "version"
    assert api.get(f"{BASE}/{MOBILE}").json()["version"] == 2
    assert names(api.get(BASE, params={"isActive": "false"}).json()) == [
        ACTIVE[0],
        "Spring sale browsers",
    ]


def test_a_delete_removes_the_segment(api: Api) -> None:
    assert api.delete(f"{BASE}/{MOBILE}").status_code == 204
    assert api.get(f"{BASE}/{MOBILE}").status_code == 404
    assert api.delete(f"{BASE}/{MOBILE}").status_code == 404


def with_criterion(**fields: Any) -> dict[str, Any]:
    body = request_body()
    body["context"]["patterns"][0]["criteria"][0].update(fields)
    return body


def with_pattern(**fields: Any) -> dict[str, Any]:
    body = request_body()
    body["journey"]["patterns"][0].update(fields)
    return body


def without(*path: Any) -> dict[str, Any]:
    body = copy.deepcopy(request_body())
    container: Any = body
    for part in path[:-1]:
        container = container[part]
    del container[path[-1]]
    return body


REFUSED = {
    "unknown field": (request_body(name="x"), "name"),
    "unknown criterion field": (with_criterion(op="equal"), "context.patterns[0].criteria[0].op"),
    "operator": (with_criterion(operator="equals"), "context.patterns[0].criteria[0].operator"),
    "entity type": (
        with_criterion(entityType="page"),
        "context.patterns[0].criteria[0].entityType",
    ),
    "no entity type": (
        without("context", "patterns", 0, "criteria", 0, "entityType"),
        "context.patterns[0].criteria[0].entityType",
    ),
    "values as text": (with_criterion(values="mobile"), "context.patterns[0].criteria[0].values"),
    "stream type Custom": (with_pattern(streamType="Custom"), "journey.patterns[0].streamType"),
    "no count": (without("journey", "patterns", 0, "count"), "journey.patterns[0].count"),
    "no session type": (
        without("journey", "patterns", 0, "sessionType"),
        "journey.patterns[0].sessionType",
    ),
    "color": (request_body(color="green"), "color"),
    "negative expiry": (request_body(assignmentExpirationDays=-1), "assignmentExpirationDays"),
    "no name": (without("displayName"), "displayName"),
}


@pytest.mark.parametrize(("sent", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_each_invalid_body_is_refused_naming_its_field(
    api: Api, sent: dict[str, Any], field: str
) -> None:
    answers = [api.post(BASE, sent)]
    if field != "displayName":
        answers.append(api.patch(f"{BASE}/{MOBILE}", {**sent, "version": 1}))
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert_conforms("ErrorBody", answer.json())
        assert answer.json()["details"][0]["fieldName"] == field, answer.json()
    assert api.get(f"{BASE}/{MOBILE}").json()["version"] == 1


def test_the_sdk_creates_reads_lists_updates_and_deletes_as_a_client(server: SandboxServer) -> None:
    journey = sdk.JourneyApi(sdk_client(server.url, CREDENTIALS))
    criterion = sdk.RequestEntityTypeCriteria()
    criterion.key, criterion.values, criterion.entity_type = "browser.family", ["Firefox"], "visit"
    criterion.operator, criterion.should_ignore_case = "equal", True
    pattern = sdk.RequestContextPattern()
    pattern.criteria = [criterion]
    context = sdk.RequestContext()
    context.patterns = [pattern]
    new = sdk.JourneySegmentRequest()
    new.display_name, new.context, new.is_active = "Made by the SDK", context, True
    made = journey.post_journey_segments(body=new)
    assert made.version == 1 and made.context.patterns[0].criteria[0].key == "browser.family"
    read = journey.get_journey_segment(made.id)
    assert read.display_name == "Made by the SDK"
    listing = journey.get_journey_segments(page_size=100, is_active=True)
    assert "Made by the SDK" in [e.display_name for e in listing.entities]
    change = sdk.PatchSegment()
    change.version, change.display_name, change.is_active = 1, "Renamed by the SDK", False
    patched = journey.patch_journey_segment(made.id, body=change)
    assert (patched.display_name, patched.version, patched.is_active) == (
        "Renamed by the SDK",
        2,
        False,
    )
    inactive = journey.get_journey_segments(page_size=100, is_active=False)
    assert "Renamed by the SDK" in [e.display_name for e in inactive.entities]
    journey.delete_journey_segment(made.id)
    with pytest.raises(sdk.rest.ApiException) as gone:
        journey.get_journey_segment(made.id)
    assert gone.value.status == 404


def test_a_state_file_saved_before_journey_segments_gains_the_demos(tmp_path, clock) -> None:
    state = tmp_path / "org.json"
    Sandbox(state_file=state, clock=clock)
    for version in (2, 1):
        older = json.loads(state.read_text("utf-8"))
        older["formatVersion"] = version
        del older["journeySegments"]
        state.write_text(json.dumps(older), "utf-8")
        with SandboxServer(Sandbox(state_file=state, clock=clock)) as server:
            api = Api(server.url)
            listed = names(api.get(BASE).json()) + names(
                api.get(BASE, params={"isActive": "false"}).json()
            )
        assert listed == [*ACTIVE, "Spring sale browsers"]
        assert "journeySegments" in json.loads(state.read_text("utf-8"))


def test_the_genesys_api_serves_journey_segments(clock) -> None:
    with SandboxServer(Sandbox(clock=clock, api="genesys")) as server:
        api = Api(server.url)
        assert names(api.get(BASE).json()) == ACTIVE
        assert created(api, request_body())["displayName"] == "Desktop visitors who searched"
