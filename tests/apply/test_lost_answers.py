"""Writes whose answer was lost after the server applied them: apply reads the resource again
and records what the org now holds, instead of failing a change that happened."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.ownership import Ownership
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import validate
from tests.apply.test_apply import audit_lines
from tests.conftest import own
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import Api, FakeClock

CAMPAIGNS = "/api/v2/outbound/campaigns"

SEGMENT = "/api/v2/analytics/segments/{id}"
CAMPAIGN = "/api/v2/outbound/campaigns/{id}"
LOST = "the answer was lost or the write refused; reading it again found the change made"


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


def apply_announcing(
    repo: Path, client: GenesysClient, clock: FakeClock, receiver: Api, prune: bool = False
) -> list[Outcome]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    plan = make_plan(report.resources, live, prune=prune, ownership=Ownership.load(settings.root))
    with Audit(repo / "audit.jsonl") as audit:
        hooks = Webhooks(f"{receiver.url}/_sandbox/webhooks", Secret("hook"), audit).start()
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        applier.webhooks = hooks
        try:
            return applier.run(plan).outcomes
        finally:
            hooks.close()


def pending(client: GenesysClient, prune: bool = False) -> list[str]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    return [
        f"{c.kind} {c.name}"
        for c in make_plan(
            report.resources, live, prune=prune, ownership=Ownership.load(settings.root)
        ).changes
    ]


def announced(receiver: Api) -> list[tuple[str, str]]:
    events = [json.loads(d["body"]) for d in receiver.admin("GET", "webhooks")["deliveries"]]
    return [(e["type"], e["resource"]["name"]) for e in events]


def result_of(repo: Path, name: str) -> dict[str, Any]:
    return next(e for e in audit_lines(repo) if e["event"] == "change.result" and e["name"] == name)


def lose_answers(admin: Api, method: str, path: str, **faults: Any) -> None:
    script = [{"action": "drop-after", "method": method, "path": path}]
    admin.admin("POST", "faults", {"script": script, **faults})


def test_an_update_whose_answer_was_lost_is_applied_and_announced(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, receiver: Api
) -> None:
    lose_answers(admin, "PATCH", SEGMENT)
    outcomes = apply_announcing(repo, client, clock, receiver)
    assert [(o.change.name, o.status) for o in outcomes if not o.ok] == []
    # The write happened once; its retry met the new version and was refused.
    assert admin.counts()[f"PATCH {SEGMENT}"] == 2
    assert pending(client) == []
    result = result_of(repo, "Voice Calls Over 5 Minutes Q3")
    assert (result["outcome"], result["detail"]) == ("applied", LOST)
    assert result["versionAfter"] == result["versionBefore"] + 1
    assert ("change.update", "Voice Calls Over 5 Minutes Q3") in announced(receiver)


@pytest.mark.parametrize("index_delay", [0, 30], ids=["version-mismatch", "rebuilding"])
def test_a_campaign_update_whose_answer_was_lost_is_applied_once_its_index_is_ready(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    receiver: Api,
    index_delay: int,
) -> None:
    # The retry meets either the new version or the rebuild the lost write started.
    lose_answers(admin, "PATCH", CAMPAIGN, index_delay=index_delay)
    outcomes = apply_announcing(repo, client, clock, receiver)
    assert [(o.change.name, o.status) for o in outcomes if not o.ok] == []
    assert admin.counts()[f"PATCH {CAMPAIGN}"] == 3  # two campaigns, one write retried
    assert pending(client) == []
    assert result_of(repo, "Lapsed Customer Win-Back")["detail"] == LOST
    waits = [e["outcome"] for e in audit_lines(repo) if e["event"] == "settle.wait"]
    assert set(waits) <= {"ready"}
    assert {c["indexStatus"] for c in client.list_all(CAMPAIGNS)} == {"ready"}
    assert ("change.update", "Lapsed Customer Win-Back") in announced(receiver)


def test_a_delete_whose_answer_was_lost_is_applied_and_announced(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, receiver: Api
) -> None:
    lose_answers(admin, "DELETE", SEGMENT)
    own(repo)
    outcomes = apply_announcing(repo, client, clock, receiver, prune=True)
    deleted = [(o.change.name, o.status) for o in outcomes if o.change.action.value == "delete"]
    assert deleted == [
        ("Spring sale browsers", "applied"),
        ("Visitors from Ireland", "applied"),
        ("Legacy wrap-up retries", "applied"),
        ("Old Spring test", "applied"),
        ("Abandoned Callbacks", "applied"),
    ]
    assert all(o.ok for o in outcomes)
    assert pending(client, prune=True) == []
    assert result_of(repo, "Abandoned Callbacks")["detail"] == LOST
    assert ("change.delete", "Abandoned Callbacks") in announced(receiver)
