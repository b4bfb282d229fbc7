"""Contact list filters and their preview, as the real platform serves them: every body
checked against the official SDK's models, the SDK itself as a client, the platform's refusals,
and preview counts computed on the list's contacts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import PureCloudPlatformClientV2 as sdk
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.sandbox.server import SandboxServer
from tests.oracle import assert_conforms, sdk_client
from tests.sandbox.conftest import CREDENTIALS, Api

FILTERS = "/api/v2/outbound/contactlistfilters"
PREVIEW = f"{FILTERS}/preview"
SECONDARY = entity_id("list", "Secondary Leads")


def predicate(column: str, operator: str, **more: Any) -> dict[str, Any]:
    kind = "numeric" if column in ("age", "engagement_score", "recently_contacted") else None
    return {"column": column, "columnType": kind or "alphabetic", "operator": operator, **more}


def between(column: str, low: int, high: int) -> dict[str, Any]:
    bounds = {"min": str(low), "max": str(high), "minInclusive": True, "maxInclusive": True}
    return predicate(column, "BETWEEN", range=bounds)


def a_filter(*predicates: dict[str, Any], name: str = "Promo", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "contactList": {"id": SECONDARY},
        "clauses": [{"predicates": list(predicates)}],
        **more,
    }


def counts(api: Api, body: dict[str, Any]) -> tuple[int, int]:
    answer = api.post(PREVIEW, body)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert_conforms("FilterPreviewResponse", found)
    return found["filteredContacts"], found["totalContacts"]


def test_served_filters_are_the_sdk_models(api: Api) -> None:
    listing = api.get(FILTERS).json()
    assert_conforms("ContactListFilterEntityListing", listing)
    assert [e["name"] for e in listing["entities"]] == ["Old Spring test", "Renewals audience"]
    made = api.post(FILTERS, a_filter(between("age", 25, 55)))
    assert made.status_code == 200, made.text
    assert_conforms("ContactListFilter", made.json())
    assert_conforms("ContactListFilter", api.get(f"{FILTERS}/{made.json()['id']}").json())
    previewed = api.post(PREVIEW, a_filter(between("age", 25, 55))).json()
    assert 0 < len(previewed["preview"]) <= 10
    for contact in previewed["preview"]:
        assert_conforms("DialerContact", contact)
        assert set(contact["data"]) >= {"phone", "age", "region", "last_purchase"}
        assert all(isinstance(v, str) for v in contact["data"].values())


def test_the_server_fills_defaults_and_reads_the_list_back_by_name(api: Api) -> None:
    made = api.post(FILTERS, a_filter(predicate("region", "EQUALS", value="CA"))).json()
    assert (made["sourceType"], made["filterType"], made["version"]) == ("ContactList", "AND", 1)
    assert made["clauses"][0]["filterType"] == "AND"
    assert made["clauses"][0]["predicates"][0]["inverted"] is False
    assert made["contactList"]["name"] == "Secondary Leads"


def test_listings_select_by_name_and_contact_list(api: Api) -> None:
    api.post(FILTERS, a_filter(between("age", 25, 55), name="Old Spring test 2"))

    def names(**query: str) -> list[str]:
        return [e["name"] for e in api.get(FILTERS, params=query).json()["entities"]]

    assert names(name="Old Spring") == ["Old Spring test", "Old Spring test 2"]
    assert names(name="Old Spring test", filterType="Equals") == ["Old Spring test"]
    assert names(contactListId=SECONDARY) == ["Old Spring test 2"]


def test_the_sdk_creates_reads_lists_updates_previews_and_deletes(server: SandboxServer) -> None:
    outbound = sdk.OutboundApi(sdk_client(server.url, CREDENTIALS))
    body = sdk.ContactListFilter()
    body.name = "Made by the SDK"
    body.contact_list = sdk.DomainEntityRef()
    body.contact_list.id = SECONDARY
    clause = sdk.ContactListFilterClause()
    clause.predicates = [sdk.ContactListFilterPredicate()]
    clause.predicates[0].column = "engagement_score"
    clause.predicates[0].column_type = "numeric"
    clause.predicates[0].operator = "GREATER_THAN_EQUALS"
    clause.predicates[0].value = "50"
    body.clauses = [clause]
    made = outbound.post_outbound_contactlistfilters(body)
    assert (made.version, made.filter_type, made.contact_list.name) == (1, "AND", "Secondary Leads")
    assert outbound.get_outbound_contactlistfilter(made.id).name == "Made by the SDK"
    listing = outbound.get_outbound_contactlistfilters(name="Made by", contact_list_id=SECONDARY)
    assert [e.id for e in listing.entities] == [made.id]
    made.name = "Renamed by the SDK"
    updated = outbound.put_outbound_contactlistfilter(made.id, made)
    assert (updated.name, updated.version) == ("Renamed by the SDK", 2)
    previewed = outbound.post_outbound_contactlistfilters_preview(body)
    assert 0 < previewed.filtered_contacts < previewed.total_contacts
    retrieve = sdk.ContactListFilterBulkRetrieveBody()
    retrieve.ids = [made.id, "no-such-filter"]
    bulk = outbound.post_outbound_contactlistfilters_bulk_retrieve(retrieve)
    assert [e.name for e in bulk.entities] == ["Renamed by the SDK"]
    outbound.delete_outbound_contactlistfilter(made.id)
    assert outbound.get_outbound_contactlistfilters(name="Renamed").total == 0


def test_bulk_retrieve_answers_the_listing_model(api: Api) -> None:
    ids = [e["id"] for e in api.get(FILTERS).json()["entities"]]
    answer = api.post(f"{FILTERS}/bulk/retrieve", {"ids": ids})
    assert answer.status_code == 200, answer.text
    assert_conforms("ContactListFilterEntityListing", answer.json())
    assert len(answer.json()["entities"]) == 2
    assert api.post(f"{FILTERS}/bulk/retrieve", {}).status_code == 400


def eleven() -> dict[str, Any]:
    return a_filter(*[between("age", 20 + i, 60) for i in range(11)])


@pytest.mark.parametrize(
    ("body", "field", "error_code"),
    [
        (a_filter(between("age", 1, 2), colour="red"), "colour", "field.unknown"),
        (a_filter(between("age", 1, 2), filterType="XOR"), "filterType", "invalid.value"),
        (a_filter(predicate("age", "ABOUT", value="3")), "clauses[0].predicates[0].operator", None),
        (a_filter(predicate("age", "EQUALS", value="3", columnType="date")), None, None),
        ({k: v for k, v in a_filter(between("age", 1, 2)).items() if k != "name"}, "name", None),
        ({**a_filter(between("age", 1, 2)), "contactList": None}, "contactList", None),
        ({**a_filter(between("age", 1, 2)), "contactList": {"id": "nope"}}, "contactList.id", None),
        (a_filter(predicate("age", "BETWEEN", range={"min": "1"})), None, "field.required"),
        (a_filter(predicate("region", "IN")), "clauses[0].predicates[0].range.inSet", None),
        (eleven(), "clauses", "predicates.limit.exceeded"),
        (a_filter(predicate("tenure", "EQUALS", value="3")), None, "column.not.found"),
        (a_filter(), "clauses[0].predicates", "field.required"),
    ],
    ids=[
        "unknown-field",
        "bad-filter-type",
        "bad-operator",
        "bad-column-type",
        "no-name",
        "no-contact-list",
        "unknown-contact-list",
        "between-without-max",
        "in-without-set",
        "eleven-predicates",
        "unknown-column",
        "empty-clause",
    ],
)
def test_the_platforms_refusals(
    api: Api, body: dict[str, Any], field: str | None, error_code: str | None
) -> None:
    answer = api.post(FILTERS, body)
    assert answer.status_code == 400, answer.text
    assert_conforms("ErrorBody", answer.json())
    detail = answer.json()["details"][0]
    assert field is None or detail["fieldName"] == field
    assert error_code is None or detail["errorCode"] == error_code
    if field != "name":  # a preview needs no name
        assert api.post(PREVIEW, body).status_code == 400
    assert api.get(FILTERS).json()["total"] == 2  # nothing half-made


def test_a_taken_name_is_a_conflict(api: Api) -> None:
    answer = api.post(FILTERS, a_filter(between("age", 1, 99), name="Renewals audience"))
    assert (answer.status_code, answer.json()["code"]) == (409, "duplicate.name")


def test_a_put_needs_the_live_version(api: Api) -> None:
    made = api.post(FILTERS, a_filter(between("age", 25, 55))).json()
    path = f"{FILTERS}/{made['id']}"
    missing = api.request("PUT", path, json={k: v for k, v in made.items() if k != "version"})
    assert missing.status_code == 400
    assert api.request("PUT", path, json={**made, "name": "Promo 2"}).status_code == 200
    stale = api.request("PUT", path, json={**made, "name": "Promo 3"})
    assert stale.status_code == 400
    assert "does not match the current version" in stale.json()["message"]
    assert api.get(path).json()["name"] == "Promo 2"
    assert_conforms("ContactListFilter", api.get(path).json())


def test_a_filter_a_campaign_uses_cannot_be_deleted(api: Api, sandbox: Sandbox) -> None:
    made = api.post(FILTERS, a_filter(between("age", 25, 55))).json()
    campaign = next(iter(sandbox.state.campaigns.values()))
    campaign["contactListFilters"] = [{"id": made["id"]}]
    refused = api.delete(f"{FILTERS}/{made['id']}")
    assert refused.status_code == 400
    assert campaign["name"] in refused.json()["message"]
    campaign["contactListFilters"] = []
    assert api.delete(f"{FILTERS}/{made['id']}").status_code == 204
    assert api.get(f"{FILTERS}/{made['id']}").status_code == 404


def test_preview_counts_follow_the_predicates(api: Api) -> None:
    wide, total = counts(api, a_filter(between("age", 25, 55)))
    narrow, _ = counts(api, a_filter(between("age", 30, 40)))
    assert 0 < narrow < wide < total
    both, _ = counts(api, a_filter(between("age", 25, 55), between("engagement_score", 50, 100)))
    assert both < wide
    either = a_filter(between("age", 25, 55), between("engagement_score", 50, 100))
    either["clauses"][0]["filterType"] = "OR"
    assert counts(api, either)[0] > wide
    west, _ = counts(api, a_filter(predicate("region", "IN", range={"inSet": ["NW", "CA"]})))
    nw, _ = counts(api, a_filter(predicate("region", "EQUALS", value="NW")))
    assert 0 < nw < west


def test_an_inverted_predicate_selects_the_complement_among_non_empty_values(api: Api) -> None:
    flagged = a_filter(predicate("do_not_call", "EQUALS", value="true"))
    inverted = copy.deepcopy(flagged)
    inverted["clauses"][0]["predicates"][0]["inverted"] = True
    set_flags = a_filter(predicate("do_not_call", "IN", range={"inSet": ["true", "false"]}))
    yes, total = counts(api, flagged)
    no, _ = counts(api, inverted)
    non_empty, _ = counts(api, set_flags)
    assert 0 < yes < no and yes + no == non_empty < total  # empty flags: in neither


def test_relative_dates_count_against_the_org_clock(api: Api) -> None:
    recent = a_filter(predicate("last_purchase", "AFTER", value="P-90DT00H00M"))
    older = a_filter(predicate("last_purchase", "AFTER", value="P-365DT00H00M"))
    before = a_filter(predicate("last_purchase", "BEFORE", value="P-365DT00H00M"))
    last_90, total = counts(api, recent)
    last_365, _ = counts(api, older)
    earlier, _ = counts(api, before)
    assert 0 < last_90 < last_365 < total
    assert last_365 + earlier < total  # contacts who never purchased are in neither


def test_contacts_are_the_same_for_a_seed(clock: Any) -> None:
    def first_rows(seed: int) -> str:
        with SandboxServer(Sandbox(clock=clock, seed=seed)) as server:
            api = Api(server.url)
            found = api.post(PREVIEW, a_filter(between("age", 18, 80))).json()["preview"]
            api.http.close()
            return json.dumps(found)

    assert first_rows(1) == first_rows(1) != first_rows(2)


def test_a_state_file_of_the_first_format_gains_the_demo_filters(
    tmp_path: Path, clock: Any
) -> None:
    state = tmp_path / "org.json"
    Sandbox(state_file=state, clock=clock)
    older = json.loads(state.read_text("utf-8"))
    older["formatVersion"] = 1
    del older["contactListFilters"]
    state.write_text(json.dumps(older), "utf-8")
    with SandboxServer(Sandbox(state_file=state, clock=clock)) as server:
        api = Api(server.url)
        assert api.get(FILTERS).json()["total"] == 2
        api.http.close()


def test_filters_are_served_with_the_real_platforms_api_only(clock: Any) -> None:
    with SandboxServer(Sandbox(clock=clock, api="genesys")) as server:
        api = Api(server.url)
        assert api.get(FILTERS).json()["total"] == 2
        assert counts(api, a_filter(between("age", 18, 80)))[1] > 0
        api.http.close()


def test_a_filter_made_in_the_console_is_the_sdk_model(api: Api) -> None:
    old = api.get(FILTERS, params={"name": "Old Spring test"}).json()["entities"][0]
    made = {k: old[k] for k in ("sourceType", "contactList", "filterType", "clauses")}
    api.admin(
        "POST",
        "edit",
        {"resource": "contactListFilters", "action": "create", "set": {**made, "name": "Console"}},
    )
    console = api.get(FILTERS, params={"name": "Console"}).json()["entities"][0]
    assert_conforms("ContactListFilter", console)
    assert console["dateCreated"] == console["dateModified"]
