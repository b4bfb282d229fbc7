"""An audit trail that cannot be written stops apply: before the first write to the org when it
fails at once, and before the next change when it fails on the way."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit, AuditUnwritable
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import validate
from tests.apply.test_apply import audit_lines, pending
from tests.genesys.conftest import make_client
from tests.processes import reconcile, served
from tests.sandbox.conftest import FakeClock

NO_SPACE = "No space left on device"


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


def test_an_unwritable_audit_trail_stops_apply_before_any_write(run, repo: Path) -> None:
    result = run("apply", "--sandbox", "--auto-approve", "--audit-log", "/dev/full")
    assert result.code == 1
    assert result.err == f"error: cannot write the audit trail /dev/full: {NO_SPACE}\n"
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 2  # nothing was applied


def test_an_audit_trail_failing_mid_run_starts_no_more_changes(
    repo: Path, client: GenesysClient, clock: FakeClock
) -> None:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    plan = make_plan(report.resources, live)
    with Audit(repo / "audit.jsonl") as audit:

        def disk_fills_up(line: str) -> None:  # after the first change is on record
            full = os.open("/dev/full", os.O_WRONLY)
            os.dup2(full, audit.handle.fileno())
            os.close(full)

        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        applier.progress = disk_fills_up
        ran = applier.run(plan)
    assert isinstance(ran.stopped, AuditUnwritable)
    assert str(ran.stopped) == f"cannot write the audit trail {repo / 'audit.jsonl'}: {NO_SPACE}"
    assert [(o.change.name, o.status) for o in ran.outcomes] == [
        ("Chat Wrap-Up Over a Minute", "applied")
    ]
    assert [c.name for c in ran.not_started] == [
        "Long Holds in Support",
        "Voice Calls Over 5 Minutes Q3",
        "Holiday Promo audience",
        "Renewals audience",
        "Lapsed Customer Win-Back",
        "Spring Outreach",
        "Holiday Promo exclusions",
        "Holiday Promo",
        "Returning mobile visitors from paid search",
    ]
    assert len(pending(client)) == 9  # nothing was sent without its intent on record
    events = [(e["event"], e.get("name")) for e in audit_lines(repo)]
    assert events == [
        ("change.intent", "Chat Wrap-Up Over a Minute"),
        ("change.result", "Chat Wrap-Up Over a Minute"),
    ]


def test_an_audit_trail_filling_up_mid_apply_is_one_line_and_exit_1(repo: Path) -> None:
    audit = repo / "audit.jsonl"

    def small_files() -> None:  # room for run.start and a line or two, as a nearly full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (700, 700))

    with served() as env:
        apply = reconcile(
            env, "apply", "--auto-approve", "--audit-log", str(audit), preexec_fn=small_files
        )
        assert apply.returncode == 1
        assert apply.stderr.endswith(
            f"error: cannot write the audit trail {audit}: File too large\n"
        )
        assert "Traceback" not in apply.stderr
        assert "  not started: CampaignSegmentation 'Spring Outreach'\n" in apply.stdout
        again = reconcile(env, "apply", "--auto-approve", "--audit-log", str(repo / "next.jsonl"))
        assert again.returncode == 0, again.stderr
        assert reconcile(env, "plan", "--detailed-exitcode").returncode == 0
