"""Apply against the sandbox: convergence under faults, ambiguous creates, races, index
rebuilds, the audit trail, and confirmation."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import validate
from tests.apply.test_killed import KilledAfterFirstResult
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import Api, FakeClock

SEGMENTS = "/api/v2/analytics/segments"


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


def apply_repo(repo: Path, client: GenesysClient, clock: FakeClock) -> list[Outcome]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    assert not report.failed(), report.diagnostics
    plan = make_plan(report.resources, live)
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        return applier.run(plan).outcomes


def pending(client: GenesysClient) -> list[str]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    return [f"{c.kind} {c.name}" for c in make_plan(report.resources, live).changes]


def audit_lines(repo: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (repo / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def test_apply_converges_and_audits_one_intent_and_result_per_change(
    repo: Path, client: GenesysClient, clock: FakeClock
) -> None:
    outcomes = apply_repo(repo, client, clock)
    assert [(o.change.name, o.status) for o in outcomes] == [
        ("Chat Wrap-Up Over a Minute", "applied"),
        ("Long Holds in Support", "applied"),
        ("Voice Calls Over 5 Minutes Q3", "applied"),
        ("Holiday Promo audience", "applied"),
        ("Renewals audience", "applied"),
        ("Lapsed Customer Win-Back", "applied"),
        ("Spring Outreach", "applied"),
        ("Holiday Promo exclusions", "applied"),
        ("Holiday Promo", "applied"),
        ("Returning mobile visitors from paid search", "applied"),
    ]
    assert pending(client) == []
    events = [e["event"] for e in audit_lines(repo)]
    assert events.count("change.intent") == events.count("change.result") == 10
    results = [e for e in audit_lines(repo) if e["event"] == "change.result"]
    assert {r["httpStatus"] for r in results} == {200, 201}  # the write's, not a later read's
    assert all(len(r["correlationId"]) == 36 and r["versionAfter"] for r in results)
    assert events.count("settle.wait") == 2  # both campaigns rebuilt their index


def test_apply_converges_with_no_duplicates_under_errors_and_rate_limits(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    # Random 503s and a tight rate limit the server does not report (so the client meets its
    # 429s), plus one certain 503 on a write.
    script = [{"action": "status", "status": 503, "method": "PATCH"}]
    faults = {"error_rate": 0.2, "rate_limit": 60, "rate_limit_model": "bucket", "script": script}
    admin.admin("POST", "faults", faults)
    for _ in range(4):  # a create answered 5xx is ambiguous and fails; a re-run settles it
        outcomes = apply_repo(repo, client, clock)
        if all(o.ok for o in outcomes):
            break
    admin.admin("POST", "faults", {"error_rate": 0, "rate_limit": 0})
    assert pending(client) == []
    names = [s["name"] for s in client.list_all(SEGMENTS)]
    assert len(names) == len(set(names)) == 5
    statuses = {e["status"] for e in admin.admin("GET", "journal")["entries"]}
    assert {503, 429} <= statuses


def test_a_create_whose_answer_is_lost_is_adopted_not_repeated(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    admin.admin(
        "POST", "faults", {"script": [{"action": "drop-after", "method": "POST", "path": SEGMENTS}]}
    )
    outcomes = apply_repo(repo, client, clock)
    assert [
        o.status
        for o in outcomes
        if o.change.action.value == "create" and o.change.kind == "AnalyticsSegment"
    ] == ["adopted", "applied"]
    assert admin.counts()["POST /api/v2/analytics/segments"] == 2  # one per segment, none replayed
    assert pending(client) == []


def test_a_resource_changed_meanwhile_is_retried_only_if_the_change_still_holds(
    repo: Path, client: GenesysClient, clock: FakeClock, sandbox: Sandbox
) -> None:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    plan = make_plan(report.resources, live)
    segment = next(
        s for s in sandbox.state.segments.values() if s["name"] == "Voice Calls Over 5 Minutes Q3"
    )
    segment["version"] += 1  # a console edit that touched nothing this plan manages
    spring = next(c for c in sandbox.state.campaigns.values() if c["name"] == "Spring Outreach")
    spring.update(version=spring["version"] + 1, dialingMode="power")  # one that did
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        outcomes = applier.run(plan).outcomes
    status = {o.change.name: (o.status, o.detail) for o in outcomes}
    assert status["Voice Calls Over 5 Minutes Q3"] == ("applied", "")
    assert status["Spring Outreach"][0] == "stale"
    assert "changed since the plan (now version 2); plan again" in status["Spring Outreach"][1]
    assert status["Lapsed Customer Win-Back"] == ("applied", "")  # independent changes went on


def test_slow_index_rebuilds_are_waited_for_and_failed_ones_reported(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    admin.admin("POST", "faults", {"index_delay": 45})
    outcomes = apply_repo(repo, client, clock)
    assert all(o.ok for o in outcomes)
    waits = [e for e in audit_lines(repo) if e["event"] == "settle.wait"]
    assert len(waits) == 2 and all(w["seconds"] >= 45 and w["outcome"] == "ready" for w in waits)
    (repo / "campaigns/spring-outreach.yaml").write_text(
        (repo / "campaigns/spring-outreach.yaml")
        .read_text(encoding="utf-8")
        .replace("max: 55", "max: 60"),
        encoding="utf-8",
    )
    admin.admin("POST", "faults", {"index_delay": 1, "index_failure_rate": 1})
    failed = [o for o in apply_repo(repo, client, clock) if not o.ok]
    assert [(o.change.name, o.status) for o in failed] == [("Spring Outreach", "failed")]
    assert failed[0].detail.startswith("index rebuild failed: Index rebuild failed")


def test_the_audit_trail_holds_no_secret(
    repo: Path, client: GenesysClient, clock: FakeClock, sandbox: Sandbox
) -> None:
    from genesys_reconcile import redaction

    apply_repo(repo, client, clock)
    text = (repo / "audit.jsonl").read_text(encoding="utf-8")
    assert redaction._known and all(secret not in text for secret in redaction._known)
    assert all(token not in text for token in sandbox.tokens)


def test_cli_apply_refuses_to_prompt_without_a_terminal(
    run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    result = run("apply", "--sandbox")
    assert result.code == 1
    assert (
        result.err
        == "error: apply asks before changing the org, and there is no terminal; pass --auto-approve\n"
    )
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 2  # nothing was applied


def test_cli_apply_then_plan_shows_no_changes(run, repo: Path) -> None:
    result = run("apply", "--sandbox", "--auto-approve")
    assert result.code == 0, result.err
    assert result.out.endswith("Apply: 4 created, 6 updated, 0 deleted, 0 failed.\n")
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 0
    assert run("apply", "--sandbox", "--auto-approve").out.startswith("No changes.")
    events = [
        json.loads(line)["event"]
        for line in (repo / ".reconcile/audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert events[0] == "run.start" and events[-1] == "run.end"


def test_a_saved_plan_is_applied_exactly(run, repo: Path) -> None:
    assert run("plan", "--sandbox", "--out", "plan.json").code == 0
    result = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert result.code == 0, result.err
    assert result.out.endswith("Apply: 4 created, 6 updated, 0 deleted, 0 failed.\n")
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 0


def test_a_saved_plan_refuses_what_moved_and_only_that(run, repo: Path) -> None:
    from genesys_reconcile.sandbox.embedded import STATE_FILE
    from genesys_reconcile.sandbox.state import save

    run("plan", "--sandbox", "--out", "plan.json")
    org = Sandbox(state_file=repo / STATE_FILE)
    spring = next(c for c in org.state.campaigns.values() if c["name"] == "Spring Outreach")
    spring.update(version=2, useOnlyOnce=False)  # an out-of-band edit after the review
    save(org.state, repo / STATE_FILE)
    refused = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert refused.code == 1
    assert refused.err == (
        "refused: ~ CampaignSegmentation 'Spring Outreach': moved from version 1 to 2 since the plan\n"
        "error: 1 planned change(s) do not hold; nothing was applied (plan again, or --allow-partial to apply the rest)\n"
    )
    partial = run("apply", "plan.json", "--sandbox", "--auto-approve", "--allow-partial")
    # The rest is applied, yet the reviewed plan was not: the summary names what was refused.
    assert partial.code == 1, partial.err
    assert partial.out.endswith(
        "Apply: 4 created, 5 updated, 0 deleted, 0 failed.\n"
        "Refused: 1 change(s) of the saved plan were not applied.\n"
        "  refused: CampaignSegmentation 'Spring Outreach': moved from version 1 to 2 since the plan\n"
    )
    remaining = run("plan", "--sandbox")
    assert [line for line in remaining.out.splitlines() if line.startswith("~ ")] == [
        '~ CampaignSegmentation "Spring Outreach" will be updated in place  (campaigns/spring-outreach.yaml:3:1)'
    ]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda d: d | {"org": {"id": "0d7c0ffe-0000-4000-8000-000000000000", "name": "Other"}},
            "error: the plan was made for org 'Other' (id 0d7c0ffe-0000-4000-8000-000000000000), "
            "but the credentials are for org 'Sandbox ",
        ),
        (
            lambda d: d | {"changes": d["changes"][1:]},
            "error: plan.json was edited after it was made: its checksum does not match\n",
        ),
        (
            lambda d: d | {"formatVersion": 9},
            "error: plan.json is not a plan of format 2: at formatVersion: ",
        ),
    ],
    ids=["other-org", "edited", "format"],
)
def test_a_saved_plan_from_elsewhere_or_edited_is_refused(
    run, repo: Path, tamper: Any, message: str
) -> None:
    run("plan", "--sandbox", "--out", "plan.json")
    plan = json.loads((repo / "plan.json").read_text(encoding="utf-8"))
    (repo / "plan.json").write_text(json.dumps(tamper(plan)), encoding="utf-8")
    result = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert result.code == 1
    assert result.err.startswith(message)
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 2  # nothing was applied


def test_a_saved_plan_is_refused_when_the_files_changed_since(run, repo: Path) -> None:
    run("plan", "--sandbox", "--out", "plan.json")
    with (repo / "campaigns/spring-outreach.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# edited after review\n")
    result = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert (result.code, result.err) == (
        1,
        "error: the files changed since the plan was made; plan again\n",
    )


def test_an_apply_stopped_after_its_first_create_converges_when_run_again(
    run, repo: Path, client: GenesysClient, clock: FakeClock
) -> None:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    plan = make_plan(report.resources, live)
    with KilledAfterFirstResult(repo / "audit.jsonl") as audit:
        ran = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        ).run(plan)
    assert isinstance(ran.stopped, KeyboardInterrupt)
    assert (ran.outcomes[0].change.name, ran.outcomes[0].status) == (
        "Chat Wrap-Up Over a Minute",
        "unknown",  # stopped after its write: it took effect, unrecorded
    )
    assert pending(client) == [
        "AnalyticsSegment Long Holds in Support",
        "AnalyticsSegment Voice Calls Over 5 Minutes Q3",
        "ContactListFilter Holiday Promo audience",
        "ContactListFilter Renewals audience",
        "CampaignSegmentation Lapsed Customer Win-Back",
        "CampaignSegmentation Spring Outreach",
        "RuleSet Holiday Promo exclusions",
        "CampaignSettings Holiday Promo",
        "JourneySegment Returning mobile visitors from paid search",
    ]
    assert all(o.ok for o in apply_repo(repo, client, clock))
    assert pending(client) == []
    names = [s["name"] for s in client.list_all(SEGMENTS)]
    assert len(names) == len(set(names)) == 5


def test_apply_reports_progress_on_stderr(run, repo: Path) -> None:
    result = run("apply", "--sandbox", "--auto-approve")
    assert sorted(result.err.splitlines()) == [
        "+ AnalyticsSegment 'Chat Wrap-Up Over a Minute': applied",
        "+ AnalyticsSegment 'Long Holds in Support': applied",
        "+ ContactListFilter 'Holiday Promo audience': applied",
        "+ RuleSet 'Holiday Promo exclusions': applied",
        "~ AnalyticsSegment 'Voice Calls Over 5 Minutes Q3': applied",
        "~ CampaignSegmentation 'Lapsed Customer Win-Back': applied",
        "~ CampaignSegmentation 'Spring Outreach': applied",
        "~ CampaignSettings 'Holiday Promo': applied",
        "~ ContactListFilter 'Renewals audience': applied",
        "~ JourneySegment 'Returning mobile visitors from paid search': applied",
    ]


@pytest.mark.parametrize("flag", ["--settle-timeout", "--index-timeout"])
def test_the_settle_wait_is_bounded_by_either_spelling_and_audited_by_what_it_waits_for(
    run, repo: Path, flag: str
) -> None:
    assert run("apply", "--sandbox", "--auto-approve", flag, "30").code == 0
    waits = [e for e in audit_lines(repo / ".reconcile") if e["event"] == "settle.wait"]
    assert [(w["kind"], w["what"]) for w in waits] == 2 * [
        ("CampaignSegmentation", "index rebuild")
    ]


class InterruptedWhileSubmitting(ThreadPoolExecutor):
    """A pool interrupted (as by SIGTERM in the main thread) on its second submission: the
    moment between handing out one change and the next."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.submitted += 1
        if self.submitted == 2:
            raise KeyboardInterrupt
        return super().submit(fn, *args, **kwargs)


def test_an_interrupt_between_two_submissions_stops_the_run_instead_of_hanging_it(
    repo: Path, client: GenesysClient, clock: FakeClock
) -> None:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    plan = make_plan(report.resources, live)
    ran: list[Any] = []
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(client, live, report.resources, audit, clock=clock, sleep=clock.advance)
        applier.pool = InterruptedWhileSubmitting
        running = threading.Thread(target=lambda: ran.append(applier.run(plan)), daemon=True)
        running.start()
        running.join(timeout=30)  # a hang, not a slow run: it ends in well under a second
    assert not running.is_alive(), "the run hung waiting for a change it never started"
    assert isinstance(ran[0].stopped, KeyboardInterrupt)
    started = [o.change.name for o in ran[0].outcomes]
    assert len(started) == 1 and len(ran[0].not_started) == len(plan.changes) - 1
