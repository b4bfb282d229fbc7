"""A campaign whose index rebuild failed does not match its file, whatever its fields say: plan
shows it as a change, with the reason, and apply writes it again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.embedded import STATE_FILE
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.sandbox.state import save
from tests.apply.test_apply import apply_repo, pending
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import Api, FakeClock

CAMPAIGNS = [
    "CampaignSegmentation Lapsed Customer Win-Back",
    "CampaignSegmentation Spring Outreach",
]
CAMPAIGN_PATH = "/api/v2/outbound/campaigns"
INDEX_ERROR = "Index rebuild failed: contact list index could not be built"
REASON = f"index rebuild failed: {INDEX_ERROR}; apply writes it again"


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


def test_a_failed_rebuild_stays_a_change_until_apply_repairs_it(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    admin.admin("POST", "faults", {"index_delay": 1, "index_failure_rate": 1})
    failed = [(o.change.name, o.status) for o in apply_repo(repo, client, clock) if not o.ok]
    assert failed == [("Lapsed Customer Win-Back", "failed"), ("Spring Outreach", "failed")]
    admin.admin("POST", "faults", {"index_failure_rate": 0})
    assert pending(client) == CAMPAIGNS  # the rules were written, the index never built
    outcomes = apply_repo(repo, client, clock)
    assert [(o.change.name, o.status) for o in outcomes] == [
        ("Lapsed Customer Win-Back", "applied"),
        ("Spring Outreach", "applied"),
    ]
    assert pending(client) == []
    assert {c["indexStatus"] for c in client.list_all(CAMPAIGN_PATH)} == {"ready"}


def fail_index(repo: Path, name: str) -> None:
    """The org as it is when a campaign's last rebuild failed after its rules were written."""
    org = Sandbox(state_file=repo / STATE_FILE)
    campaign = next(c for c in org.state.campaigns.values() if c["name"] == name)
    campaign.update(indexStatus="failed", indexError=INDEX_ERROR)
    save(org.state, repo / STATE_FILE)


def test_plan_shows_a_failed_rebuild_with_its_reason_and_apply_repairs_it(run, repo: Path) -> None:
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    fail_index(repo, "Spring Outreach")
    plan = run("plan", "--sandbox", "--detailed-exitcode")
    assert plan.code == 2
    assert plan.out.startswith(
        '~ CampaignSegmentation "Spring Outreach" will be updated in place  '
        "(campaigns/spring-outreach.yaml:3:1)\n"
        f"    reason: {REASON}\n"
    )
    assert "Plan: 0 to create, 1 to update, 0 to delete." in plan.out
    markdown = run("plan", "--sandbox", "--format", "markdown").out
    assert f"Reason: {REASON}" in markdown and "```diff" not in markdown  # no field differs
    document = json.loads(run("plan", "--sandbox", "--format", "json").out)
    schema = json.loads((repo / "schemas/plan.schema.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    assert [(c["name"], c["fields"], c["reason"]) for c in document["changes"]] == [
        ("Spring Outreach", [], REASON)
    ]
    assert run("plan", "--sandbox", "--out", "plan.json").code == 0
    applied = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert applied.code == 0, applied.err
    assert f"    reason: {REASON}\n" in applied.out  # the saved plan keeps it
    assert applied.out.endswith("Apply: 0 created, 1 updated, 0 deleted, 0 failed.\n")
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 0
