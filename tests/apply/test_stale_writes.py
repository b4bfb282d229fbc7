"""A write refused as stale in the words the real APIs use, not only the sandbox's own code."""

from __future__ import annotations

from pathlib import Path

import pytest

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.sandbox.demo import entity_id
from tests.apply.test_apply import apply_repo, pending
from tests.sandbox.conftest import Api, FakeClock

SEGMENT = "Voice Calls Over 5 Minutes Q3"
SEGMENT_PATH = f"/api/v2/analytics/segments/{entity_id('segment', SEGMENT)}"


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "bad.request"), (409, "conflict")],
)
def test_a_write_refused_for_its_version_in_words_is_read_again_and_retried(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, status: int, code: str
) -> None:
    refusal = {
        "action": "status",
        "method": "PATCH",
        "path": SEGMENT_PATH,
        "status": status,
        "code": code,
        "message": "The version supplied (1) does not match the current version",
    }
    admin.admin("POST", "faults", {"script": [refusal]})
    outcomes = {o.change.name: (o.status, o.detail) for o in apply_repo(repo, client, clock)}
    assert outcomes[SEGMENT] == ("applied", "")
    assert admin.counts()["PATCH /api/v2/analytics/segments/{id}"] >= 2
    assert pending(client) == []


def test_a_refusal_that_is_not_about_the_version_is_not_retried(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    refusal = {
        "action": "status",
        "method": "PATCH",
        "path": SEGMENT_PATH,
        "status": 400,
        "code": "bad.request",
        "message": "The query is not valid",
    }
    admin.admin("POST", "faults", {"script": [refusal]})
    outcomes = {o.change.name: (o.status, o.detail) for o in apply_repo(repo, client, clock)}
    assert outcomes[SEGMENT][0] == "failed"
    assert "The query is not valid" in outcomes[SEGMENT][1]
