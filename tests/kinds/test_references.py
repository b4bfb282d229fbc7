"""Names resolve to ids by exact match, never by the platform's prefix match, and a name that
several resources answer to is refused with their ids."""

from __future__ import annotations

import pytest

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import references
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id

LISTS = "/api/v2/outbound/contactlists"


@pytest.fixture
def live(client: GenesysClient) -> LiveState:
    return LiveState(client)


def test_a_name_resolves_to_the_one_resource_named_exactly_so(live: LiveState) -> None:
    assert references.ref(live, LISTS, "Primary Leads", "contact list") == {
        "id": entity_id("list", "Primary Leads")
    }
    assert references.problem(live, LISTS, "Primary", "contact list") == (
        "contact list 'Primary' does not exist in the org"
    )
    ident = entity_id("list", "Renewals Due")
    assert references.name_of(live, LISTS, {"id": ident}) == "Renewals Due"
    assert references.name_of(live, LISTS, {"id": "gone"}) is None


def test_a_name_several_resources_answer_to_is_refused_with_their_ids(
    live: LiveState, sandbox: Sandbox
) -> None:
    twin = dict(sandbox.state.contactLists[entity_id("list", "Primary Leads")], id="twin-id")
    sandbox.state.contactLists["twin-id"] = twin
    with pytest.raises(ReconcileError) as raised:
        references.ref(live, LISTS, "Primary Leads", "contact list")
    assert str(raised.value) == (
        f"2 contact lists are named 'Primary Leads' (ids {entity_id('list', 'Primary Leads')}, "
        "twin-id); rename all but one"
    )
