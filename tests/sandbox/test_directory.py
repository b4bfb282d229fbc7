"""What the org holds that the reconciler only reads, served as the real platform serves it:
checked against the official SDK's models, and read by the SDK itself as a client."""

from __future__ import annotations

import json
from pathlib import Path

import PureCloudPlatformClientV2 as sdk
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer
from tests.oracle import assert_conforms, sdk_client
from tests.sandbox.conftest import CREDENTIALS, Api

READ_ONLY = [
    ("/api/v2/outbound/contactlists", "ContactList"),
    ("/api/v2/outbound/dnclists", "DncList"),
    ("/api/v2/outbound/callabletimesets", "CallableTimeSet"),
    ("/api/v2/routing/wrapupcodes", "WrapupCode"),
]


@pytest.mark.parametrize(("path", "model"), READ_ONLY)
def test_listings_and_entities_are_the_sdk_models(api: Api, path: str, model: str) -> None:
    listing = api.get(path, params={"pageSize": 100}).json()
    assert listing["total"] >= 2
    assert_conforms(f"{model}EntityListing", listing)
    one = api.get(f"{path}/{listing['entities'][0]['id']}")
    assert one.status_code == 200
    assert_conforms(model, one.json())


def test_a_name_selects_by_prefix_unless_the_filter_type_says_otherwise(api: Api) -> None:
    path = "/api/v2/outbound/contactlists"

    def names(**query: str) -> list[str]:
        return [e["name"] for e in api.get(path, params=query).json()["entities"]]

    assert names(name="Primary") == ["Primary Leads"]
    assert names(name="Primary", filterType="Equals") == []
    assert names(name="Leads", filterType="EndsWith") == ["Primary Leads", "Secondary Leads"]
    assert api.get(path, params={"filterType": "Fuzzy"}).status_code == 400


def test_the_sdk_reads_the_contact_lists_as_a_client(server: SandboxServer) -> None:
    outbound = sdk.OutboundApi(sdk_client(server.url, CREDENTIALS))
    listing = outbound.get_outbound_contactlists(page_size=100)
    lists = {e.name: e for e in listing.entities}
    assert sorted(lists) == ["Lapsed Customers", "Primary Leads", "Renewals Due", "Secondary Leads"]
    primary = outbound.get_outbound_contactlist(lists["Primary Leads"].id)
    assert primary.phone_columns[0].column_name in primary.column_names
    types = {s.column_name: s.column_data_type for s in primary.column_data_type_specifications}
    assert types["age"] == "NUMERIC"


def test_only_the_real_platforms_routes_are_served_with_the_genesys_api(clock) -> None:
    with SandboxServer(Sandbox(clock=clock, api="genesys")) as server:
        api = Api(server.url)
        assert api.get("/api/v2/analytics/segments").status_code == 404
        assert api.get("/api/v2/outbound/lists").status_code == 404
        assert api.get("/api/v2/outbound/contactlists").status_code == 200


def test_a_state_file_of_the_first_format_gains_the_real_collections(tmp_path: Path, clock) -> None:
    state = tmp_path / "org.json"
    Sandbox(state_file=state, clock=clock)
    older = json.loads(state.read_text("utf-8"))
    older["formatVersion"] = 1
    for name in ("dncLists", "callableTimeSets", "wrapupCodes"):
        del older[name]
    older["segments"] = older["segments"][:1]  # a change of the user's, which must survive
    state.write_text(json.dumps(older), "utf-8")
    with SandboxServer(Sandbox(state_file=state, clock=clock)) as server:
        api = Api(server.url)
        assert api.get("/api/v2/outbound/dnclists").json()["total"] == 2
        assert api.get("/api/v2/analytics/segments").json()["total"] == 1
    assert json.loads(state.read_text("utf-8"))["formatVersion"] == 2
