"""Webhooks: each applied change announced, signed, at least once, off the write path; pending
events kept in the audit trail for the next run, damaged lines skipped, an old outbox taken in.
(Killed and concurrent applies: test_killed.py.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.redaction import Secret
from tests.sandbox.conftest import Api

WEBHOOK_SECRET = "webhook-signing-secret-7"
NAMES = [
    "Chat Wrap-Up Over a Minute",
    "Lapsed Customer Win-Back",
    "Long Holds in Support",
    "Spring Outreach",
    "Voice Calls Over 5 Minutes Q3",
]
APPLIED = "Apply: 2 created, 3 updated, 0 deleted, 0 failed.\n"


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
    start = audit_lines(repo)[0]
    for delivery in deliveries:
        body = delivery["body"].encode()
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert delivery["headers"]["X-Signature-256"] == expected
        event = json.loads(body)
        assert delivery["headers"]["X-Event-Id"] == event["eventId"]
        assert event["run"] == start["run"]
        assert event["org"] == start["org"] and event["org"]["id"]  # which org, by id
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
    assert first.code == 0
    assert first.out.endswith(
        APPLIED + "Webhooks: 0 delivered, 5 failed (HTTP 500); 5 pending for the next apply.\n"
    )
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


def applied_leaving_events_pending(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """The demo applied while the receiver fails: the ids of the events left pending."""
    with_webhook(repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_status": 503})
    assert run("apply", "--sandbox", "--auto-approve").code == 0
    return announced(repo)


def test_a_line_cut_short_by_a_crash_is_reported_once_and_skipped(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = applied_leaving_events_pending(run, repo, receiver, monkeypatch)
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


def test_a_hung_receiver_holds_up_no_write_and_gets_the_events_next_run(
    run, repo: Path, receiver: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_webhook(repo, receiver, monkeypatch)
    receiver.admin("POST", "faults", {"webhook_delay": 3600})  # answers long after the test
    first = run("apply", "--sandbox", "--auto-approve")
    assert first.code == 0
    assert first.out.endswith(
        APPLIED + "Webhooks: 0 delivered, 1 failed (ReadTimeout); 5 pending for the next apply.\n"
    )
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
