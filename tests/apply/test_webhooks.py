"""Webhooks: each applied change announced, signed, at least once, off the write path; pending
events kept in the audit trail for the next run; one apply at a time in a directory."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.manifest.validation import validate
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.embedded import STATE_FILE
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from tests.genesys.conftest import SECRET, make_client
from tests.sandbox.conftest import CREDENTIALS, Api, FakeClock
from tests.sandbox.test_server import running

WEBHOOK_SECRET = "webhook-signing-secret-7"
NAMES = [
    "Chat Wrap-Up Over a Minute",
    "Lapsed Customer Win-Back",
    "Long Holds in Support",
    "Spring Outreach",
    "Voice Calls Over 5 Minutes Q3",
]
APPLIED = "Apply: 2 created, 3 updated, 0 deleted, 0 failed.\n"


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Api]:
    """A webhook receiver: another sandbox's /_sandbox/webhooks, which records deliveries."""
    with SandboxServer(Sandbox(clock=clock)) as running:
        api = Api(running.url, credentials=None)
        yield api
        api.admin("POST", "faults", {"webhook_delay": 0})  # release any delivery it holds


def with_webhook(repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    webhook_to(repo, receiver.url)
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", WEBHOOK_SECRET)


def webhook_to(repo: Path, url: str) -> None:
    (repo / "reconcile.yaml").write_text(
        f"paths: [segments, campaigns]\nwebhook:\n  url: {url}/_sandbox/webhooks\n"
        "  secretEnv: TEST_WEBHOOK_SECRET\n",
        encoding="utf-8",
    )


def audit_lines(repo: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (repo / AUDIT_LOG).read_text("utf-8").splitlines()]


def whole_audit_lines(repo: Path) -> list[dict[str, Any]]:
    """The audit trail's lines, but for one a kill cut short."""
    found = []
    for line in (repo / AUDIT_LOG).read_text("utf-8").splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


def within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def announced(repo: Path) -> list[str]:
    """The event id of each change the audit trail records as applied or adopted."""
    return [
        line["webhook"]["eventId"]
        for line in audit_lines(repo)
        if line["event"] == "change.result" and line["outcome"] in ("applied", "adopted")
    ]


def delivered(receiver: Api) -> list[dict[str, Any]]:
    return [json.loads(d["body"]) for d in receiver.admin("GET", "webhooks")["deliveries"]]


def test_each_applied_change_is_announced_signed(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    deliveries = receiver.admin("GET", "webhooks")["deliveries"]
    assert len(deliveries) == 5
    run_id = audit_lines(repo)[0]["run"]
    for delivery in deliveries:
        body = delivery["body"].encode()
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert delivery["headers"]["X-Signature-256"] == expected
        event = json.loads(body)
        assert delivery["headers"]["X-Event-Id"] == event["eventId"] and event["run"] == run_id
    events = [json.loads(d["body"]) for d in deliveries]
    assert {(e["type"], e["resource"]["name"]) for e in events} >= {
        ("change.create", "Long Holds in Support"),
        ("change.update", "Spring Outreach"),
    }
    # Each event is on disk in its change's result line before it is sent.
    assert sorted(announced(repo)) == sorted(e["eventId"] for e in events)
    audit = (repo / AUDIT_LOG).read_text(encoding="utf-8")
    assert audit.count('"webhook.delivered"') == 5 and WEBHOOK_SECRET not in audit


def test_failed_deliveries_stay_pending_and_go_out_with_the_next_apply(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_status": 500})
    first = run("apply", "--sandbox", "--auto-approve")
    assert first.code == 0 and first.out.endswith(APPLIED)
    assert (
        "warning: 5 webhook event(s) not delivered yet; they stay pending in "
        ".reconcile/audit.jsonl and go out with the next apply\n"
    ) in first.err
    pending = announced(repo)
    receiver.admin("POST", "faults", {"webhook_status": 200})
    second = run("apply", "--sandbox", "--auto-approve")  # nothing to change; they go out
    assert second.code == 0 and "warning" not in second.err
    ids = [e["eventId"] for e in delivered(receiver)]
    assert sorted(ids[5:]) == sorted(pending)  # the same ids, so receivers can drop repeats
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    assert len(delivered(receiver)) == 10  # known delivered: not sent again
    (repo / ".reconcile/audit.webhooks.json").unlink()  # read all again: the records tell
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    assert len(delivered(receiver)) == 10


def test_a_webhook_without_its_secret_stops_before_anything_changes(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    monkeypatch.delenv("TEST_WEBHOOK_SECRET")
    result = run("apply", "--sandbox", "--auto-approve")
    assert (result.code, result.err) == (
        1,
        "error: set TEST_WEBHOOK_SECRET to the webhook's signing secret\n",
    )
    assert not (repo / AUDIT_LOG).exists()


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
        with KilledAfterFirstResult(repo / AUDIT_LOG) as audit, pytest.raises(KeyboardInterrupt):
            hooks = Webhooks(f"{receiver.url}/_sandbox/webhooks", Secret(WEBHOOK_SECRET), audit)
            Applier(
                client,
                live,
                report.resources,
                audit,
                clock=clock,
                sleep=clock.advance,
                parallel=1,
                webhooks=hooks,
            ).run(plan)
    assert delivered(receiver) == []  # the first change was made; its event never went out
    result = run("apply", "--sandbox", "--auto-approve")
    assert result.code == 0, result.err
    assert sorted(e["resource"]["name"] for e in delivered(receiver)) == NAMES


def test_an_old_outbox_goes_out_once_and_its_damaged_lines_are_skipped(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    old = [
        {
            "eventId": f"old-{n}",
            "type": "change.update",
            "occurredAt": "2026-11-01T10:00:00Z",
            "run": "an-earlier-run",
            "resource": {"kind": "AnalyticsSegment", "name": "Long Holds in Support", "id": "s1"},
            "changedFields": ["description"],
        }
        for n in (1, 2)
    ]
    outbox = repo / ".reconcile/webhook-outbox.jsonl"
    outbox.parent.mkdir()
    outbox.write_text(
        json.dumps(old[0]) + '\n{"eventId": "old-3", "ty\n' + json.dumps(old[1]) + "\n",
        encoding="utf-8",
    )
    first = run("apply", "--sandbox", "--auto-approve")
    assert first.code == 0, first.err
    assert "warning: .reconcile/webhook-outbox.jsonl:2: not a JSON event; skipped\n" in first.err
    assert not outbox.exists()
    assert delivered(receiver)[:2] == old  # as they were, before this run's own events
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    assert len(delivered(receiver)) == 7  # the old events went out once, the damaged never


def test_a_line_cut_short_by_a_crash_is_reported_once_and_skipped(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_status": 503})
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    pending = announced(repo)
    cut = len((repo / AUDIT_LOG).read_text(encoding="utf-8").splitlines()) + 1
    with (repo / AUDIT_LOG).open("a", encoding="utf-8") as audit:
        audit.write('{"event": "change.result", "kind": "AnalyticsSeg')  # the kill, mid-line
    receiver.admin("POST", "faults", {"webhook_status": 200})
    second = run("apply", "--sandbox", "--auto-approve")
    assert second.code == 0
    assert second.err == f"warning: .reconcile/audit.jsonl:{cut}: not a JSON line; skipped\n"
    assert sorted(e["eventId"] for e in delivered(receiver)[5:]) == sorted(pending)
    third = run("apply", "--sandbox", "--auto-approve")
    assert (third.code, third.err) == (0, "")  # reported once; behind the delivered mark now
    after = (repo / AUDIT_LOG).read_text(encoding="utf-8").splitlines()[cut:]
    assert after and all(json.loads(line) for line in after)  # later runs start a fresh line


def test_an_apply_killed_while_sending_pending_events_loses_none(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_status": 503})
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    pending = announced(repo)
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
    assert result.code == 0 and result.out.endswith(APPLIED)


def test_a_hung_receiver_holds_up_no_write_and_gets_the_events_next_run(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_delay": 3600})  # answers long after the test
    first = run("apply", "--sandbox", "--auto-approve")
    assert first.code == 0 and first.out.endswith(APPLIED)
    events = [line["event"] for line in audit_lines(repo)]
    first_delivery = min(i for i, e in enumerate(events) if e.startswith("webhook."))
    last_result = max(i for i, e in enumerate(events) if e == "change.result")
    assert last_result < first_delivery  # every write went on while the receiver hung
    assert "warning: 5 webhook event(s) not delivered yet" in first.err
    pending = announced(repo)
    receiver.admin("POST", "faults", {"webhook_delay": 0})
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    assert set(pending) <= {e["eventId"] for e in delivered(receiver)}
    assert (repo / AUDIT_LOG).read_text(encoding="utf-8").count('"webhook.delivered"') == 5


def test_an_apply_killed_midway_then_run_again_converges_and_announces_every_change(
    repo: Path,
) -> None:
    with running("--latency", "150") as url:
        webhook_to(repo, url)
        env = os.environ | {
            "GENESYS_API_URL": url,
            "GENESYS_LOGIN_URL": url,
            "GENESYS_CLIENT_ID": CREDENTIALS[0],
            "GENESYS_CLIENT_SECRET": CREDENTIALS[1],
            "TEST_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
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


def test_a_delivery_still_going_on_when_the_run_ends_is_left_for_the_next_run(
    tmp_path: Path, receiver: Api
) -> None:
    receiver.admin("POST", "faults", {"webhook_delay": 3600})
    url, secret, log = (
        f"{receiver.url}/_sandbox/webhooks",
        Secret(WEBHOOK_SECRET),
        tmp_path / "a.jsonl",
    )
    warnings: list[str] = []
    with Audit(log) as audit:
        hooks = Webhooks(url, secret, audit, warnings.append, timeout=3600, deadline=0.1).start()
        event = hooks.event("AnalyticsSegment", "Long Holds in Support", "create", "s-1", [])
        audit.event("change.result", outcome="applied", webhook=event)
        hooks.wake()
        assert within(60, lambda: len(receiver.admin("GET", "webhooks")["deliveries"]) == 1)
        assert hooks.close() == 1  # the receiver holds it past the deadline
    assert warnings == [
        f"warning: 1 webhook event(s) not delivered yet; they stay pending in {log} and go "
        "out with the next apply"
    ]
    receiver.admin("POST", "faults", {"webhook_delay": 0})
    with Audit(log) as audit:
        assert Webhooks(url, secret, audit, warnings.append).start().close() == 0
    ids = [d["headers"]["X-Event-Id"] for d in receiver.admin("GET", "webhooks")["deliveries"]]
    assert ids == [event["eventId"]] * 2  # at least once: the answer the first run gave up on
    records = [json.loads(line)["event"] for line in log.read_text("utf-8").splitlines()]
    assert records == ["change.result", "webhook.delivered"]  # the abandoned one wrote nothing
