"""An apply stopped at any point (SIGKILL or SIGTERM) and run again: the org converges with no
duplicate, every change is counted exactly once in the audit trail, and every applied change
is announced at least once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from tests.apply.test_killed import announcing_to, whole_audit_lines
from tests.apply.test_webhooks import NAMES, within
from tests.sandbox.conftest import Api
from tests.sandbox.test_server import running

APPLY = [sys.executable, "-m", "genesys_reconcile", "apply", "--auto-approve"]


def audit_length(repo: Path) -> int:
    path = repo / AUDIT_LOG
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.mark.parametrize(
    ("stop", "after_lines"),
    [
        (signal.SIGKILL, 2),
        (signal.SIGKILL, 5),
        (signal.SIGKILL, 9),
        (signal.SIGTERM, 3),
        (signal.SIGTERM, 8),
    ],
)
def test_an_apply_stopped_anywhere_then_run_again_holds_every_promise(
    repo: Path, stop: signal.Signals, after_lines: int
) -> None:
    with running("--latency", "100", "--index-delay", "1") as url:
        env = announcing_to(repo, url)
        first = subprocess.Popen(
            APPLY, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            within(120, lambda: audit_length(repo) >= after_lines or first.poll() is not None)
            first.send_signal(stop)
        finally:
            first.wait(timeout=60)
        again = subprocess.run(
            APPLY, cwd=repo, env=env, capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0, again.stderr
        plan = [sys.executable, "-m", "genesys_reconcile", "plan", "--detailed-exitcode"]
        assert (
            subprocess.run(plan, cwd=repo, env=env, capture_output=True, timeout=300).returncode
            == 0
        )
        org = Api(url)
        listing = org.get("/api/v2/analytics/segments", params={"pageSize": 100}).json()
        names = [segment["name"] for segment in listing["entities"]]
        assert len(names) == len(set(names)) == 5  # nothing created twice
        events = [json.loads(d["body"]) for d in org.admin("GET", "webhooks")["deliveries"]]
    lines = whole_audit_lines(repo)
    intents = [line for line in lines if line["event"] == "change.intent"]
    results = [line for line in lines if line["event"] == "change.result"]
    assert len(results) == len(intents)  # each change counted once: none lost, none twice
    applied = [r for r in results if r["outcome"] in ("applied", "adopted")]
    assert {r["webhook"]["eventId"] for r in applied} <= {e["eventId"] for e in events}
    assert sorted({e["resource"]["name"] for e in events}) == NAMES  # each change announced
