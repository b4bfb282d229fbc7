"""Apply stopped by a signal, as CI cancels a job: what was started finishes and is recorded,
nothing more starts, the summary says what was left, and a re-run converges."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.processes import COMMAND, audit_events, reconcile, served, wait_for


def applying(env: dict[str, str], audit: Path) -> subprocess.Popen[str]:
    """`reconcile apply --auto-approve` started in the background, its audit trail at `audit`."""
    return subprocess.Popen(
        [*COMMAND, "apply", "--auto-approve", "--audit-log", str(audit)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["term", "int"]
)
def test_a_signal_mid_apply_finishes_what_started_and_records_it(
    repo: Path, signum: signal.Signals, code: int
) -> None:
    audit = repo / "audit.jsonl"
    with served("--latency", "300") as env:
        apply = applying(env, audit)
        wait_for(lambda: any(e["event"] == "change.intent" for e in audit_events(audit)))
        apply.send_signal(signum)
        out, err = apply.communicate(timeout=60)

        assert apply.returncode == code, err
        assert "Traceback" not in err
        assert err.endswith(f"error: interrupted by {signum.name}\n")
        summary = out[out.index("Apply: ") :]
        assert " not started." in summary.splitlines()[0]
        assert "  not started: CampaignSegmentation 'Spring Outreach'" in summary
        events = audit_events(audit)
        intents = [(e["kind"], e["name"]) for e in events if e["event"] == "change.intent"]
        results = [(e["kind"], e["name"]) for e in events if e["event"] == "change.result"]
        assert intents and sorted(intents) == sorted(results)
        assert len(intents) < 10  # the campaigns were never started
        assert events[-1]["event"] == "run.end" and events[-1]["interrupted"] is True
        assert events[-1]["notStarted"] == 10 - len(intents)

        again = reconcile(env, "apply", "--auto-approve", "--audit-log", str(audit))
        assert again.returncode == 0, again.stderr
        assert reconcile(env, "plan", "--detailed-exitcode").returncode == 0


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["term", "int"]
)
def test_a_signal_outside_apply_exits_at_once_with_one_line(
    repo: Path, signum: signal.Signals, code: int
) -> None:
    with served("--latency", "300") as env:
        plan = subprocess.Popen(
            [*COMMAND, "plan"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        journal = env["GENESYS_API_URL"] + "/_sandbox/journal"
        wait_for(lambda: bool(httpx.get(journal).json()["entries"]))
        plan.send_signal(signum)
        out, err = plan.communicate(timeout=60)
    assert (plan.returncode, out, err) == (code, "", f"error: interrupted by {signum.name}\n")


def test_a_signal_during_an_index_wait_stops_waiting_for_it(repo: Path) -> None:
    audit = repo / "audit.jsonl"
    with served("--index-delay", "120") as env:
        apply = applying(env, audit)
        wait_for(  # both campaigns written or being written, then waiting for their index
            lambda: (
                [
                    e["event"] == "change.intent" and e["kind"] == "CampaignSegmentation"
                    for e in audit_events(audit)
                ].count(True)
                == 2
            )
        )
        apply.send_signal(signal.SIGTERM)
        out, err = apply.communicate(timeout=60)
        assert apply.returncode == 143, err
        # The writes were made: applied, and so announced; only the wait was given up.
        assert "Apply: 3 created, 4 updated, 0 deleted, 0 failed, 3 not started.\n" in out
        assert "  not started: RuleSet 'Holiday Promo exclusions'\n" in out
        assert "  not started: CampaignSettings 'Holiday Promo'\n" in out
        assert "  not started: JourneySegment 'Returning mobile visitors from paid search'\n" in out
        campaigns = [
            e
            for e in audit_events(audit)
            if e["event"] == "change.result" and e["kind"] == "CampaignSegmentation"
        ]
        assert [(r["outcome"], r["detail"]) for r in campaigns] == 2 * [
            ("applied", "written; the run stopped before it was ready")
        ]
        # All that started was written; only what never started is left.
        remaining = reconcile(env, "plan").stdout.splitlines()
        assert [line.split("  (")[0] for line in remaining if line[:2] in ("+ ", "~ ", "- ")] == [
            '+ RuleSet "Holiday Promo exclusions" will be created',
            '~ CampaignSettings "Holiday Promo" will be updated in place',
            '~ JourneySegment "Returning mobile visitors from paid search" will be updated in place',
        ]
