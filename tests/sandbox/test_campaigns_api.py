"""Campaigns as the real platform serves them: the SDK's shapes, PUT of the whole campaign,
PATCH of the runtime fields, start and stop, and the status machine (real-api.md §5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import PureCloudPlatformClientV2 as sdk
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.sandbox.server import SandboxServer
from tests.oracle import assert_conforms, sdk_client
from tests.sandbox.conftest import CREDENTIALS, Api, FakeClock

CAMPAIGNS = "/api/v2/outbound/campaigns"
EXTENSION = {"rules", "contactFilters", "indexStatus", "useOnlyOnce", "createdDate"}
FILTER = entity_id("filter", "Spring audience")


@pytest.fixture
def genesys(clock: FakeClock) -> Iterator[tuple[Sandbox, Api]]:
    """A sandbox serving only the real platform's API."""
    sandbox = Sandbox(clock=clock, api="genesys")
    with SandboxServer(sandbox) as server:
        api = Api(server.url)
        yield sandbox, api
        api.http.close()


def path_of(api: Api, name: str) -> str:
    return f"{CAMPAIGNS}/{api.named(CAMPAIGNS, name)['id']}"


def put(api: Api, path: str, **changes: Any) -> Any:
    """PUT the campaign as read, with `changes` over it."""
    body = {**api.get(path).json(), **changes}
    return api.request("PUT", path, json=body, params={"useMaxCallsPerAgentDecimal": "true"})


def status(api: Api, path: str) -> str:
    return str(api.get(path).json()["campaignStatus"])


def refusal(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["message"]


def test_campaigns_are_the_sdk_model_with_only_the_real_fields(
    genesys: tuple[Sandbox, Api],
) -> None:
    _, api = genesys
    listing = api.get(CAMPAIGNS, params={"pageSize": 100}).json()
    assert_conforms("CampaignEntityListing", listing)
    statuses = {c["name"]: c["campaignStatus"] for c in listing["entities"]}
    assert statuses == {
        "Holiday Promo": "off",
        "Lapsed Customer Win-Back": "off",
        "Policy Renewal Reminders": "off",
        "Spring Outreach": "on",
    }
    one = api.get(path_of(api, "Holiday Promo")).json()
    assert_conforms("Campaign", one)
    assert not EXTENSION & set(one)
    assert one["contactList"]["name"] == "Secondary Leads"


def test_the_demo_api_adds_the_extensions_fields(api: Api) -> None:
    one = api.get(path_of(api, "Spring Outreach")).json()
    assert set(one) >= EXTENSION
    assert one["campaignStatus"] == "on" and one["phoneColumns"][0]["columnName"] == "phone"


def test_a_put_writes_the_whole_campaign_with_the_live_version(
    genesys: tuple[Sandbox, Api],
) -> None:
    _, api = genesys
    holiday = path_of(api, "Holiday Promo")
    national = {"id": entity_id("dnclist", "National DNC")}
    answer = put(api, holiday, dncLists=[national], priority=2, callerName="Acme Deals")
    assert answer.status_code == 200, answer.text
    assert_conforms("Campaign", answer.json())
    read = api.get(holiday).json()
    assert (read["version"], read["priority"], read["callerName"]) == (2, 2, "Acme Deals")
    assert read["dncLists"] == [
        {**national, "name": "National DNC", "selfUri": read["dncLists"][0]["selfUri"]}
    ]
    stale = api.request("PUT", holiday, json={**read, "version": 1})
    assert stale.status_code == 400
    assert "does not match the current version" in stale.json()["message"]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"useOnlyOnce": True}, "useOnlyOnce", "field.unknown"),
        ({"callerName": None}, "callerName", "field.required"),
        ({"campaignStatus": None}, "campaignStatus", "field.required"),
        ({"dialingMode": "robocall"}, "dialingMode", "invalid.value"),
        ({"priority": 9}, "priority", "invalid.value"),
        (
            {"contactSorts": [{"fieldName": "age", "direction": "UP"}]},
            "contactSorts[0].direction",
            "invalid.value",
        ),
        ({"contactList": {"id": "nope"}}, "contactList", "reference.not.found"),
        ({"queue": {"id": "nope"}}, "queue", "reference.not.found"),
        ({"dncLists": [{"id": "nope"}]}, "dncLists[0]", "reference.not.found"),
        ({"callableTimeSet": {"id": "nope"}}, "callableTimeSet", "reference.not.found"),
        ({"ruleSets": [{"id": "nope"}]}, "ruleSets[0]", "reference.not.found"),
        ({"contactListFilters": [{"id": FILTER}]}, "contactListFilters[0]", "reference.not.found"),
    ],
    ids=[
        "extension-field",
        "no-caller-name",
        "no-status",
        "dialing-mode",
        "priority",
        "sort-direction",
        "contact-list",
        "queue",
        "dnc-list",
        "time-set",
        "rule-set",
        "filter",
    ],
)
def test_a_put_is_checked_like_the_platform(
    genesys: tuple[Sandbox, Api], changes: dict[str, Any], field: str, code: str
) -> None:
    _, api = genesys
    holiday = path_of(api, "Holiday Promo")
    answer = put(api, holiday, **changes)
    assert answer.status_code == 400, answer.text
    assert answer.json()["details"] == [{"fieldName": field, "errorCode": code}]
    assert api.get(holiday).json()["version"] == 1


