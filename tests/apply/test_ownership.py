"""Apply keeps reconcile.owned.yaml: what it creates becomes the repository's own (even when
other changes of the run fail), and what it deletes is forgotten; the summary says to commit
the record."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.run import apply_plan
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.ownership import FILE_NAME, Ownership
from genesys_reconcile.plan.model import Action
from genesys_reconcile.plan.run import Selection, planned
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from tests.conftest import ROOT, own
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import Api, FakeClock

SEGMENTS = "/api/v2/analytics/segments"
CREATED = [("AnalyticsSegment", "Long Holds in Support"), ("RuleSet", "Holiday Promo exclusions")]


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


def forget(repo: Path, pairs: list[tuple[str, str]]) -> None:
    record = Ownership.load(repo)
    assert record.forget(pairs) == sorted(pairs)
    record.save()


def test_apply_records_what_it_creates_and_says_to_commit_the_record(run, repo: Path) -> None:
    forget(repo, CREATED)
    result = run("apply", "--sandbox", "--auto-approve")
    assert result.code == 0, result.err
    assert result.out.endswith(
        "Apply: 4 created, 6 updated, 0 deleted, 0 failed.\n"
        "reconcile.owned.yaml records 2 new resources; commit it.\n"
    )
    # The very bytes of the example repository's record, which lists what its files declare.
    assert (repo / FILE_NAME).read_bytes() == (ROOT / FILE_NAME).read_bytes()
    again = run("apply", "--sandbox", "--auto-approve")
    assert "reconcile.owned.yaml" not in again.out


def test_apply_forgets_what_it_deletes(run, repo: Path) -> None:
    own(repo, (("AnalyticsSegment", "Abandoned Callbacks"),))
    result = run("apply", "--sandbox", "--auto-approve", "--prune")
    assert result.code == 0, result.err
    assert result.out.endswith(
        "Apply: 4 created, 6 updated, 1 deleted, 0 failed.\n"
        "reconcile.owned.yaml forgets 1 deleted resource; commit it.\n"
    )
    record = Ownership.load(repo)
    assert not record.owns("AnalyticsSegment", "Abandoned Callbacks")
    assert (repo / FILE_NAME).read_bytes() == (ROOT / FILE_NAME).read_bytes()


def test_what_a_failing_run_created_is_recorded(
    repo: Path, client: GenesysClient, admin: Api
) -> None:
    forget(repo, [("AnalyticsSegment", "Chat Wrap-Up Over a Minute"), *CREATED])
    refusal = {"action": "status", "status": 400, "method": "POST", "path": SEGMENTS, "times": 1}
    admin.admin("POST", "faults", {"script": [refusal]})
    config = load_settings()
    result = apply_plan(
        config,
        client,
        planned(config, client),
        Selection(),
        repo / "audit.jsonl",
        settle_timeout=60,
        secret=None,
        progress=Progress(9, io.StringIO(), live=False),
    )
    creates = [o for o in result.outcomes if o.change.action is Action.CREATE]
    failed = [(o.change.kind, o.change.name) for o in creates if not o.ok]
    made = [(o.change.kind, o.change.name) for o in creates if o.ok]
    assert len(failed) == 1 and failed[0][0] == "AnalyticsSegment"
    record = Ownership.load(repo)
    assert all(record.owns(*pair) for pair in made)
    assert not record.owns(*failed[0])
    assert result.owned == "reconcile.owned.yaml records 2 new resources; commit it."
