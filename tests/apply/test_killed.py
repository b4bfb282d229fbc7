"""Applies killed midway, or started while another runs: the org converges, no resource is
created twice, and every applied change is announced at least once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.embedded import STATE_FILE
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import validate
from tests.apply.test_webhooks import (
    NAMES,
    WEBHOOK_SECRET,
    applied_leaving_events_pending,
    delivered,
    webhook_to,
    with_webhook,
    within,
)
from tests.genesys.conftest import SECRET, make_client
from tests.sandbox.conftest import CREDENTIALS, Api, FakeClock
from tests.sandbox.test_server import running


def whole_audit_lines(repo: Path) -> list[dict[str, Any]]:
    """The audit trail's lines, but for one a kill cut short."""
    found = []
    for line in (repo / AUDIT_LOG).read_text("utf-8").splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


class KilledAfterFirstResult(Audit):
    """An audit trail whose process dies right after the first change's result is on disk."""

    stopped = False

    def event(self, event: str, /, **fields: Any) -> None:
        if self.stopped:
            raise KeyboardInterrupt  # a killed process writes nothing more
        super().event(event, **fields)
        if event == "change.result":
            self.stopped = True
            raise KeyboardInterrupt


def test_the_event_of_a_change_applied_just_before_a_crash_goes_out_with_the_next_run(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    org = Sandbox(
        state_file=repo / STATE_FILE, client_id="reconcile-test", client_secret=SECRET, clock=clock
    )
    with SandboxServer(org) as server, make_client(server, clock) as client:
        settings = load_settings()
        live = LiveState(client)
        report = validate(list(settings.paths), settings, live)
        plan = make_plan(report.resources, live)
        with KilledAfterFirstResult(repo / AUDIT_LOG) as audit:
            hooks = Webhooks(f"{receiver.url}/_sandbox/webhooks", Secret(WEBHOOK_SECRET), audit)
            ran = Applier(
                client,
                live,
                report.resources,
                audit,
                clock=clock,
                sleep=clock.advance,
                parallel=1,
                webhooks=hooks,
            ).run(plan)
        assert isinstance(ran.stopped, KeyboardInterrupt)
    assert delivered(receiver) == []  # the first change was made; its event never went out
    result = run("apply", "--sandbox", "--auto-approve")
    assert result.code == 0, result.err
    assert sorted(e["resource"]["name"] for e in delivered(receiver)) == NAMES


def test_an_apply_killed_while_sending_pending_events_loses_none(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = applied_leaving_events_pending(run, repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_status": 200, "webhook_delay": 3600})
    resend = subprocess.Popen(  # nothing to change: it only sends the pending events
        [sys.executable, "-m", "genesys_reconcile", "apply", "--sandbox", "--auto-approve"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert within(120, lambda: len(receiver.admin("GET", "webhooks")["deliveries"]) == 6)
    finally:
        resend.kill()  # mid-delivery: the receiver holds the first event unanswered
        resend.wait(timeout=30)
    receiver.admin("POST", "faults", {"webhook_delay": 0})
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    assert sorted(e["eventId"] for e in delivered(receiver)[6:]) == sorted(pending)


HOLD_LOCK = (
    "import fcntl, sys, time\n"
    "handle = open(sys.argv[1], 'a')\n"
    "fcntl.flock(handle, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def test_a_second_apply_in_one_directory_is_refused_until_the_first_ends(run, repo: Path) -> None:
    lock = repo / ".reconcile/audit.lock"
    lock.parent.mkdir()
    other = subprocess.Popen(  # another apply, as far as the lock tells
        [sys.executable, "-c", HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "held\n"
        refused = run("apply", "--sandbox", "--auto-approve")
        assert (refused.code, refused.out, refused.err) == (
            1,
            "",
            "error: another apply is running in this directory (lock .reconcile/audit.lock); "
            "wait for it\n",
        )
        assert run("plan", "--sandbox", "--detailed-exitcode").code == 2  # nothing was applied
    finally:
        other.kill()  # killed: its lock goes with it, though the file stays
        other.wait(timeout=30)
    assert lock.exists()
    result = run("apply", "--sandbox", "--auto-approve")
    # The whole example repository.
    applied = "Apply: 4 created, 6 updated, 0 deleted, 0 failed.\n"
    assert result.code == 0 and result.out.endswith(applied)


def announcing_to(repo: Path, url: str) -> dict[str, str]:
    """The environment of an apply against the sandbox at `url`, announcing changes to it."""
    webhook_to(repo, url)
    return os.environ | {
        "GENESYS_API_URL": url,
        "GENESYS_LOGIN_URL": url,
        "GENESYS_CLIENT_ID": CREDENTIALS[0],
        "GENESYS_CLIENT_SECRET": CREDENTIALS[1],
        "TEST_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def test_an_apply_killed_midway_then_run_again_converges_and_announces_every_change(
    repo: Path,
) -> None:
    with running("--latency", "150") as url:
        env = announcing_to(repo, url)
        apply = [sys.executable, "-m", "genesys_reconcile", "apply", "--auto-approve"]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        first = subprocess.Popen(apply, cwd=repo, env=env, **quiet)  # type: ignore[call-overload]
        try:
            assert within(120, lambda: '"change.result"' in read(repo / AUDIT_LOG))
        finally:
            first.kill()  # SIGKILL: no cleanup, no last delivery
            first.wait(timeout=30)
        again = subprocess.run(
            apply, cwd=repo, env=env, capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0, again.stderr
        plan = [sys.executable, "-m", "genesys_reconcile", "plan", "--detailed-exitcode"]
        check = subprocess.run(plan, cwd=repo, env=env, capture_output=True, timeout=300)
        assert check.returncode == 0  # converged
        org = Api(url)
        listing = org.get("/api/v2/analytics/segments", params={"pageSize": 100}).json()
        names = [segment["name"] for segment in listing["entities"]]
        assert len(names) == len(set(names)) == 5  # nothing created twice
        received = {d["headers"]["X-Event-Id"] for d in org.admin("GET", "webhooks")["deliveries"]}
    results = [
        line
        for line in whole_audit_lines(repo)
        if line["event"] == "change.result" and line["outcome"] in ("applied", "adopted")
    ]
    assert results  # the killed run wrote at least one before it died
    assert {line["webhook"]["eventId"] for line in results} <= received


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


CAMPAIGN = "/api/v2/outbound/campaigns/{id}"


def test_a_change_made_by_a_run_killed_before_its_result_is_settled_and_announced(
    repo: Path,
) -> None:
    # A campaign's write is followed by a wait for its index: a kill then leaves the write
    # made and its result unrecorded.
    with running("--index-delay", "4") as url:
        env = announcing_to(repo, url)
        org = Api(url)

        def campaign_written() -> bool:
            return any(
                (e["method"], e["route"], e["status"]) == ("PATCH", CAMPAIGN, 200)
                for e in org.admin("GET", "journal")["entries"]
            )

        apply = [sys.executable, "-m", "genesys_reconcile", "apply", "--auto-approve"]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        first = subprocess.Popen(apply, cwd=repo, env=env, **quiet)  # type: ignore[call-overload]
        try:
            assert within(120, campaign_written)
        finally:
            first.kill()
            first.wait(timeout=30)
        lines = whole_audit_lines(repo)
        open_intents = {
            (line["kind"], line["name"]) for line in lines if line["event"] == "change.intent"
        } - {(line["kind"], line["name"]) for line in lines if line["event"] == "change.result"}
        assert open_intents  # at least the campaign written, its result never recorded

        again = subprocess.run(
            apply, cwd=repo, env=env, capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0, again.stderr
        settled = sorted(line for line in again.stderr.splitlines() if line.startswith("settled:"))
        # Each open intent is settled against the org; the written campaign as made.
        assert [line.split("'")[1] for line in settled] == sorted(n for _, n in open_intents)
        assert any(line.endswith("': made by a stopped run") for line in settled)
        events = [json.loads(d["body"]) for d in org.admin("GET", "webhooks")["deliveries"]]
    lines = whole_audit_lines(repo)
    intents = [line for line in lines if line["event"] == "change.intent"]
    results = [line for line in lines if line["event"] == "change.result"]
    assert len(results) == len(intents)  # every change counted once: none lost, none twice
    # Each announced; a delivery the kill cut short goes again, under the same event id.
    assert sorted({e["resource"]["name"] for e in events}) == NAMES
    applied = [r for r in results if r["outcome"] in ("applied", "adopted")]
    assert {r["webhook"]["eventId"] for r in applied} == {e["eventId"] for e in events}