def test_filters_and_rule_sets_the_org_holds_may_be_bound_one_filter_at_most(
    genesys: tuple[Sandbox, Api],
) -> None:
    sandbox, api = genesys
    rule_set = entity_id("ruleset", "Exclusions")
    sandbox.state.contactListFilters = {FILTER: {"id": FILTER, "name": "Spring audience"}}  # type: ignore[attr-defined]
    sandbox.state.ruleSets = {rule_set: {"id": rule_set, "name": "Exclusions"}}  # type: ignore[attr-defined]
    holiday = path_of(api, "Holiday Promo")
    two = put(api, holiday, contactListFilters=[{"id": FILTER}, {"id": FILTER}])
    assert refusal(two) == (400, "a campaign can only have one contact list filter")
    bound = put(api, holiday, contactListFilters=[{"id": FILTER}], ruleSets=[{"id": rule_set}])
    assert bound.status_code == 200, bound.text
    read = api.get(holiday).json()
    assert [f["name"] for f in read["contactListFilters"]] == ["Spring audience"]
    assert [r["name"] for r in read["ruleSets"]] == ["Exclusions"]


def test_a_running_campaign_refuses_what_needs_it_off_and_takes_the_rest(
    genesys: tuple[Sandbox, Api],
) -> None:
    sandbox, api = genesys
    sandbox.state.contactListFilters = {FILTER: {"id": FILTER, "name": "Spring audience"}}  # type: ignore[attr-defined]
    spring = path_of(api, "Spring Outreach")
    for changes in (
        {"contactListFilters": [{"id": FILTER}]},
        {"dialingMode": "power"},
        {"contactSorts": [{"fieldName": "age", "direction": "ASC", "numeric": True}]},
    ):
        answer = put(api, spring, **changes)
        assert answer.status_code == 400, answer.text
        assert answer.json()["details"][0]["errorCode"] == "campaign.running"
    taken = put(api, spring, abandonRate=4.5, dncLists=[], callerName="Acme Spring")
    assert taken.status_code == 200, taken.text
    assert (status(api, spring), api.get(spring).json()["abandonRate"]) == ("on", 4.5)


def test_stopping_passes_through_stopping_and_refuses_edits_meanwhile(
    genesys: tuple[Sandbox, Api], clock: FakeClock
) -> None:
    _, api = genesys
    api.admin("POST", "faults", {"stop_delay": 30})
    spring = path_of(api, "Spring Outreach")
    assert api.request("POST", f"{spring}/stop").status_code == 204
    assert status(api, spring) == "stopping"
    assert refusal(put(api, spring, priority=1)) == (
        400,
        "The campaign status is invalid and failed to update",
    )
    patched = api.patch(spring, {"outboundLineCount": 3})
    assert refusal(patched)[1] == "The campaign status is invalid and failed to update"
    clock.advance(31)
    assert status(api, spring) == "off"
    assert api.request("POST", f"{spring}/start").status_code == 204
    assert status(api, spring) == "on"
    assert put(api, spring, campaignStatus="off").status_code == 200  # a status PUT, as TF's
    assert status(api, spring) == "stopping"
    clock.advance(31)
    assert status(api, spring) == "off"


