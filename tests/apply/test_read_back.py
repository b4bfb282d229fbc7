"""Apply reads the org back after writing: what it applied must still be there, as planned,
including after the sandbox restarted between runs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.run import apply_plan
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.plan.run import Selection, planned
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import Api, FakeClock


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


class DeletedOnceWritten(Progress):
    """Someone in the admin console deleting resources as soon as apply has written them."""

    def __init__(self, admin: Api, deletions: dict[str, str]) -> None:
        super().__init__(5, io.StringIO(), live=False)
        self.admin, self.deletions = admin, deletions

    def finished(self, outcome: Outcome) -> None:
        super().finished(outcome)
        for name, resource in self.deletions.items():
            if outcome.change.name == name and outcome.status == "applied":
                edit = {"resource": resource, "action": "delete", "name": name}
                self.admin.admin("POST", "edit", edit)


def test_an_applied_resource_that_vanished_is_a_read_back_mismatch(
    repo: Path, client: GenesysClient, admin: Api
) -> None:
    config = load_settings()
    progress = DeletedOnceWritten(
        admin, {"Long Holds in Support": "segments", "Spring Outreach": "campaigns"}
    )
    result = apply_plan(
        config,
        client,
        planned(config, client),
        Selection(),
        repo / "audit.jsonl",
        settle_timeout=60,
        secret=None,
        progress=progress,
    )
    assert all(o.ok for o in result.outcomes) and not result.ok
    assert result.read_back() == [
        "read back: AnalyticsSegment 'Long Holds in Support' no longer exists",
        "read back: CampaignSegmentation 'Spring Outreach' no longer exists",
    ]
    lines = (repo / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1]) | {"readBackMismatches": 2} == json.loads(lines[-1])


def test_resources_created_before_a_sandbox_restart_survive_creates_after_it(
    run, repo: Path
) -> None:
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    short = (repo / "segments/short-voice-calls.yaml").read_text(encoding="utf-8")
    (repo / "segments/very-short-voice-calls.yaml").write_text(
        short.replace("Short Voice Calls", "Very Short Voice Calls"), encoding="utf-8"
    )
    second = run("apply", "--sandbox", "--auto-approve")  # a new embedded sandbox, same state
    assert second.code == 0, second.err
    assert second.out.endswith(
        "Apply: 1 created, 0 updated, 0 deleted, 0 failed.\n"
        "reconcile.owned.yaml records 1 new resource; commit it.\n"
    )
    again = run("plan", "--sandbox", "--detailed-exitcode")
    assert again.code == 0, again.out
