"""A kind the org does not serve (its listing is a 404, as analytics segments are on a real
org): plan and apply say so once, name its files, leave them out and go on with the rest;
preview still runs those files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from genesys_reconcile.sandbox.faults import FaultSettings
from genesys_reconcile.sandbox.server import SandboxServer

SEGMENTS = "/api/v2/analytics/segments"
NOTICE = "AnalyticsSegment: this org serves no /api/v2/analytics/segments (404)"


def serve(app: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("GENESYS_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("GENESYS_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    with SandboxServer(app) as running:
        monkeypatch.setenv("GENESYS_API_URL", running.url)
        monkeypatch.setenv("GENESYS_LOGIN_URL", running.url)
        yield app


@pytest.fixture
def real_org(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The real platform's API (no analytics segments), and a repository of segments only:
    the example campaign segmentation reads contact lists that only the demo serves."""
    (repo / "reconcile.yaml").write_text("paths: [segments]\n", encoding="utf-8")
    yield from serve(Sandbox(api="genesys"), monkeypatch)


@pytest.fixture
def demo_without_segments(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The demo org, whose segments listing answers 404: the campaigns still plan and apply."""
    missing = {"method": "GET", "path": SEGMENTS, "action": "status", "status": 404,
               "code": "not.found", "times": 1000}  # fmt: skip
    yield from serve(Sandbox(faults=FaultSettings().updated({"script": [missing]})), monkeypatch)


def segment_files(repo: Path) -> list[str]:
    return sorted(str(p.relative_to(repo)) for p in (repo / "segments").glob("*.yaml"))


def assert_said_once(err: str, repo: Path) -> None:
    lines = [line for line in err.splitlines() if line.startswith(NOTICE)]
    assert len(lines) == 1, err
    for name in segment_files(repo):
        assert name in lines[0]


def test_plan_on_a_real_org_leaves_segments_out(run, repo: Path, real_org: Sandbox) -> None:
    result = run("plan", "--detailed-exitcode")

    assert result.code == 0, result.err  # nothing else to change
    assert_said_once(result.err, repo)
    assert "AnalyticsSegment" not in result.out


def test_apply_on_a_real_org_leaves_segments_out(run, repo: Path, real_org: Sandbox) -> None:
    result = run("apply", "--auto-approve")

    assert result.code == 0, result.err
    assert_said_once(result.err, repo)
    assert not any(e["method"] == "POST" and e["path"] == SEGMENTS for e in real_org.journal)


def test_preview_runs_segment_files_on_a_real_org(run, repo: Path, real_org: Sandbox) -> None:
    result = run("preview", "segments/short-voice-calls.yaml", "--format", "json")

    assert result.code == 0, result.err
    assert '"abandoned"' in result.out


def test_the_other_kinds_still_plan_and_apply(
    run, repo: Path, demo_without_segments: Sandbox
) -> None:
    planned = run("plan", "--detailed-exitcode")
    assert planned.code == 2, planned.err
    assert_said_once(planned.err, repo)
    assert "CampaignSegmentation" in planned.out and "AnalyticsSegment" not in planned.out

    applied = run("apply", "--auto-approve")
    assert applied.code == 0, applied.err
    assert_said_once(applied.err, repo)
    assert run("plan", "--detailed-exitcode").code == 0