def test_a_complete_campaign_may_go_on_but_not_off(genesys: tuple[Sandbox, Api]) -> None:
    _, api = genesys
    holiday = path_of(api, "Holiday Promo")
    api.admin(
        "POST",
        "edit",
        {
            "resource": "campaigns",
            "name": "Holiday Promo",
            "action": "update",
            "set": {"campaignStatus": "complete"},
        },
    )
    assert refusal(put(api, holiday, campaignStatus="off")) == (
        400,
        "An attempt was made to update a Campaign in an invalid way. Details: Invalid "
        "transition from <COMPLETE> to <OFF>",
    )
    assert put(api, holiday, priority=1).status_code == 200  # the live `complete` sent back
    assert status(api, holiday) == "complete"
    assert api.request("POST", f"{holiday}/start").status_code == 204
    assert status(api, holiday) == "on"


def test_a_patch_request_changes_the_runtime_fields_in_both_apis(
    genesys: tuple[Sandbox, Api], api: Api
) -> None:
    for each in (genesys[1], api):
        holiday = path_of(each, "Holiday Promo")
        body = {"outboundLineCount": 4, "abandonRate": 2.5, "maxCallsPerAgent": 2}
        assert_conforms("CampaignPatchRequest", body)
        assert each.patch(holiday, body).status_code == 204
        read = each.get(holiday).json()
        assert (read["outboundLineCount"], read["abandonRate"], read["version"]) == (4, 2.5, 2)
    refused = genesys[1].patch(
        path_of(genesys[1], "Holiday Promo"), {"version": 2, "useOnlyOnce": True}
    )
    assert refused.status_code == 400
    assert refused.json()["details"][0]["errorCode"] == "field.unknown"


def test_the_sdk_drives_campaigns_as_a_client(clock: FakeClock) -> None:
    with SandboxServer(Sandbox(clock=clock, api="genesys")) as server:
        outbound = sdk.OutboundApi(sdk_client(server.url, CREDENTIALS))
        listing = outbound.get_outbound_campaigns(page_size=100)
        ident = next(c.id for c in listing.entities if c.name == "Holiday Promo")
        campaign = outbound.get_outbound_campaign(ident)
        campaign.priority = 1
        written = outbound.put_outbound_campaign(
            ident, campaign, use_max_calls_per_agent_decimal=True
        )
        assert (written.priority, written.version) == (1, 2)
        patch = sdk.CampaignPatchRequest()
        patch.outbound_line_count = 7
        outbound.patch_outbound_campaign(ident, patch)
        outbound.post_outbound_campaign_start(ident)
        assert outbound.get_outbound_campaign(ident).campaign_status == "on"
        outbound.post_outbound_campaign_stop(ident)
        clock.advance(1)
        after = outbound.get_outbound_campaign(ident)
        assert (after.campaign_status, after.outbound_line_count) == ("off", 7)
        progress = outbound.get_outbound_campaign_progress(ident)
        assert progress.total_number_of_contacts == 19_877


def test_a_state_file_of_the_first_format_gains_the_real_campaign_fields(
    tmp_path: Path, clock: FakeClock
) -> None:
    state = tmp_path / "org.json"
    Sandbox(state_file=state, clock=clock)
    older = json.loads(state.read_text("utf-8"))
    older["formatVersion"] = 1
    real = ("contactList", "queue", "phoneColumns", "callerName", "campaignStatus", "dncLists")
    for campaign in older["campaigns"]:
        for name in (*real, "callerAddress", "contactListFilters", "ruleSets", "errors"):
            campaign.pop(name, None)
    state.write_text(json.dumps(older), "utf-8")
    with SandboxServer(Sandbox(state_file=state, clock=clock, api="genesys")) as server:
        api = Api(server.url)
        listing = api.get(CAMPAIGNS).json()
    assert_conforms("CampaignEntityListing", listing)
    lists = {c["name"]: c["contactList"]["name"] for c in listing["entities"]}
    assert lists["Lapsed Customer Win-Back"] == "Lapsed Customers"
